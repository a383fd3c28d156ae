package io.cohort.plugin.mturk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.crowd.Bonus;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.EligibilityRule;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.crowd.Qualification;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.platform.storage.TestPluginDatabase;
import io.cohort.testhost.TestConfig;
import io.cohort.testkit.TestDatabase;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;

/**
 * The provider, constructed as DS would with a configuration pointing at the testkit's emulator, on a real
 * database. What MTurk got is read back through a separate SDK client, not through the provider under test.
 */
class MTurkProviderTest {

    private static final String KEY_ID = "AKIDMTURKTEST";
    private static final String SECRET = "mturk-test-secret";
    private static final String PUBLIC_URL = "https://study.example.org";

    private MTurkEmulator emulator;
    private PluginDatabase database;
    private MTurkProvider provider;
    private MTurkClient observer;

    @BeforeEach
    void start() throws Exception {
        emulator = MTurkEmulator.start().credentials(KEY_ID, SECRET);
        database = TestPluginDatabase.create(TestDatabase.create(), "mturk");
        provider = provider(Map.of());
        observer = MTurkClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(emulator.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, SECRET)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterEach
    void stop() {
        provider.deactivate();
        observer.close();
        emulator.close();
    }

    private MTurkProvider provider(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(
                "accessKeyId",
                KEY_ID,
                "secretAccessKey",
                SECRET,
                "endpoint",
                emulator.endpoint().toString(),
                "publicUrl",
                PUBLIC_URL + "/",
                "ratePerSecond",
                50.0,
                "retries",
                3));
        config.putAll(overrides);
        return new MTurkProvider(database, TestConfig.of(MTurkConfig.class, config), null);
    }

    private static PostingSpec spec(String token, int places, List<EligibilityRule> eligibility) {
        return spec(
                token, places, eligibility, Map.of("keywords", "survey, short", "autoApprovalDelaySeconds", "3600"));
    }

    private static PostingSpec spec(
            String token, int places, List<EligibilityRule> eligibility, Map<String, String> options) {
        return new PostingSpec(
                "S1",
                "A short study",
                "Answer a few questions.",
                75,
                600,
                1800,
                86400,
                places,
                eligibility,
                false,
                options,
                token);
    }

    @Test
    void postsAnExternalQuestionWithRewardAndRequirements() {
        Posting hit = provider.post(spec(
                "post-1",
                3,
                List.of(
                        new EligibilityRule(HitsTab.APPROVAL_RATE, "GreaterThanOrEqualTo", List.of(95), List.of()),
                        new EligibilityRule(MTurkProvider.LOCALE_TYPE, "In", List.of(), List.of("US", "CA")))));

        assertEquals(PostingStatus.OPEN, hit.status());
        assertEquals(CrowdMode.SANDBOX, hit.mode());
        assertEquals("S1", hit.sessionId());
        assertEquals(3, hit.available());
        var seen = observer.getHIT(r -> r.hitId(hit.id())).hit();
        assertEquals("0.75", seen.reward());
        assertEquals(3, seen.maxAssignments());
        assertEquals(1800, seen.assignmentDurationInSeconds());
        assertEquals("survey, short", seen.keywords());
        assertEquals(3600, seen.autoApprovalDelayInSeconds());
        assertTrue(
                seen.question().contains("<ExternalURL>" + PUBLIC_URL + "/mturk/start</ExternalURL>"), seen.question());
        assertEquals(2, seen.qualificationRequirements().size());
        var rate = seen.qualificationRequirements().get(0);
        assertEquals(HitsTab.APPROVAL_RATE, rate.qualificationTypeId());
        assertEquals(List.of(95), rate.integerValues());
        assertEquals(
                List.of("US", "CA"),
                seen.qualificationRequirements().get(1).localeValues().stream()
                        .map(l -> l.country())
                        .toList());
        assertEquals(
                List.of(hit.id()), provider.postings().stream().map(Posting::id).toList());
    }

