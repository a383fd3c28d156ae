package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.prolific.ProlificEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PaymentsIT's crash on Prolific: the platform killed (SIGKILL) in the middle of a 1,000-bonus batch against a slowed
 * emulator that answers 500 after paying on every fifth pay call, then started again; each participant ends up paid
 * exactly once. Prolific's pay call is not idempotent (a repeat pays again), so this is the plugin's own record
 * (set-up id stored, PAY_SENT before pay, settled by reading the submission's bonus_payments) and the ledger's asking
 * before sending again, end to end. The plugin does not retry ({@code retries=0}), so every lost answer reaches the
 * ledger.
 */
class ProlificPaymentsIT {

    private static final int PARTICIPANTS = 1000;
    private static ProlificLab lab;
    private static String session;

    @BeforeAll
    static void start() throws Exception {
        lab = new ProlificLab("ratePerSecond=1000\nretries=0", "one-question").start();
        session = lab.session("one-question", "{}");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** What {@link #bonusFile} pays participant {@code i}: 0.01 to 2.97, in cents. */
    private static long cents(int i) {
        return (i % 3) * 100L + 1 + i % 97;
    }

    @Test
    void aKilledPlatformFinishesTheBatchAfterARestartPayingEachParticipantOnce() {
        long started = System.nanoTime();
        String study = lab.makeStudy(session, "0.10", PARTICIPANTS);
        List<ProlificLab.Participant> people = lab.participantsComplete(study, PARTICIPANTS, "5e");
        long madeAt = System.nanoTime();
        JsonNode approve = lab.commit(Map.of("action", "approve-submitted"));
        assertEquals(PARTICIPANTS, approve.path("count").asInt(), "every submitted participant is in the approvals");
        JsonNode approved = lab.awaitFinished(approve.path("id").asLong(), Duration.ofSeconds(60))
                .path("batch");
        assertEquals(PARTICIPANTS, approved.path("confirmed").asInt(), approved.toString());
        for (ProlificEmulator.SubmissionView s : lab.emulator.submissions(study)) {
            assertEquals("APPROVED", s.status(), s.toString());
        }
        long approvedAt = System.nanoTime();

        int before = lab.emulator.payCalls();
        lab.emulator.inject(ProlificEmulator.Fault.COMMIT_THEN_FAIL, "pay-bonus-payments", 5);
        try {
            lab.emulator.latency(Duration.ofMillis(25));
            long batch = lab.commit(CrowdLab.bonusFile(
                            people, i -> String.format("%d.%02d", cents(i) / 100, cents(i) % 100)))
                    .path("id")
                    .asLong();
            JsonNode partway = Eventually.within(
                            Duration.ofSeconds(60),
                            "a part of the batch is paid",
                            () -> lab.batch(batch).path("batch"),
                            b -> b.path("confirmed").asInt() >= 100)
                    .value();
            assertTrue(
                    partway.path("finished").isNull()
                            && partway.path("balanceAfterCents").isNull(),
                    "an unfinished batch has no balance after yet: " + partway);
            lab.cohort.kill();
            long killedAt = System.nanoTime();
            int paidAtKill = lab.emulator.payCalls() - before;
            assertTrue(paidAtKill > 0 && paidAtKill < PARTICIPANTS, "killed mid-batch: " + paidAtKill + " paid");
            lab.emulator.latency(Duration.ZERO);

            lab.start();
            JsonNode done = lab.awaitFinished(batch, Duration.ofSeconds(90)).path("batch");
            long finishedAt = System.nanoTime();
            assertEquals(
                    PARTICIPANTS,
                    lab.emulator.payCalls() - before,
                    "exactly one bonus paid per participant after the restart");
            for (int i = 0; i < people.size(); i++) {
                ProlificLab.Participant p = people.get(i);
                assertEquals(List.of(cents(i)), lab.emulator.bonusesPaid(p.pid()), "bonuses paid to " + p.pid());
            }
            for (ProlificEmulator.SubmissionView s : lab.emulator.submissions(study)) {
                assertEquals(1, s.bonusPayments().size(), "one bonus on submission " + s);
            }
            JsonNode b = lab.batch(batch);
            assertEquals(
                    PARTICIPANTS,
                    b.path("batch").path("confirmed").asInt(),
                    b.path("batch").toString());
            assertEquals(
                    0, b.path("batch").path("failed").asInt(), b.path("batch").toString());
            long foundAtProlific = 0;
            for (JsonNode p : b.path("payments")) {
                assertEquals("CONFIRMED", p.path("state").asText(), p.toString());
                foundAtProlific += p.path("response").asText().equals("found at the provider") ? 1 : 0;
            }
            // Every fifth pay call's answer was lost: the ledger asked Prolific (the submission's bonus_payments,
            // through the plugin) and found each paid. So did the rows the kill cut off after they were sent.
            assertTrue(
                    foundAtProlific >= PARTICIPANTS / 5,
                    "lost answers settled by reading Prolific: " + foundAtProlific);
            assertTrue(done.path("balanceAfterCents").asLong() > 0, done.toString());
            assertEquals(
                    lab.emulator.availableBalanceCents(),
                    done.path("balanceAfterCents").asLong(),
                    "the balance after, as Prolific says it");
            System.out.printf(
                    "ProlificPaymentsIT: %d participants made in %.1f s, approved in %.1f s; bonuses: killed after"
                            + " %.1f s with %d paid, finished %.1f s after the kill; %d answers found at Prolific;"
                            + " %.1f s in all%n",
                    PARTICIPANTS,
                    seconds(madeAt - started),
                    seconds(approvedAt - madeAt),
                    seconds(killedAt - approvedAt),
                    paidAtKill,
                    seconds(finishedAt - killedAt),
                    foundAtProlific,
                    seconds(finishedAt - started));
        } finally {
            lab.emulator.inject(ProlificEmulator.Fault.COMMIT_THEN_FAIL, "pay-bonus-payments", 0);
            lab.emulator.latency(Duration.ZERO);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
