package io.cohort.testkit.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.Assignment;
import software.amazon.awssdk.services.mturk.model.AssignmentStatus;
import software.amazon.awssdk.services.mturk.model.BonusPayment;
import software.amazon.awssdk.services.mturk.model.Comparator;
import software.amazon.awssdk.services.mturk.model.HIT;
import software.amazon.awssdk.services.mturk.model.HITStatus;
import software.amazon.awssdk.services.mturk.model.ListHiTsResponse;
import software.amazon.awssdk.services.mturk.model.MTurkException;
import software.amazon.awssdk.services.mturk.model.RequestErrorException;
import software.amazon.awssdk.services.mturk.model.ServiceException;

/** The emulator's fidelity, seen through the real AWS SDK v2 MTurk client, operation by operation. */
class MTurkEmulatorTest extends EmulatorThroughSdk {
    @Test
    void createHitReservesRewardTimesAssignmentsPlusFees() {
        assertEquals("10000.00", available());
        assertEquals("0.00", mturk.getAccountBalance(r -> {}).onHoldBalance());

        createHit("1.00", 3); // 3 × (1.00 + 20 %) = 3.60
        assertEquals("9996.40", available());
        assertEquals("3.60", mturk.getAccountBalance(r -> {}).onHoldBalance());

        createHit("0.50", 10); // ten or more assignments: fee 40 % → 10 × 0.70 = 7.00
        assertEquals("9989.40", available());

        createHit("0.01", 1); // fee at least 0.01 → 0.02
        assertEquals("9989.38", available());
    }

    @Test
    void createHitRefusesBadInputAndChangesNothing() {
        // Outside the model's pattern: the service's ValidationException, before anything is done.
        MTurkException money = assertThrows(MTurkException.class, () -> createHit("1.005", 1));
        assertEquals("ValidationException", money.awsErrorDetails().errorCode());
        assertTrue(money.getMessage().contains("Value '1.005' at 'reward'"), money.getMessage());

        RequestErrorException qualification = assertThrows(
                RequestErrorException.class,
                () -> createHit(
                        "1.00",
                        1,
                        b -> b.qualificationRequirements(
                                q -> q.qualificationTypeId("3NOSUCHTYPE").comparator(Comparator.EXISTS))));
        assertEquals("AWS.MechanicalTurk.QualificationDoesNotExist", qualification.turkErrorCode());

        RequestErrorException notExternal = assertThrows(
                RequestErrorException.class,
                () -> createHit(
                        "1.00",
                        1,
                        b -> b.question("<ExternalQuestion><ExternalURL>ftp://x</ExternalURL></ExternalQuestion>")));
        assertTrue(notExternal.getMessage().contains("ExternalQuestion"), notExternal.getMessage());

        emulator.balance("5.00");
        RequestErrorException funds =
                assertThrows(RequestErrorException.class, () -> createHit("1.00", 5)); // needs 6.00
        assertEquals("AWS.MechanicalTurk.InsufficientFunds", funds.turkErrorCode());
        assertEquals("5.00", available());
        assertEquals(0, mturk.listHITs(r -> {}).numResults());

        // A system qualification (Masters, sandbox) is accepted.
        HIT masters = createHit(
                "1.00",
                1,
                b -> b.qualificationRequirements(q ->
                        q.qualificationTypeId("2ARFPLSP75KLA8M8DH1HTEQVJT3SY6").comparator(Comparator.EXISTS)));
        assertEquals(
                "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6",
                masters.qualificationRequirements().get(0).qualificationTypeId());
    }

    @Test
    void repeatedUniqueRequestTokenCreatesOneHit() {
        HIT first = createHit("1.00", 2, b -> b.uniqueRequestToken("study-7-batch-1"));
        RequestErrorException again = assertThrows(
                RequestErrorException.class, () -> createHit("1.00", 2, b -> b.uniqueRequestToken("study-7-batch-1")));
        assertEquals("AWS.MechanicalTurk.HitAlreadyExists", again.turkErrorCode());
        assertTrue(again.getMessage().contains(first.hitId()), again.getMessage());
        assertEquals(1, mturk.listHITs(r -> {}).numResults());
        assertEquals("9997.60", available());
    }

