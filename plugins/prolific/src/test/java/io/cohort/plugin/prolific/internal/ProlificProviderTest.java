package io.cohort.plugin.prolific.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.platform.storage.TestPluginDatabase;
import io.cohort.testhost.TestConfig;
import io.cohort.testkit.TestDatabase;
import io.cohort.testkit.prolific.ProlificEmulator;
import io.cohort.testkit.prolific.ProlificEmulator.Fault;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider, constructed as DS would with a configuration pointing at the testkit's emulator, on a real database.
 * What Prolific holds is read from the emulator, not through the provider under test. The cases are the ones where
 * Prolific itself would do a thing twice: a study made again, a bonus paid again.
 */
class ProlificProviderTest {

    private static final String PUBLIC_URL = "https://study.example.org";

    private ProlificEmulator emulator;
    private PluginDatabase database;
    private ProlificProvider provider;

    @BeforeEach
    void start() throws Exception {
        emulator = ProlificEmulator.start();
        database = TestPluginDatabase.create(TestDatabase.create(), "prolific");
        provider = provider(Map.of());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private ProlificProvider provider(Map<String, Object> overrides) {
        return new ProlificProvider(database, config(overrides), null);
    }

    private ProlificConfig config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(Map.of(
                "token",
                emulator.token(),
                "workspace",
                emulator.workspaceId(),
                "apiUrl",
                emulator.baseUrl().toString(),
                "publicUrl",
                PUBLIC_URL,
                "bonusSettleMinutes",
                0,
                "ratePerSecond",
                1000.0));
        values.putAll(overrides);
        return TestConfig.of(ProlificConfig.class, values);
    }

    private Posting study(String token, int places) {
        return provider.post(new PostingSpec(
                "session-1",
                "A short study",
                "Answer one question",
                150,
                300,
                1200,
                0,
                places,
                List.of(),
                false,
                Map.of(),
                token));
    }

    /** A participant who took the study and finished with its completion code: AWAITING REVIEW. */
    private String finished(Posting study, String pid) {
        emulator.takeStudy(pid, study.id());
        String code = database.transaction(ProlificMapper.class, m -> m.study(study.id()))
                .completionCode();
        return emulator.complete(pid, study.id(), code).id();
    }

    @Test
    void liveOnlyWhenConfirmedAndTestModeNeedsAnEmulator() {
        ProlificSettings unconfirmed = ProlificSettings.of(config(Map.of("mode", "live")), "");
        assertEquals(CrowdMode.TEST, unconfirmed.mode());
        assertTrue(
                unconfirmed.notices().get(0).contains("is not ticked: staying in test"),
                unconfirmed.notices().toString());
        assertEquals(
                CrowdMode.LIVE,
                ProlificSettings.of(config(Map.of("mode", "live", "liveConfirmed", true)), "")
                        .mode());

        ProlificSettings noApi = ProlificSettings.of(config(Map.of("apiUrl", "")), "");
        assertTrue(
                noApi.problems().get(0).startsWith("Test mode needs apiUrl"),
                noApi.problems().toString());
        ProlificSettings noToken = ProlificSettings.of(config(Map.of("token", "  ")), "");
        assertTrue(
                noToken.problems().get(0).startsWith("No API token"),
                noToken.problems().toString());
        CrowdException refused = assertThrows(
                CrowdException.class, () -> provider(Map.of("token", "")).balanceCents());
        assertTrue(refused.getMessage().contains("No API token"), refused.getMessage());
        assertEquals(
                "https://api.prolific.com",
                ProlificSettings.of(config(Map.of("mode", "live", "liveConfirmed", true, "apiUrl", "")), "")
                        .apiUrl()
                        .toString());
    }

    @Test
    void aStudyMadeBeforeACrashIsFoundByItsNameNotMadeAgain() {
        // Prolific makes the study, then the answer is lost: our row has no study id yet.
        emulator.inject(Fault.COMMIT_THEN_FAIL, "create-study");
        assertThrows(CrowdException.class, () -> study("token-1", 3));
        assertEquals(1, emulator.studies().size());

        Posting study = study("token-1", 3);
        assertEquals(1, emulator.studies().size(), "found by its internal name, not made twice");
        assertEquals(emulator.studies().get(0).id(), study.id());
        assertEquals("ACTIVE", emulator.studyStatus(study.id()));
        assertEquals(study.id(), study("token-1", 3).id()); // the same token again: the same study
        assertEquals(3, study.places());
        assertEquals(3, study.available());

        // Places added with a token: a repeat sets the same total.
        emulator.inject(Fault.COMMIT_THEN_FAIL, "update-study");
        assertThrows(CrowdException.class, () -> provider.addPlaces(study.id(), 0, 2, "more-1"));
        assertEquals(5, provider.addPlaces(study.id(), 0, 2, "more-1").places());
        assertEquals(5, emulator.studies().get(0).totalAvailablePlaces());
    }

