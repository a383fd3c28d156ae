package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ledger pays each worker once whatever happens: the platform killed (SIGKILL) in the middle of a 1,000-bonus
 * batch against a slowed emulator, the emulator answering 500 after it paid, and a plan with bad rows refused whole.
 * The plugin's own SDK retries are off ({@code retries=0}) so every lost answer reaches the ledger, which must ask
 * MTurk before sending again.
 */
class PaymentsIT {

    private static final int WORKERS = 1000;
    private static MTurkLab lab;
    private static String session;

    @BeforeAll
    static void start() throws Exception {
        lab = new MTurkLab("ratePerSecond=200\nretries=0", "one-question").start();
        session = lab.session("one-question", "{}");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /** Workers who completed and were approved through an approve-all-submitted batch. */
    private static List<MTurkLab.Worker> approvedWorkers(String prefix) {
        String hit = lab.postHit(session, "0.10", WORKERS);
        List<MTurkLab.Worker> workers = lab.workersComplete(hit, WORKERS, prefix);
        JsonNode approve = lab.commit(Map.of("action", "approve-submitted"));
        assertEquals(WORKERS, approve.path("count").asInt(), "every submitted worker is in the approval batch");
        JsonNode done = lab.awaitFinished(approve.path("id").asLong(), Duration.ofSeconds(60))
                .path("batch");
        assertEquals(WORKERS, done.path("confirmed").asInt(), done.toString());
        return workers;
    }

    private static Map<String, String> bonusFile(List<MTurkLab.Worker> workers) {
        return MTurkLab.bonusFile(workers, i -> String.format("%d.%02d", (i % 3), 1 + i % 97));
    }

    private static void assertPaidOnce(List<MTurkLab.Worker> workers, long batch) {
        Map<String, Integer> paid = lab.emulator.bonusesPerAssignment();
        for (MTurkLab.Worker w : workers) {
            assertEquals(1, paid.getOrDefault(w.assignmentId(), 0), "bonuses paid to " + w.workerId());
        }
        JsonNode b = lab.batch(batch);
        assertEquals(
                WORKERS,
                b.path("batch").path("confirmed").asInt(),
                b.path("batch").toString());
        assertEquals(0, b.path("batch").path("failed").asInt());
        for (JsonNode p : b.path("payments")) {
            assertEquals("CONFIRMED", p.path("state").asText(), p.toString());
        }
    }

    @Test
    void aKilledPlatformFinishesTheBatchAfterARestartPayingEachWorkerOnce() {
        List<MTurkLab.Worker> workers = approvedWorkers("K");
        int before = lab.emulator.bonusCount();
        lab.emulator.latency(Duration.ofMillis(40));
        long batch = lab.commit(bonusFile(workers)).path("id").asLong();
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
        int paidAtKill = lab.emulator.bonusCount() - before;
        assertTrue(paidAtKill > 0 && paidAtKill < WORKERS, "killed mid-batch: " + paidAtKill + " paid");
        lab.emulator.latency(Duration.ZERO);

        lab.start();
        JsonNode done = lab.awaitFinished(batch, Duration.ofSeconds(90)).path("batch");
        assertEquals(WORKERS, lab.emulator.bonusCount() - before, "exactly one bonus per worker after the restart");
        assertPaidOnce(workers, batch);
        assertTrue(done.path("balanceAfterCents").asLong() > 0, done.toString());
        assertEquals(
                lab.emulator.availableBalanceCents(),
                done.path("balanceAfterCents").asLong(),
                "the balance after, as the provider says it");
    }

    @Test
    void answers500AfterPayingAreAskedAboutNotPaidAgain() throws Exception {
        List<MTurkLab.Worker> workers = approvedWorkers("F");
        int before = lab.emulator.bonusCount();
        lab.emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "SendBonus", 5);
        try {
            long batch = lab.commit(bonusFile(workers)).path("id").asLong();
            // The batch page's socket hears the progress as it is made, then the end.
            AdminHttp admin = lab.cohort.admin();
            try (JsonSocket progress = JsonSocket.open(
                    lab.cohort.url() + "/", "payments", "cohort_admin=" + admin.cookie("cohort_admin"))) {
                progress.send(Map.of("watch", Long.toString(batch)));
                JsonNode partway = progress.next(
                        m -> m.path("batch").asLong() == batch
                                && m.path("confirmed").asInt() > 0
                                && m.path("open").asInt() > 0,
                        Duration.ofSeconds(30));
                assertEquals(
                        WORKERS,
                        partway.path("confirmed").asInt()
                                + partway.path("failed").asInt()
                                + partway.path("open").asInt());
                JsonNode end = progress.next(m -> m.path("finished").asBoolean(), Duration.ofSeconds(90));
                assertEquals(WORKERS, end.path("confirmed").asInt(), end.toString());
            }
            lab.awaitFinished(batch, Duration.ofSeconds(90));
            assertEquals(WORKERS, lab.emulator.bonusCount() - before, "exactly one bonus per worker");
            assertPaidOnce(workers, batch);
            long foundAtMTurk = 0;
            for (JsonNode p : lab.batch(batch).path("payments")) {
                foundAtMTurk += p.path("response").asText().equals("found at the provider") ? 1 : 0;
            }
            assertEquals(WORKERS / 5, foundAtMTurk, "every fifth bonus's answer was lost and found by asking MTurk");
        } finally {
            lab.emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "SendBonus", 0);
        }
    }

    @Test
    void aPlanWithBadRowsIsRefusedWholeNamingEveryRow() {
        List<MTurkLab.Worker> workers = approvedWorkersFew();
        int bonuses = lab.emulator.bonusCount();
        long requests = lab.emulator.requestCount();
        int batches = MTurkLab.read(lab.api().get("/api/payments/batches")).size();
        String rows = "worker_id,assignment_id,amount,reason\n"
                + workers.get(0).workerId() + "," + workers.get(0).assignmentId() + ",1.00,Thanks\n"
                + workers.get(1).workerId() + "," + workers.get(1).assignmentId() + ",25.00,Thanks\n"
                + "AUNKNOWN0000001,3ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ,1.00,Thanks\n"
                + workers.get(2).workerId() + "," + workers.get(2).assignmentId() + ",1.2.3,Thanks\n";
        Map<String, String> form =
                new HashMap<>(Map.of("action", "file", "kind", "bonus", "max", "10.00", "rows", rows));
        for (String step : List.of("/api/payments/preview", "/api/payments/commit")) {
            AdminHttp.Response r = lab.api().postForm(step, form);
            assertEquals(422, r.status(), step + ": " + r);
            List<String> problems = MTurkLab.JSON.convertValue(
                    MTurkLab.read(r).path("problems"),
                    MTurkLab.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
            assertEquals(
                    List.of(
                            "line 3 (worker " + workers.get(1).workerId() + "): bonus 25.00 is over the maximum 10.00",
                            "line 4 (worker AUNKNOWN0000001): unknown worker AUNKNOWN0000001 with assignment 3ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ:"
                                    + " no participant of ours came through mturk as them",
                            "line 5 (worker " + workers.get(2).workerId()
                                    + "): amount '1.2.3' is not dollars and cents like 1.25"),
                    problems);
        }
        // A file of 5,000 rows (about 250 KB, over Jetty's default form limit) reaches the checks too.
        StringBuilder big = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            big.append(String.format("AFAKE%010d,3FAKE%025d,1.00,Thanks%n", i, i));
        }
        AdminHttp.Response bigPlan = lab.api()
                .postForm("/api/payments/preview", Map.of("action", "file", "kind", "bonus", "rows", big.toString()));
        assertEquals(
                422,
                bigPlan.status(),
                bigPlan.status() + " "
                        + bigPlan.body()
                                .substring(0, Math.min(300, bigPlan.body().length())));
        JsonNode bigProblems = MTurkLab.read(bigPlan).path("problems");
        assertEquals(5000, bigProblems.size());
        assertTrue(
                bigProblems.get(4999).asText().startsWith("line 5000 (worker AFAKE0000005000): unknown worker"),
                bigProblems.get(4999).asText());
        assertEquals(requests, lab.emulator.requestCount(), "MTurk was not even asked");
        // The admin's form says the same, on a page.
        AdminHttp admin = lab.cohort.admin();
        admin.get("/admin/payments");
        AdminHttp.Response page = admin.postForm("/admin/payments/commit", form);
        assertEquals(422, page.status());
        assertTrue(
                page.body()
                        .contains("line 3 (worker " + workers.get(1).workerId()
                                + "): bonus 25.00 is over the maximum 10.00"),
                page.body());
        assertEquals(
                batches, MTurkLab.read(lab.api().get("/api/payments/batches")).size(), "no batch was written");
        assertEquals(bonuses, lab.emulator.bonusCount(), "no bonus was sent");
    }

    private static List<MTurkLab.Worker> approvedWorkersFew() {
        String hit = lab.postHit(session, "0.10", 3);
        List<MTurkLab.Worker> workers = lab.workersComplete(hit, 3, "B");
        long batch =
                lab.commit(Map.of("action", "approve-submitted")).path("id").asLong();
        lab.awaitFinished(batch, Duration.ofSeconds(30));
        return workers;
    }

    @Test
    void selectionsAndHitActionsDoWhatThePreviewSaid() {
        String hit = lab.postHit(session, "0.10", 4);
        List<MTurkLab.Worker> workers = lab.workersComplete(hit, 3, "S");
        String outsider = "AOUTSIDER00001";
        String outsiderAssignment = lab.emulator.acceptAndSubmit(hit, outsider, "<QuestionFormAnswers/>");

        // Reject one, with feedback; without feedback the plan is refused.
        String rejected =
                lab.participant(session, workers.get(0).workerId()).path("id").asText();
        AdminHttp.Response noFeedback =
                lab.api().postForm("/api/payments/preview", Map.of("action", "reject", "participant", rejected));
        assertEquals(422, noFeedback.status());
        assertTrue(noFeedback.body().contains("a rejection needs feedback for the worker"), noFeedback.body());
        long reject = lab.commit(
                        Map.of("action", "reject", "participant", rejected, "reason", "The answers were random"))
                .path("id")
                .asLong();
        lab.awaitFinished(reject, Duration.ofSeconds(30));
        assertEquals("Rejected", lab.emulator.assignmentStatus(workers.get(0).assignmentId()));
        assertEquals(
                "REJECTED",
                lab.participant(session, workers.get(0).workerId())
                        .path("status")
                        .asText());

        // Approve all workers for all postings: ours still submitted and the one who never reached Cohort.
        AdminHttp.Response preview =
                lab.api().postForm("/api/payments/preview", Map.of("action", "approve-all-workers"));
        assertEquals(200, preview.status(), preview.body());
        JsonNode rows = MTurkLab.read(preview).path("payments");
        Map<String, JsonNode> byAssignment = new HashMap<>();
        rows.forEach(r -> byAssignment.put(r.path("assignmentId").asText(), r));
        assertEquals(
                java.util.Set.of(workers.get(1).assignmentId(), workers.get(2).assignmentId(), outsiderAssignment),
                byAssignment.keySet());
        assertTrue(
                byAssignment.get(outsiderAssignment).path("participantId").isNull(),
                "the outsider is no participant of ours");
        assertEquals(
                lab.participant(session, workers.get(1).workerId()).path("id").asText(),
                byAssignment
                        .get(workers.get(1).assignmentId())
                        .path("participantId")
                        .asText());
        assertEquals(
                3 * 10,
                MTurkLab.read(preview).path("preview").path("totalCents").asLong(),
                "three rewards");
        long approve =
                lab.commit(Map.of("action", "approve-all-workers")).path("id").asLong();
        lab.awaitFinished(approve, Duration.ofSeconds(30));
        assertEquals("Approved", lab.emulator.assignmentStatus(outsiderAssignment));
        assertEquals(
                "APPROVED",
                lab.participant(session, workers.get(1).workerId())
                        .path("status")
                        .asText());

        // Bonus one, with a reason: previewed from the session page's own form (its checkboxes are "participants").
        String chosen =
                lab.participant(session, workers.get(1).workerId()).path("id").asText();
        AdminHttp admin = lab.cohort.admin();
        String sessionPage = admin.get("/admin/sessions/" + session).body();
        assertTrue(
                sessionPage.contains("<button formaction=\"/admin/payments/preview\" name=\"action\" value=\"bonus\">"),
                sessionPage);
        AdminHttp.Response fromSessionPage = admin.postForm(
                "/admin/payments/preview",
                Map.of(
                        "action",
                        "bonus",
                        "participants",
                        chosen,
                        "session",
                        session,
                        "amount",
                        "0.75",
                        "reason",
                        "Great answers",
                        "text",
                        ""));
        assertEquals(200, fromSessionPage.status(), fromSessionPage.body());
        assertTrue(
                fromSessionPage.body().contains("<td class=\"count\">1</td>")
                        && fromSessionPage
                                .body()
                                .contains("<input type=\"hidden\" name=\"participant\" value=\"" + chosen + "\">"),
                fromSessionPage.body());
        long bonus = lab.commit(
                        Map.of("action", "bonus", "participant", chosen, "amount", "0.75", "reason", "Great answers"))
                .path("id")
                .asLong();
        lab.awaitFinished(bonus, Duration.ofSeconds(30));
        assertEquals(1, lab.emulator.bonusCount(workers.get(1).workerId()));
        assertEquals(0, lab.emulator.bonusCount(workers.get(2).workerId()));

        // Close all (expire-hits), then delete all: a HIT with work awaiting review stays, and says why.
        String waiting = lab.postHit(session, "0.10", 2);
        lab.emulator.acceptAndSubmit(waiting, "AWAITING000001", "<QuestionFormAnswers/>");
        AdminHttp.Response expired = lab.api().postForm("/api/payments/commit", Map.of("action", "expire-hits"));
        assertEquals(200, expired.status(), expired.body());
        assertTrue(
                expired.body().contains("\"hitId\":\"" + waiting + "\",\"done\":true,\"message\":\"closed\""),
                expired.body());
        AdminHttp.Response deletable = lab.api().postForm("/api/payments/preview", Map.of("action", "delete-hits"));
        assertTrue(deletable.body().contains("1 submission(s) awaiting approval or rejection"), deletable.body());
        AdminHttp.Response deleted = lab.api().postForm("/api/payments/commit", Map.of("action", "delete-hits"));
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("Disposed", lab.hitStatus(hit));
        assertEquals("Reviewable", lab.hitStatus(waiting));
        assertTrue(
                deleted.body()
                        .contains("\"hitId\":\"" + waiting
                                + "\",\"done\":false,\"message\":\"left: 1 submission(s) awaiting"),
                deleted.body());
    }

    @Test
    void approveAllOnAScheduleApprovesWhatIsSubmittedOnceThroughTheLedger() {
        AdminHttp admin = lab.cohort.admin();
        admin.get("/admin/tasks");
        AdminHttp.Response made = admin.postForm(
                "/admin/tasks",
                Map.of(
                        "name",
                        "approve-every-2s",
                        "type",
                        "payments.approve-all",
                        "interval",
                        "2",
                        "data",
                        "{\"provider\": \"mturk\"}"));
        assertEquals(3, made.status() / 100, made.toString());
        try {
            String hit = lab.postHit(session, "0.10", 5);
            List<MTurkLab.Worker> workers = lab.workersComplete(hit, 5, "T");
            for (MTurkLab.Worker w : workers) {
                Eventually.within(
                        Duration.ofSeconds(30),
                        w.workerId() + " approved by the task",
                        () -> lab.emulator.assignmentStatus(w.assignmentId()),
                        "Approved"::equals);
                Eventually.within(
                        Duration.ofSeconds(30),
                        w.workerId() + " APPROVED here too",
                        () -> lab.participant(session, w.workerId())
                                .path("status")
                                .asText(),
                        "APPROVED"::equals);
            }
            JsonNode runs = MTurkLab.read(lab.api().get("/api/tasks/approve-every-2s?runs=1000"))
                    .path("runs");
            int batches = 0;
            for (JsonNode run : runs) {
                assertTrue(
                        run.path("outcome").asText().equals("OK")
                                || run.path("outcome").asText().equals("RUNNING"),
                        run.toString());
                batches += run.path("message").asText().startsWith("batch ") ? 1 : 0;
            }
            assertTrue(batches >= 1, "the task committed the approvals to the ledger: " + runs);
            int approvals = 0;
            for (JsonNode b : MTurkLab.read(lab.api().get("/api/payments/batches"))) {
                if (b.path("createdBy").asText().equals("task:approve-every-2s")) {
                    approvals += b.path("confirmed").asInt();
                }
            }
            assertEquals(5, approvals, "each assignment approved once, however many runs saw it");
        } finally {
            lab.api().post("/api/tasks/approve-every-2s/delete");
        }
    }

    @Test
    void aMarketThatDoesNotAnswerDoesNotHoldUpTheDashboard() {
        lab.emulator.latency(Duration.ofSeconds(8));
        try {
            AdminHttp.Response dashboard = lab.cohort.admin().get("/admin/");
            assertEquals(200, dashboard.status());
            assertTrue(dashboard.body().contains("mturk did not say its balance within 3 s"), dashboard.body());
            assertTrue(dashboard.body().contains("mturk: SANDBOX"), "the mode is still shown");
        } finally {
            lab.emulator.latency(Duration.ZERO);
        }
    }
}