    @Test
    void createHitWithHitTypeAndGetHit() {
        Instant before = Instant.now().minusSeconds(1);
        String type = mturk.createHITType(r -> r.title("Survey")
                        .description("Ten questions")
                        .reward("0.75")
                        .assignmentDurationInSeconds(600L)
                        .keywords("survey, psychology"))
                .hitTypeId();
        assertEquals(
                type,
                mturk.createHITType(r -> r.title("Survey")
                                .description("Ten questions")
                                .reward("0.75")
                                .assignmentDurationInSeconds(600L)
                                .keywords("survey, psychology"))
                        .hitTypeId(),
                "same properties, same type");

        String hitId = mturk.createHITWithHITType(r -> r.hitTypeId(type)
                        .lifetimeInSeconds(3600L)
                        .maxAssignments(4)
                        .question(QUESTION)
                        .requesterAnnotation("session 12"))
                .hit()
                .hitId();
        HIT hit = mturk.getHIT(r -> r.hitId(hitId)).hit();
        assertEquals(type, hit.hitTypeId());
        assertEquals("Survey", hit.title());
        assertEquals("0.75", hit.reward());
        assertEquals(600L, hit.assignmentDurationInSeconds());
        assertEquals("survey, psychology", hit.keywords());
        assertEquals("session 12", hit.requesterAnnotation());
        assertEquals(QUESTION, hit.question());
        assertEquals(HITStatus.ASSIGNABLE, hit.hitStatus());
        assertEquals(4, hit.numberOfAssignmentsAvailable());
        assertEquals(0, hit.numberOfAssignmentsPending());
        assertTrue(
                hit.creationTime().isAfter(before)
                        && hit.creationTime().isBefore(Instant.now().plusSeconds(1)),
                "epoch-second timestamps: " + hit.creationTime());
        assertEquals(
                3600, Duration.between(hit.creationTime(), hit.expiration()).toSeconds());
        assertEquals("9996.40", available()); // 4 × (0.75 + 0.15)

        RequestErrorException unknownType = assertThrows(
                RequestErrorException.class,
                () -> mturk.createHITWithHITType(
                        r -> r.hitTypeId("NOSUCHTYPE").lifetimeInSeconds(60L).question(QUESTION)));
        assertEquals("AWS.MechanicalTurk.HITTypeDoesNotExist", unknownType.turkErrorCode());
        RequestErrorException unknownHit =
                assertThrows(RequestErrorException.class, () -> mturk.getHIT(r -> r.hitId("NOSUCHHIT")));
        assertEquals("AWS.MechanicalTurk.HITDoesNotExist", unknownHit.turkErrorCode());
    }