    @Test
    void aRepeatedTokenPostsOnceEvenWhenOurRowWasLost() {
        Posting first = provider.post(spec("same-token", 2, List.of()));
        assertEquals(first.id(), provider.post(spec("same-token", 2, List.of())).id());
        assertEquals(1, observer.listHITs(r -> r.maxResults(100)).hiTs().size());

        // A crash between MTurk's answer and our insert: MTurk refuses the token and names the HIT.
        try (var c = database.dataSource().getConnection();
                var s = c.createStatement()) {
            s.execute("DELETE FROM hit");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        assertEquals(first.id(), provider.post(spec("same-token", 2, List.of())).id());
        assertEquals(1, observer.listHITs(r -> r.maxResults(100)).hiTs().size());
        assertEquals(
                List.of(first.id()),
                provider.postings().stream().map(Posting::id).toList());
    }

    @Test
    void badSpecsNameTheFieldAndPostNothing() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> provider.post(
                        new PostingSpec("S1", " ", "d", 10, 0, 600, 3600, 1, List.of(), false, Map.of(), "t")));
        assertTrue(e.getMessage().startsWith("title:"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> provider.post(
                        new PostingSpec("S1", "t", "d", -1, 0, 600, 3600, 1, List.of(), false, Map.of(), "t")));
        assertTrue(e.getMessage().startsWith("rewardCents:"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> provider.post(spec("t", 1, List.of(), Map.of("autoApprovalDelaySeconds", "three days"))));
        assertEquals("options.autoApprovalDelaySeconds: 'three days' is not a whole number of seconds", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> provider.post(spec("t", 1, List.of(), Map.of("keywords", "k".repeat(1001)))));
        assertTrue(e.getMessage().startsWith("options.keywords:"), e.getMessage());
        assertEquals(0, emulator.requestCount());
    }

    @Test
    void hitsCarryLiveCountsAfterWorkersAcceptAndSubmit() {
        Posting hit = provider.post(spec("counts", 3, List.of()));
        String submitted = emulator.acceptAndSubmit(hit.id(), "AWORKERONE", "<answer/>");
        emulator.accept(hit.id(), "AWORKERTWO");

        Posting now = provider.postings().get(0);
        assertEquals(1, now.available());
        assertEquals(1, now.pending());
        assertEquals(0, now.completed());

        provider.approve(submitted, "thanks");
        provider.approve(submitted, "thanks again"); // approving twice is harmless
        assertEquals(1, provider.posting(hit.id()).orElseThrow().completed());
        List<Submission> submissions = provider.submissions(hit.id());
        assertEquals(1, submissions.size());
        assertEquals(SubmissionStatus.APPROVED, submissions.get(0).status());
        assertEquals("AWORKERONE", submissions.get(0).workerId());
        assertEquals(hit.id(), submissions.get(0).postingId());
        assertEquals(
                SubmissionStatus.APPROVED,
                provider.submission(submitted).orElseThrow().status());
        assertTrue(provider.submission("NOSUCHASSIGNMENT").isEmpty());
        assertTrue(provider.posting("NOSUCHHIT").isEmpty());
    }

    @Test
    void rejectingAnApprovedAssignmentIsRefused() {
        Posting hit = provider.post(spec("reject", 1, List.of()));
        String assignment = emulator.acceptAndSubmit(hit.id(), "AWORKERONE", "<answer/>");
        assertThrows(IllegalArgumentException.class, () -> provider.reject(assignment, " "));
        provider.approve(assignment, null);
        CrowdException e = assertThrows(CrowdException.class, () -> provider.reject(assignment, "late"));
        assertEquals("AWS.MechanicalTurk.InvalidAssignmentState", e.code());
        assertFalse(e.retryable());
    }

    @Test
    void aRejectionIsOverriddenWithOverrideRejectionAndOnlyARejectionCanBe() {
        Posting hit = provider.post(spec("override", 1, List.of()));
        String assignment = emulator.acceptAndSubmit(hit.id(), "AWORKERTWO", "<answer/>");
        provider.reject(assignment, "too fast");
        assertEquals(
                SubmissionStatus.REJECTED,
                provider.submission(assignment).orElseThrow().status());
        provider.approveRejected(assignment, "our mistake");
        assertEquals(
                SubmissionStatus.APPROVED,
                provider.submission(assignment).orElseThrow().status());
        // Plain approval of a rejected assignment is refused by MTurk: only OverrideRejection turns it round.
        Posting other = provider.post(spec("no-override", 1, List.of()));
        String rejected = emulator.acceptAndSubmit(other.id(), "AWORKERTHREE", "<answer/>");
        provider.reject(rejected, "too fast");
        CrowdException e = assertThrows(CrowdException.class, () -> provider.approve(rejected, null));
        assertEquals("AWS.MechanicalTurk.InvalidAssignmentState", e.code());
    }

    @Test
    void extendsOncePerTokenThenExpiresAndDeletes() {
        Posting hit = provider.post(spec("extend", 2, List.of()));
        Instant before = observer.getHIT(r -> r.hitId(hit.id())).hit().expiration();

        Posting extended = provider.addPlaces(hit.id(), 3600, 3, "extend-1");
        assertEquals(5, extended.places());
        assertEquals(before.plusSeconds(3600), extended.expires());
        Posting again = provider.addPlaces(hit.id(), 3600, 3, "extend-1"); // the same form sent twice
        assertEquals(5, again.places());
        assertEquals(before.plusSeconds(3600), again.expires());
        assertEquals(8, provider.addPlaces(hit.id(), 0, 3, "extend-2").places());

        String submitted = emulator.acceptAndSubmit(hit.id(), "AWORKERONE", "<answer/>");
        CrowdException notYet = assertThrows(CrowdException.class, () -> provider.delete(hit.id()));
        assertTrue(notYet.getMessage().contains("Reviewable"), notYet.getMessage());

        Posting expired = provider.close(hit.id());
        assertEquals(0, expired.available());
        assertEquals(PostingStatus.AWAITING_REVIEW, expired.status());
        assertEquals(
                List.of("Reviewable"),
                provider.listed().stream().map(MTurkProvider.Listed::hitStatus).toList());
        assertThrows(CrowdException.class, () -> provider.delete(hit.id())); // one assignment awaits review
        provider.approve(submitted, null);
        provider.delete(hit.id());
        provider.delete(hit.id()); // deleted twice: fine
        assertEquals(
                PostingStatus.CLOSED, provider.posting(hit.id()).orElseThrow().status());
        assertEquals(
                List.of("Disposed"),
                provider.listed().stream().map(MTurkProvider.Listed::hitStatus).toList());
        assertThrows(IllegalArgumentException.class, () -> provider.addPlaces(hit.id(), 0, 0, "t"));
    }

    @Test
    void aBonusWithARepeatedTokenIsPaidOnce() {
        Posting hit = provider.post(spec("bonus", 1, List.of()));
        String assignment = emulator.acceptAndSubmit(hit.id(), "AWORKERONE", "<answer/>");
        provider.approve(assignment, null);

        provider.bonus("AWORKERONE", assignment, 125, "well played", "bonus-row-1");
        provider.bonus("AWORKERONE", assignment, 125, "well played", "bonus-row-1");
        assertEquals(1, emulator.bonusCount("AWORKERONE"));
        List<Bonus> bonuses = provider.bonuses(assignment);
        assertEquals(1, bonuses.size());
        assertEquals(125, bonuses.get(0).amountCents());
        assertEquals("AWORKERONE", bonuses.get(0).workerId());
        assertEquals("well played", bonuses.get(0).reason());
        assertThrows(
                IllegalArgumentException.class,
                () -> provider.bonus("not-a-worker", assignment, 125, "x", "bonus-row-2"));
    }

    @Test
    void balanceAndFees() {
        emulator.balance("12.34");
        assertEquals(1234, provider.balanceCents());
        assertEquals(20, provider.feeCents(100, 1));
        assertEquals(40, provider.feeCents(100, 10));
        assertEquals(1, provider.feeCents(1, 1));
        assertEquals(1, provider.feeCents(3, 9));
        assertEquals(15, provider.feeCents(75, 9));
        // The most places a HIT has at the lower fee: campaigns post more as several HITs.
        assertEquals(9, provider.placesPerPosting());
        assertEquals(15, provider.feeCents(75, provider.placesPerPosting()));
        assertEquals(30, provider.feeCents(75, provider.placesPerPosting() + 1));

        CrowdException poor = assertThrows(CrowdException.class, () -> provider.post(spec("poor", 20, List.of())));
        assertEquals("AWS.MechanicalTurk.InsufficientFunds", poor.code());
        assertFalse(poor.retryable());
        assertTrue(provider.postings().isEmpty());
    }

    @Test
    void throttlingAndServiceFaultsAreRetried() {
        emulator.inject(MTurkEmulator.Fault.THROTTLE, 2);
        long before = emulator.requestCount();
        assertEquals(1_000_000, provider.balanceCents());
        assertEquals(3, emulator.requestCount() - before);

        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "GetAccountBalance");
        assertEquals(1_000_000, provider.balanceCents());
    }

