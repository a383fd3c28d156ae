package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One session recruiting from MTurk and Prolific at once, each market's plugin against its emulator: the
 * participants table groups the session by market, and approve all and a bonus file run per market, each paying
 * its own participants once on its own market; a plan for one market naming the other's participant is refused.
 */
class MixedMarketsIT {

    @Test
    void aSessionRecruitingFromMTurkAndProlificIsGroupedAndPaidPerMarket() throws Exception {
        try (ProlificLab lab = new ProlificLab("ratePerSecond=200", "one-question");
                MTurkEmulator mturk = MTurkEmulator.start().credentials(MTurkLab.KEY, MTurkLab.SECRET)) {
            MTurkLab.configure(lab.builder.home().resolve("deploy"), mturk, lab.port, "ratePerSecond=200");
            lab.start();
            Eventually.within(
                    Duration.ofSeconds(90),
                    "the MTurk plugin runs beside the Prolific one",
                    () -> lab.cohort.admin().get("/admin/").body(),
                    page -> page.contains("mturk: SANDBOX") && page.contains("prolific: TEST"));
            String session = lab.session("one-question", "{}");

            // Three from a Prolific study, two from an MTurk HIT, into the same session.
            String study = lab.makeStudy(session, "0.50", 3);
            List<ProlificLab.Participant> fromProlific = lab.participantsComplete(study, 3, "ab");
            String hit = postHit(lab.cohort.admin(), session);
            List<MTurkLab.Worker> fromMTurk = MTurkLab.workersComplete(lab.cohort.http(), mturk, hit, 2, "MX");

            // The participants table groups the session by market.
            JsonNode table = CrowdLab.read(lab.api().get("/api/participants?session=" + session));
            Map<String, Long> markets = new LinkedHashMap<>();
            table.path("markets")
                    .forEach(m -> markets.put(
                            m.path("market").asText(), m.path("count").asLong()));
            assertEquals(
                    Map.of("mturk", 2L, "prolific", 3L),
                    markets,
                    table.path("markets").toString());
            String page = lab.cohort
                    .admin()
                    .get("/admin/participants?session=" + session)
                    .body();
            assertTrue(page.contains("data-market=\"mturk\">mturk: <strong>2</strong>"), page);

            // Approve all, per market: each market approves its own, once.
            for (String provider : List.of("mturk", "prolific")) {
                JsonNode batch = lab.commit(Map.of("provider", provider, "action", "approve-submitted"));
                int expected = provider.equals("mturk") ? 2 : 3;
                assertEquals(expected, batch.path("count").asInt(), batch.toString());
                JsonNode done = lab.awaitFinished(batch.path("id").asLong(), Duration.ofSeconds(60))
                        .path("batch");
                assertEquals(expected, done.path("confirmed").asInt(), done.toString());
                AdminHttp.Response again = lab.api()
                        .postForm("/api/payments/commit", Map.of("provider", provider, "action", "approve-submitted"));
                assertEquals(422, again.status(), again.body());
            }
            for (MTurkLab.Worker w : fromMTurk) {
                assertEquals("Approved", mturk.assignmentStatus(w.assignmentId()), w.workerId());
            }
            for (ProlificLab.Participant p : fromProlific) {
                assertEquals("APPROVED", lab.emulator.submissionStatus(p.submissionId()), p.pid());
            }

            // A bonus file per market; one naming the other market's participant is refused whole.
            Map<String, String> crossed = new LinkedHashMap<>(CrowdLab.bonusFile(fromProlific, i -> "1.00"));
            crossed.put("provider", "mturk");
            AdminHttp.Response refused = lab.api().postForm("/api/payments/commit", crossed);
            assertEquals(422, refused.status(), refused.body());
            Map<String, String> toMTurk = new LinkedHashMap<>(CrowdLab.bonusFile(fromMTurk, i -> "0.75"));
            toMTurk.put("provider", "mturk");
            Map<String, String> toProlific = new LinkedHashMap<>(CrowdLab.bonusFile(fromProlific, i -> "1.25"));
            toProlific.put("provider", "prolific");
            for (Map<String, String> file : List.of(toMTurk, toProlific)) {
                JsonNode batch = lab.commit(file);
                JsonNode done = lab.awaitFinished(batch.path("id").asLong(), Duration.ofSeconds(60))
                        .path("batch");
                assertEquals(0, done.path("failed").asInt(), done.toString());
            }
            Map<String, Integer> mturkBonuses = mturk.bonusesPerAssignment();
            for (MTurkLab.Worker w : fromMTurk) {
                assertEquals(1, mturkBonuses.getOrDefault(w.assignmentId(), 0), w.workerId());
            }
            assertEquals(2, mturk.bonusCount(), "MTurk paid its two, nobody else");
            assertEquals(75L * 2, mturk.bonusTotalCents());
            for (ProlificLab.Participant p : fromProlific) {
                assertEquals(List.of(125L), lab.emulator.bonusesPaid(p.pid()), p.pid());
            }
            assertEquals(125L * 3, lab.emulator.bonusTotalCents(), "Prolific paid its three, nobody else");
        }
    }

    /** Posts a HIT of two assignments for the session from the MTurk tab; returns the id the page names. */
    private static String postHit(AdminHttp admin, String session) {
        admin.get("/admin/mturk");
        AdminHttp.Response posted = admin.postForm("/admin/mturk/post", MTurkLab.hitForm(session, "0.50", 2));
        assertEquals(3, posted.status() / 100, posted.toString());
        String page = admin.get("/admin/mturk").body();
        Matcher id = Pattern.compile("Posted HIT ([A-Z0-9]+) ").matcher(page);
        assertTrue(id.find(), page);
        return id.group(1);
    }
}