    @Test
    void listHitsPagesWithNextTokenAndOmitsDisposed() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 25; i++) created.add(createHit("0.10", 1).hitId());

        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = null;
        do {
            String from = token;
            ListHiTsResponse page = mturk.listHITs(r -> r.maxResults(10).nextToken(from));
            page.hiTs().forEach(h -> seen.add(h.hitId()));
            pageSizes.add(page.numResults());
            token = page.nextToken();
        } while (token != null);
        assertEquals(List.of(10, 10, 5), pageSizes);
        assertEquals(created, seen);

        // The SDK's own paginator agrees.
        assertEquals(
                25,
                new HashSet<>(mturk.listHITsPaginator(r -> r.maxResults(7)).stream()
                                .flatMap(p -> p.hiTs().stream())
                                .map(HIT::hitId)
                                .toList())
                        .size());

        mturk.updateExpirationForHIT(r -> r.hitId(created.get(0)).expireAt(Instant.EPOCH));
        mturk.deleteHIT(r -> r.hitId(created.get(0)));
        List<String> after = mturk.listHITsPaginator(r -> r.maxResults(100)).stream()
                .flatMap(p -> p.hiTs().stream())
                .map(HIT::hitId)
                .toList();
        assertEquals(created.subList(1, 25), after);

        MTurkException tooMany = assertThrows(MTurkException.class, () -> mturk.listHITs(r -> r.maxResults(101)));
        assertEquals("ValidationException", tooMany.awsErrorDetails().errorCode());
        assertTrue(tooMany.getMessage().contains("at 'maxResults'"), tooMany.getMessage());
    }

    @Test
    void expireExtendAndDeleteOnlyWhenDeletable() {
        HIT hit = createHit("1.00", 2);
        RequestErrorException live =
                assertThrows(RequestErrorException.class, () -> mturk.deleteHIT(r -> r.hitId(hit.hitId())));
        assertTrue(
                live.getMessage()
                        .contains(
                                "This HIT is currently in the state 'Assignable'.  This operation can be called with a status of: Reviewing, Reviewable"),
                live.getMessage());

        mturk.updateExpirationForHIT(r -> r.hitId(hit.hitId()).expireAt(Instant.EPOCH));
        HIT expired = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(HITStatus.REVIEWABLE, expired.hitStatus());
        assertEquals(0, expired.numberOfAssignmentsAvailable());
        assertFalse(expired.expiration().isAfter(Instant.now()));

        Instant later = Instant.now().plusSeconds(7200);
        mturk.updateExpirationForHIT(r -> r.hitId(hit.hitId()).expireAt(later));
        HIT extended = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(HITStatus.ASSIGNABLE, extended.hitStatus());
        assertEquals(later.getEpochSecond(), extended.expiration().getEpochSecond());

        emulator.acceptAndSubmit(hit.hitId(), "AWORKERONE", "<Answer/>");
        mturk.updateExpirationForHIT(r -> r.hitId(hit.hitId()).expireAt(Instant.EPOCH));
        assertEquals("9997.60", available());
        RequestErrorException submittedLeft =
                assertThrows(RequestErrorException.class, () -> mturk.deleteHIT(r -> r.hitId(hit.hitId())));
        assertTrue(submittedLeft.getMessage().contains("'Reviewable'"), submittedLeft.getMessage());

        String assignment = mturk.listAssignmentsForHIT(r -> r.hitId(hit.hitId()))
                .assignments()
                .get(0)
                .assignmentId();
        mturk.approveAssignment(r -> r.assignmentId(assignment));
        mturk.deleteHIT(r -> r.hitId(hit.hitId()));
        // The slot nobody took goes back: 10000 − 1.20 paid.
        assertEquals("9998.80", available());
        assertEquals("0.00", mturk.getAccountBalance(r -> {}).onHoldBalance());

        RequestErrorException disposed =
                assertThrows(RequestErrorException.class, () -> mturk.deleteHIT(r -> r.hitId(hit.hitId())));
        assertTrue(disposed.getMessage().contains("currently in the state 'Disposed'"), disposed.getMessage());
    }

    @Test
    void additionalAssignmentsReserveMoreAndReopenTheHit() {
        HIT hit = createHit("1.00", 1);
        emulator.acceptAndSubmit(hit.hitId(), "AFIRST", "<a/>");
        assertEquals(
                HITStatus.REVIEWABLE,
                mturk.getHIT(r -> r.hitId(hit.hitId())).hit().hitStatus());

        mturk.createAdditionalAssignmentsForHIT(
                r -> r.hitId(hit.hitId()).numberOfAdditionalAssignments(2).uniqueRequestToken("extend-1"));
        HIT extended = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(
                List.of(HITStatus.ASSIGNABLE, 3, 2),
                List.of(extended.hitStatus(), extended.maxAssignments(), extended.numberOfAssignmentsAvailable()));
        assertEquals("9996.40", available());

        RequestErrorException again = assertThrows(
                RequestErrorException.class,
                () -> mturk.createAdditionalAssignmentsForHIT(r ->
                        r.hitId(hit.hitId()).numberOfAdditionalAssignments(2).uniqueRequestToken("extend-1")));
        assertTrue(
                again.getMessage().contains("The idempotency token \"extend-1\" has already been processed."),
                again.getMessage());
        RequestErrorException toTen = assertThrows(
                RequestErrorException.class,
                () -> mturk.createAdditionalAssignmentsForHIT(
                        r -> r.hitId(hit.hitId()).numberOfAdditionalAssignments(7)));
        assertEquals("AWS.MechanicalTurk.InvalidMaximumAssignmentsIncrease", toTen.turkErrorCode());
        assertEquals(3, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().maxAssignments());
        assertEquals("9996.40", available());
    }

    @Test
    void assignmentsAreListedApprovedAndRejected() {
        HIT hit = createHit("2.00", 3);
        String first =
                emulator.acceptAndSubmit(hit.hitId(), "AFIRSTWORKER", "<QuestionFormAnswers>1</QuestionFormAnswers>");
        String second =
                emulator.acceptAndSubmit(hit.hitId(), "ASECONDWORKER", "<QuestionFormAnswers>2</QuestionFormAnswers>");
        assertThrows(RuntimeException.class, () -> emulator.acceptAndSubmit(hit.hitId(), "AFIRSTWORKER", "again"));

        List<Assignment> listed =
                mturk.listAssignmentsForHIT(r -> r.hitId(hit.hitId())).assignments();
        assertEquals(
                List.of(first, second),
                listed.stream().map(Assignment::assignmentId).toList());
        assertEquals(
                List.of("AFIRSTWORKER", "ASECONDWORKER"),
                listed.stream().map(Assignment::workerId).toList());
        assertTrue(listed.stream().allMatch(a -> a.assignmentStatus() == AssignmentStatus.SUBMITTED));
        assertEquals(1, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsAvailable());

        var got = mturk.getAssignment(r -> r.assignmentId(first));
        assertEquals(
                "<QuestionFormAnswers>1</QuestionFormAnswers>", got.assignment().answer());
        assertEquals(hit.hitId(), got.hit().hitId());
        assertEquals(
                7200,
                Duration.between(got.assignment().submitTime(), got.assignment().autoApprovalTime())
                        .toSeconds());

        String availableBefore = available();
        mturk.approveAssignment(r -> r.assignmentId(first).requesterFeedback("Thanks"));
        assertEquals(availableBefore, available(), "the reward was reserved at CreateHIT");
        assertEquals("4.80", mturk.getAccountBalance(r -> {}).onHoldBalance()); // 7.20 − 2.40
        RequestErrorException twice =
                assertThrows(RequestErrorException.class, () -> mturk.approveAssignment(r -> r.assignmentId(first)));
        assertTrue(
                twice.getMessage().contains("This operation can be called with a status of: Submitted"),
                twice.getMessage());

        RequestErrorException noFeedback =
                assertThrows(RequestErrorException.class, () -> mturk.rejectAssignment(r -> r.assignmentId(second)));
        assertTrue(noFeedback.getMessage().contains("RequesterFeedback"), noFeedback.getMessage());
        mturk.rejectAssignment(r -> r.assignmentId(second).requesterFeedback("Answers were random"));
        Assignment rejected = mturk.getAssignment(r -> r.assignmentId(second)).assignment();
        assertEquals(AssignmentStatus.REJECTED, rejected.assignmentStatus());
        assertEquals("Answers were random", rejected.requesterFeedback());
        assertEquals("9995.20", available()); // 10000 − 7.20 + 2.40 back

        assertEquals(
                List.of(second),
                mturk
                        .listAssignmentsForHIT(r -> r.hitId(hit.hitId()).assignmentStatuses(AssignmentStatus.REJECTED))
                        .assignments()
                        .stream()
                        .map(Assignment::assignmentId)
                        .toList());
        assertThrows(RequestErrorException.class, () -> mturk.approveAssignment(r -> r.assignmentId(second)));
        mturk.approveAssignment(r -> r.assignmentId(second).overrideRejection(true));
        assertEquals(
                AssignmentStatus.APPROVED,
                mturk.getAssignment(r -> r.assignmentId(second)).assignment().assignmentStatus());
        assertEquals("9992.80", available());
        assertEquals(2, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsCompleted());

        RequestErrorException unknown = assertThrows(
                RequestErrorException.class, () -> mturk.getAssignment(r -> r.assignmentId("NOSUCHASSIGNMENT")));
        assertEquals("AWS.MechanicalTurk.AssignmentDoesNotExist", unknown.turkErrorCode());
    }

    @Test
    void hitStatesFollowAcceptedSubmittedAndAbandonedAssignments() {
        HIT hit = createHit("1.00", 2);
        String first = emulator.accept(hit.hitId(), "AFIRST");
        HIT one = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(
                List.of(HITStatus.ASSIGNABLE, 1, 1),
                List.of(one.hitStatus(), one.numberOfAssignmentsPending(), one.numberOfAssignmentsAvailable()));
        assertEquals(0, mturk.listAssignmentsForHIT(r -> r.hitId(hit.hitId())).numResults(), "accepted is not listed");

        String second = emulator.accept(hit.hitId(), "ASECOND");
        HIT full = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(
                List.of(HITStatus.UNASSIGNABLE, 2, 0),
                List.of(full.hitStatus(), full.numberOfAssignmentsPending(), full.numberOfAssignmentsAvailable()));
        assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ATHIRD"));

        emulator.submit(first, "<a/>");
        emulator.advanceClock(Duration.ofSeconds(3601)); // the second worker lets the hour pass: abandoned
        HIT freed = mturk.getHIT(r -> r.hitId(hit.hitId())).hit();
        assertEquals(
                List.of(HITStatus.ASSIGNABLE, 0, 1),
                List.of(freed.hitStatus(), freed.numberOfAssignmentsPending(), freed.numberOfAssignmentsAvailable()));
        assertThrows(RuntimeException.class, () -> emulator.submit(second, "<late/>"));
        assertEquals(
                List.of(first),
                mturk.listAssignmentsForHIT(r -> r.hitId(hit.hitId())).assignments().stream()
                        .map(Assignment::assignmentId)
                        .toList());

        emulator.acceptAndSubmit(hit.hitId(), "ATHIRD", "<a/>");
        assertEquals(
                HITStatus.REVIEWABLE,
                mturk.getHIT(r -> r.hitId(hit.hitId())).hit().hitStatus());
    }

    @Test
    void submittedAssignmentsAreApprovedAutomaticallyAfterTheDelay() {
        HIT hit = createHit("1.00", 1);
        String id = emulator.acceptAndSubmit(hit.hitId(), "AWORKER", "<a/>");
        assertEquals(
                HITStatus.REVIEWABLE,
                mturk.getHIT(r -> r.hitId(hit.hitId())).hit().hitStatus());
        emulator.advanceClock(Duration.ofSeconds(7201));
        Assignment a = mturk.getAssignment(r -> r.assignmentId(id)).assignment();
        assertEquals(AssignmentStatus.APPROVED, a.assignmentStatus());
        assertEquals(a.autoApprovalTime(), a.approvalTime());
        assertEquals("0.00", mturk.getAccountBalance(r -> {}).onHoldBalance());
    }

    @Test
    void sendBonusOnceperTokenAndListBonusPayments() {
        HIT hit = createHit("1.00", 1);
        String assignment = emulator.acceptAndSubmit(hit.hitId(), "ABONUSWORKER", "<a/>");
        mturk.approveAssignment(r -> r.assignmentId(assignment));
        assertEquals("9998.80", available());

        mturk.sendBonus(r -> r.workerId("ABONUSWORKER")
                .assignmentId(assignment)
                .bonusAmount("1.50")
                .reason("Performance")
                .uniqueRequestToken("ledger-row-1"));
        assertEquals("9997.00", available()); // 1.50 + 0.30 fee
        RequestErrorException again = assertThrows(
                RequestErrorException.class,
                () -> mturk.sendBonus(r -> r.workerId("ABONUSWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("1.50")
                        .reason("Performance")
                        .uniqueRequestToken("ledger-row-1")));
        assertTrue(
                again.getMessage().contains("The idempotency token \"ledger-row-1\" has already been processed."),
                again.getMessage());
        assertEquals("9997.00", available());
        assertEquals(1, emulator.bonusCount("ABONUSWORKER"));

        RequestErrorException wrongWorker = assertThrows(
                RequestErrorException.class,
                () -> mturk.sendBonus(r -> r.workerId("AOTHERWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("1.00")
                        .reason("x")
                        .uniqueRequestToken("ledger-row-2")));
        assertTrue(wrongWorker.getMessage().contains("AOTHERWORKER"), wrongWorker.getMessage());
        MTurkException malformed = assertThrows(
                MTurkException.class,
                () -> mturk.sendBonus(r -> r.workerId("ABONUSWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("1.234")
                        .reason("x")
                        .uniqueRequestToken("ledger-row-3")));
        assertEquals("ValidationException", malformed.awsErrorDetails().errorCode());
        assertTrue(malformed.getMessage().contains("Value '1.234' at 'bonusAmount'"), malformed.getMessage());
        emulator.balance("0.50");
        RequestErrorException poor = assertThrows(
                RequestErrorException.class,
                () -> mturk.sendBonus(r -> r.workerId("ABONUSWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("0.50")
                        .reason("x")
                        .uniqueRequestToken("ledger-row-4"))); // needs 0.60
        assertEquals("AWS.MechanicalTurk.InsufficientFunds", poor.turkErrorCode());
        // A token refused for bad input was not used up.
        emulator.balance("100.00");
        mturk.sendBonus(r -> r.workerId("ABONUSWORKER")
                .assignmentId(assignment)
                .bonusAmount("0.05")
                .reason("Tip")
                .uniqueRequestToken("ledger-row-3"));
        assertEquals("99.94", available()); // 0.05 + 0.01 minimum fee

        List<BonusPayment> byAssignment =
                mturk.listBonusPayments(r -> r.assignmentId(assignment)).bonusPayments();
        assertEquals(
                List.of("1.50", "0.05"),
                byAssignment.stream().map(BonusPayment::bonusAmount).toList());
        assertEquals("Performance", byAssignment.get(0).reason());
        assertTrue(Duration.between(byAssignment.get(0).grantTime(), Instant.now())
                        .abs()
                        .toSeconds()
                < 5);
        assertEquals(
                2,
                mturk.listBonusPaymentsPaginator(r -> r.hitId(hit.hitId()).maxResults(1)).stream()
                        .flatMap(p -> p.bonusPayments().stream())
                        .count());
        assertThrows(RequestErrorException.class, () -> mturk.listBonusPayments(r -> {}));
    }

    @Test
    void concurrentBonusesWithOneTokenPayOnce() throws Exception {
        HIT hit = createHit("1.00", 1);
        String assignment = emulator.acceptAndSubmit(hit.hitId(), "ARACEWORKER", "<a/>");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String token = "row-" + (i % 4); // four ledger rows, each sent ten times at once
                sent.add(pool.submit(() -> {
                    try {
                        mturk.sendBonus(r -> r.workerId("ARACEWORKER")
                                .assignmentId(assignment)
                                .bonusAmount("1.00")
                                .reason("race")
                                .uniqueRequestToken(token));
                        return true;
                    } catch (RequestErrorException alreadyDone) {
                        return false;
                    }
                }));
            }
            int accepted = 0;
            for (Future<Boolean> f : sent) accepted += f.get() ? 1 : 0;
            assertEquals(4, accepted);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4, emulator.bonusCount("ARACEWORKER"));
        assertEquals("9994.00", available()); // 10000 − 1.20 reserved − 4 × 1.20
    }

    @Test
    void requestsWithoutSignatureAreRefused() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(emulator.endpoint().resolve("/"))
                                .header("Content-Type", "application/x-amz-json-1.1")
                                .header("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("\"__type\":\"MissingAuthenticationTokenException\""), response.body());

        HttpResponse<String> unknown = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(emulator.endpoint().resolve("/"))
                                .header(
                                        "Authorization",
                                        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/mturk-requester/aws4_request")
                                .header("X-Amz-Target", "MTurkRequesterServiceV20170117.NoSuchOperation")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("UnknownOperationException"), unknown.body());
    }

    @Test
    void signaturesAreCheckedAgainstTheTestKey() {
        emulator.credentials("AKIDEMULATOR", "secret");
        assertEquals("10000.00", available()); // the SDK's own SigV4 signature matches
        createHit("1.00", 1); // a body with XML and quotes signs alike

        try (MTurkClient wrongSecret = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEMULATOR", "not-the-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            MTurkException e = assertThrows(MTurkException.class, () -> wrongSecret.getAccountBalance(r -> {}));
            assertEquals("InvalidSignatureException", e.awsErrorDetails().errorCode());
        }
        try (MTurkClient otherKey = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSOMEONEELSE", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            MTurkException e = assertThrows(MTurkException.class, () -> otherKey.getAccountBalance(r -> {}));
            assertEquals("UnrecognizedClientException", e.awsErrorDetails().errorCode());
        }
        try (MTurkClient otherRegion = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.EU_WEST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEMULATOR", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            MTurkException e = assertThrows(MTurkException.class, () -> otherRegion.getAccountBalance(r -> {}));
            assertTrue(e.getMessage().contains("us-east-1"), e.getMessage());
        }
        assertEquals(1, mturk.listHITs(r -> {}).numResults());
    }

    @Test
    void rateLimitAnswersThrottlingException() {
        emulator.rateLimit(0.5, 2);
        noRetry.getAccountBalance(r -> {});
        noRetry.getAccountBalance(r -> {});
        MTurkException throttled = assertThrows(MTurkException.class, () -> noRetry.getAccountBalance(r -> {}));
        assertTrue(throttled.isThrottlingException(), throttled.toString());
        assertEquals(400, throttled.statusCode());
    }

    @Test
    void faultsAreInjected() {
        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, 1);
        ServiceException fault = assertThrows(ServiceException.class, () -> noRetry.getAccountBalance(r -> {}));
        assertEquals(500, fault.statusCode());

        // The SDK retries a ServiceFault and a throttle on its own.
        emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, 1).inject(MTurkEmulator.Fault.THROTTLE, 1);
        long before = emulator.requestCount();
        assertEquals("10000.00", available());
        assertEquals(3, emulator.requestCount() - before);

        // Commit then fail: the bonus is paid although the caller saw a 500; the same token again is refused.
        HIT hit = createHit("1.00", 1);
        String assignment = emulator.acceptAndSubmit(hit.hitId(), "AWORKER", "<a/>");
        emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "SendBonus");
        assertEquals("1.20", noRetry.getAccountBalance(r -> {}).onHoldBalance(), "the fault waits for SendBonus");
        assertThrows(
                ServiceException.class,
                () -> noRetry.sendBonus(r -> r.workerId("AWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("2.00")
                        .reason("x")
                        .uniqueRequestToken("row-9")));
        assertEquals(1, mturk.listBonusPayments(r -> r.assignmentId(assignment)).numResults());
        RequestErrorException resent = assertThrows(
                RequestErrorException.class,
                () -> mturk.sendBonus(r -> r.workerId("AWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("2.00")
                        .reason("x")
                        .uniqueRequestToken("row-9")));
        assertTrue(resent.getMessage().contains("already been processed"));
        assertEquals(1, emulator.bonusCount("AWORKER"));
        assertNull(mturk.listBonusPayments(r -> r.assignmentId(assignment)).nextToken());
    }
}