    @Test
    void withoutRetriesThrottlingIsARetryableCrowdException() {
        provider.deactivate();
        provider = provider(Map.of("retries", 0));
        emulator.inject(MTurkEmulator.Fault.THROTTLE, 1);
        CrowdException e = assertThrows(CrowdException.class, () -> provider.balanceCents());
        assertEquals("ThrottlingException", e.code());
        assertTrue(e.retryable());

        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, 1);
        CrowdException fault = assertThrows(CrowdException.class, () -> provider.balanceCents());
        assertTrue(fault.retryable());
    }

    @Test
    void anUnreachableEndpointIsARetryableClientError() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        provider.deactivate();
        provider = provider(Map.of("endpoint", "http://127.0.0.1:" + closed, "retries", 0));
        CrowdException e = assertThrows(CrowdException.class, () -> provider.balanceCents());
        assertEquals("ClientError", e.code());
        assertTrue(e.retryable());
    }

    @Test
    void withoutKeysEveryCallSaysToConfigureThem() {
        provider.deactivate();
        provider = provider(Map.of("accessKeyId", "", "secretAccessKey", ""));
        assertEquals(CrowdMode.SANDBOX, provider.mode());
        CrowdException e = assertThrows(CrowdException.class, () -> provider.balanceCents());
        assertEquals("NotConfigured", e.code());
        assertTrue(e.getMessage().contains("accessKeyId"), e.getMessage());
        assertEquals(0, emulator.requestCount());
    }

    @Test
    void aBadEndpointIsNamedAndNothingIsCalled() {
        provider.deactivate();
        provider = provider(Map.of("endpoint", "ftp://mturk.example.org"));
        CrowdException e = assertThrows(CrowdException.class, () -> provider.balanceCents());
        assertEquals("NotConfigured", e.code());
        assertTrue(
                e.getMessage().contains("endpoint: 'ftp://mturk.example.org' is not an http(s) URL"), e.getMessage());
        assertEquals(0, emulator.requestCount());
    }

    @Test
    void anHttpStudyOnRealMTurkIsWarnedAbout() {
        // No publicUrl configured: the node's own address (the framework's cohort.url) is the one HITs point at.
        MTurkSettings settings = MTurkSettings.of(
                TestConfig.of(MTurkConfig.class, Map.of("accessKeyId", KEY_ID, "secretAccessKey", SECRET)),
                "http://127.0.0.1:8080/");
        assertEquals("http://127.0.0.1:8080", settings.publicUrl());
        assertEquals(MTurkSettings.SANDBOX_ENDPOINT, settings.endpoint());
        assertTrue(settings.usable());
        assertEquals(
                List.of("publicUrl: 'http://127.0.0.1:8080' is not https; MTurk shows workers only https"
                        + " studies."),
                settings.notices());
    }

    @Test
    void withNoPublicUrlAndNoNodeAddressTheSettingIsNamed() {
        MTurkSettings settings = MTurkSettings.of(
                TestConfig.of(MTurkConfig.class, Map.of("accessKeyId", KEY_ID, "secretAccessKey", SECRET)), "");
        assertFalse(settings.usable());
        assertTrue(
                settings.problems().get(0).startsWith("publicUrl"),
                settings.problems().toString());
    }

    @Test
    void liveNeedsConfirmation() {
        provider.deactivate();
        provider = provider(Map.of("mode", "live"));
        assertEquals(CrowdMode.SANDBOX, provider.mode());
        provider.post(spec("sandbox-1", 1, List.of()));
        assertTrue(provider.settings().notices().get(0).contains("I confirm live mode pays real money"));
        provider.modified(TestConfig.of(
                MTurkConfig.class,
                Map.of(
                        "mode",
                        "live",
                        "liveConfirmed",
                        true,
                        "publicUrl",
                        PUBLIC_URL,
                        "accessKeyId",
                        KEY_ID,
                        "secretAccessKey",
                        SECRET,
                        "endpoint",
                        emulator.endpoint().toString())));
        assertEquals(CrowdMode.LIVE, provider.mode());
        assertTrue(provider.settings().notices().isEmpty());
        // HITs are listed per mode: the sandbox one posted earlier is not a live HIT.
        assertEquals(CrowdMode.LIVE, provider.post(spec("live-1", 1, List.of())).mode());
        assertEquals(1, provider.postings().size());
    }

    @Test
    void withoutOptionsAHitHasNoKeywordsAndIsApprovedAfterThreeDays() {
        Posting hit = provider.post(spec("no-options", 1, List.of(), Map.of("unknownToMTurk", "ignored")));
        var seen = observer.getHIT(r -> r.hitId(hit.id())).hit();
        assertEquals(null, seen.keywords());
        assertEquals(3 * 24 * 3600L, seen.autoApprovalDelayInSeconds());
        Posting alsoNone = provider.post(spec("null-options", 1, List.of(), null));
        assertEquals(
                3 * 24 * 3600L,
                observer.getHIT(r -> r.hitId(alsoNone.id())).hit().autoApprovalDelayInSeconds());
    }

    @Test
    void aCreatedQualificationTypeIsStoredAndADuplicateNameStoresNothing() {
        StoredQualification made = provider.createQualification(" Pilot done ", " Took the pilot study ", "pilot");
        assertEquals("Pilot done", made.name());
        assertEquals("Took the pilot study", made.description());
        assertTrue(made.active());
        var seen = observer.getQualificationType(r -> r.qualificationTypeId(made.id()))
                .qualificationType();
        assertEquals("Pilot done", seen.name());
        assertEquals("Took the pilot study", seen.description());
        assertEquals("pilot", seen.keywords());
        assertEquals(seen.creationTime(), made.created());
        assertEquals(List.of(made), provider.storedQualifications(""));
        assertEquals("pilot", made.keywords());
        assertEquals(
                List.of(new Qualification(made.id(), "Pilot done", "Took the pilot study", true, made.created())),
                provider.qualifications(""));

        CrowdException duplicate = assertThrows(
                CrowdException.class, () -> provider.createQualification("Pilot done", "Another pilot", null));
        assertEquals("AWS.MechanicalTurk.QualificationTypeAlreadyExists", duplicate.code());
        assertFalse(duplicate.retryable());
        assertEquals(
                List.of(made.id()),
                provider.qualifications("").stream().map(Qualification::id).toList());
        assertEquals(
                1,
                observer.listQualificationTypes(r -> r.mustBeRequestable(false))
                        .qualificationTypes()
                        .size());

        long requests = emulator.requestCount();
        IllegalArgumentException blank =
                assertThrows(IllegalArgumentException.class, () -> provider.createQualification(" ", "d", null));
        assertTrue(blank.getMessage().startsWith("name:"), blank.getMessage());
        assertEquals(requests, emulator.requestCount());
    }

    @Test
    void qualificationsFindOurTypesByNameOrDescription() {
        String pilot =
                provider.createQualification("Pilot done", "Took the pilot").id();
        String alumni = provider.createQualification("PD alumni", "Played the prisoners dilemma", "veterans")
                .id();
        // Made on the same account by another tool: not ours, so never listed.
        observer.createQualificationType(r ->
                r.name("Pilot elsewhere").description("Another lab's pilot").qualificationTypeStatus("Active"));

        assertEquals(List.of(pilot), ids(provider.qualifications("pilot")));
        assertEquals(List.of(alumni), ids(provider.qualifications(" DILEMMA ")));
        assertEquals(List.of(alumni, pilot), ids(provider.qualifications("")));
        assertEquals(List.of(alumni, pilot), ids(provider.qualifications(null)));
        assertTrue(provider.qualifications("100%").isEmpty());
        assertTrue(provider.qualifications("veterans").isEmpty()); // keywords are not searched
    }

    private static List<String> ids(List<Qualification> types) {
        return types.stream().map(Qualification::id).toList();
    }

    @Test
    void aRequirementOnOurQualificationAdmitsOnlyWorkersWithTheScore() {
        String type = provider.createQualification("Trained", "Passed the training", null)
                .id();
        provider.qualify(type, "AWORKERHIGH", 80, false);
        provider.qualify(type, "AWORKERLOW", 40, true);
        assertEquals(80, score(type, "AWORKERHIGH"));
        assertEquals(40, score(type, "AWORKERLOW"));
        // Only the grant asked to notify reached its worker.
        assertEquals(
                List.of("AWORKERLOW"),
                emulator.notifications().stream()
                        .map(MTurkEmulator.Notification::workerId)
                        .toList());
        assertTrue(
                emulator.notifications().get(0).subject().contains("Trained"),
                emulator.notifications().get(0).subject());

        Posting hit = provider.post(spec(
                "qualified", 3, List.of(new EligibilityRule(type, "GreaterThanOrEqualTo", List.of(50), List.of()))));
        var requirement = observer.getHIT(r -> r.hitId(hit.id()))
                .hit()
                .qualificationRequirements()
                .get(0);
        assertEquals(type, requirement.qualificationTypeId());
        assertEquals("GreaterThanOrEqualTo", requirement.comparatorAsString());
        assertEquals(List.of(50), requirement.integerValues());

        emulator.accept(hit.id(), "AWORKERHIGH");
        assertRefused(
                "does not meet the qualification requirement Trained", () -> emulator.accept(hit.id(), "AWORKERLOW"));
        assertRefused(
                "does not meet the qualification requirement Trained", () -> emulator.accept(hit.id(), "AWORKERNONE"));
        provider.qualify(type, "AWORKERLOW", 50, false); // a new value replaces the old one
        assertEquals(50, score(type, "AWORKERLOW"));
        emulator.accept(hit.id(), "AWORKERLOW");
        assertEquals(1, provider.posting(hit.id()).orElseThrow().available());

        assertThrows(IllegalArgumentException.class, () -> provider.qualify(type, "not-a-worker", 1, false));
        CrowdException unknown =
                assertThrows(CrowdException.class, () -> provider.qualify("NOSUCHTYPE", "AWORKERHIGH", 1, false));
        assertEquals("AWS.MechanicalTurk.QualificationTypeDoesNotExist", unknown.code());
    }

    private int score(String type, String worker) {
        return observer.getQualificationScore(r -> r.qualificationTypeId(type).workerId(worker))
                .qualification()
                .integerValue();
    }

    /** The emulator's worker side refuses with MTurk's message (its error class is the testkit's own). */
    private static void assertRefused(String why, Runnable accept) {
        RuntimeException e = assertThrows(RuntimeException.class, accept::run);
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void notifyReachesWorkersWhoWorkedForUsAndNamesTheOthers() {
        List<String> worked = workersWhoSubmitted(101);
        List<String> everyone = new ArrayList<>(worked);
        everyone.add("ASTRANGER");
        everyone.add("AWORKER0"); // named twice, told once

        // 102 distinct workers: two NotifyWorkers calls of at most 100.
        Map<String, String> failed = provider.notify(everyone, "A new study", "We have a follow-up for you.");
        assertEquals(List.of("ASTRANGER"), List.copyOf(failed.keySet()));
        assertTrue(failed.get("ASTRANGER").contains("never worked with worker ASTRANGER"), failed.get("ASTRANGER"));
        assertEquals(
                worked,
                emulator.notifications().stream()
                        .map(MTurkEmulator.Notification::workerId)
                        .toList());
        assertEquals(
                new MTurkEmulator.Notification("AWORKER0", "A new study", "We have a follow-up for you."),
                emulator.notifications().get(0));

        long requests = emulator.requestCount();
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class, () -> provider.notify(List.of("AWORKER0", "worker-1"), "s", "m"));
        assertEquals("workerId: 'worker-1' is not an MTurk worker ID", bad.getMessage());
        bad = assertThrows(
                IllegalArgumentException.class, () -> provider.notify(List.of("AWORKER0"), "x".repeat(201), "m"));
        assertTrue(bad.getMessage().startsWith("subject:"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> provider.notify(List.of(), "s", "m"));
        assertEquals(requests, emulator.requestCount());
    }

    @Test
    void whenALaterNotifyCallFailsItsWorkersAreNamedAndTheEarlierOnesStayNotified() {
        provider.deactivate();
        provider = provider(Map.of("retries", 0));
        List<String> worked = workersWhoSubmitted(101);
        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "NotifyWorkers", 2); // the second call of 100

        Map<String, String> failed = provider.notify(worked, "A new study", "We have a follow-up for you.");
        assertEquals(List.of("AWORKER100"), List.copyOf(failed.keySet()));
        assertTrue(
                failed.get("AWORKER100").startsWith("not sent: Service is temporarily unavailable."),
                failed.get("AWORKER100"));
        assertTrue(failed.get("AWORKER100").endsWith("(ServiceFault)"), failed.get("AWORKER100"));
        assertEquals(
                worked.subList(0, 100),
                emulator.notifications().stream()
                        .map(MTurkEmulator.Notification::workerId)
                        .toList());

        // When the first call fails nobody was written to: the error itself is thrown.
        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "NotifyWorkers", 0);
        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "NotifyWorkers");
        CrowdException e =
                assertThrows(CrowdException.class, () -> provider.notify(List.of("AWORKER0"), "Again", "Hello"));
        assertTrue(e.retryable());
        assertEquals(100, emulator.notifications().size());
    }

    /** Workers AWORKER0, AWORKER1, … who each took and submitted an assignment of one HIT. */
    private List<String> workersWhoSubmitted(int count) {
        Posting hit = provider.post(spec("worked-" + count, count, List.of()));
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            workers.add("AWORKER" + i);
            emulator.acceptAndSubmit(hit.id(), "AWORKER" + i, "<answer/>");
        }
        return workers;
    }

    @Test
    void aBlockedWorkerCanNoLongerAccept() {
        Posting first = provider.post(spec("before-block", 2, List.of()));
        emulator.accept(first.id(), "AWORKERBAD");

        provider.block("AWORKERBAD", "Random answers");
        var blocks = observer.listWorkerBlocks(r -> r.maxResults(100)).workerBlocks();
        assertEquals(1, blocks.size());
        assertEquals("AWORKERBAD", blocks.get(0).workerId());
        assertEquals("Random answers", blocks.get(0).reason());
        Posting second = provider.post(spec("after-block", 2, List.of()));
        assertRefused("Worker AWORKERBAD is blocked", () -> emulator.accept(second.id(), "AWORKERBAD"));
        emulator.accept(second.id(), "AWORKERGOOD");
        assertEquals(1, provider.posting(second.id()).orElseThrow().available());

        long requests = emulator.requestCount();
        assertThrows(IllegalArgumentException.class, () -> provider.block("AWORKERGOOD", " "));
        assertThrows(IllegalArgumentException.class, () -> provider.block("worker", "reason"));
        assertEquals(requests, emulator.requestCount());
    }
}