    @Test
    void rejectionsCarryProlificsCategoryAndAreNotSentTwice() {
        Posting study = study("token-2", 2);
        String first = finished(study, "5f0c4e0b1e8e3a2b9c7d6e01");
        String reason = "The answers were given in under ten seconds, faster than anyone can read the questions,"
                + " so we cannot use them.";
        IllegalArgumentException shortOne =
                assertThrows(IllegalArgumentException.class, () -> provider.reject(first, "NO_CODE: too short"));
        assertTrue(
                shortOne.getMessage().contains("feedback")
                        && shortOne.getMessage().contains("100"),
                shortOne.getMessage());
        assertEquals("AWAITING REVIEW", emulator.submissionStatus(first));

        provider.reject(first, "TOO_QUICKLY: " + reason);
        provider.reject(first, "TOO_QUICKLY: " + reason); // already rejected: nothing sent
        assertEquals("REJECTED", emulator.submissionStatus(first));

        String second = finished(study, "5f0c4e0b1e8e3a2b9c7d6e02");
        emulator.inject(Fault.COMMIT_THEN_FAIL, "transition-submission");
        assertThrows(CrowdException.class, () -> provider.approve(second, null));
        provider.approve(second, null); // read first: approved already
        assertEquals("APPROVED", emulator.submissionStatus(second));
    }

    @Test
    void aBonusWhosePayAnswerWasLostIsReadFromProlificNotPaidAgain() {
        Posting study = study("token-3", 2);
        String pid = "5f0c4e0b1e8e3a2b9c7d6e03";
        String submission = finished(study, pid);
        provider.approve(submission, null);

        // Prolific pays, then answers 500.
        emulator.inject(Fault.COMMIT_THEN_FAIL, "pay-bonus-payments");
        CrowdException lost =
                assertThrows(CrowdException.class, () -> provider.bonus(pid, submission, 125, "Thank you", "bonus-1"));
        assertTrue(lost.retryable());
        assertEquals(1, provider.bonuses(submission).size(), "the ledger's question finds it paid");
        provider.bonus(pid, submission, 125, "Thank you", "bonus-1");
        provider.bonus(pid, submission, 125, "Thank you", "bonus-1");
        assertEquals(List.of(125L), emulator.bonusesPaid(pid));
        assertEquals(1, emulator.payCalls());

        // The same token for another amount is refused, not paid.
        CrowdException reused =
                assertThrows(CrowdException.class, () -> provider.bonus(pid, submission, 300, "Thank you", "bonus-1"));
        assertEquals("TokenReused", reused.code());
        assertEquals(List.of(125L), emulator.bonusesPaid(pid));
    }

    @Test
    void aBonusProlificDoesNotShowYetIsPendingUntilTheSettleTimeIsOver() {
        ProlificProvider patient = provider(Map.of("bonusSettleMinutes", 30));
        Posting study = study("token-4", 2);
        String pid = "5f0c4e0b1e8e3a2b9c7d6e04";
        String submission = finished(study, pid);
        provider.approve(submission, null);

        // The pay call fails before Prolific did anything; Prolific pays in the background, so "not shown yet" is
        // not proof: within the settle time it is pending, never paid again.
        emulator.inject(Fault.SERVICE_FAULT, "pay-bonus-payments");
        assertThrows(CrowdException.class, () -> patient.bonus(pid, submission, 80, "Thanks", "bonus-2"));
        CrowdException pending =
                assertThrows(CrowdException.class, () -> patient.bonus(pid, submission, 80, "Thanks", "bonus-2"));
        assertEquals("PaymentPending", pending.code());
        assertTrue(pending.retryable());
        assertEquals(List.of(), emulator.bonusesPaid(pid));

        // Past the settle time (0 here) and still not shown: it was never paid, so it is paid now, once.
        provider.bonus(pid, submission, 80, "Thanks", "bonus-2");
        provider.bonus(pid, submission, 80, "Thanks", "bonus-2");
        assertEquals(List.of(80L), emulator.bonusesPaid(pid));
    }
}
