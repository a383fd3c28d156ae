package io.cohort.testkit.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.Comparator;
import software.amazon.awssdk.services.mturk.model.HIT;
import software.amazon.awssdk.services.mturk.model.HITStatus;
import software.amazon.awssdk.services.mturk.model.Locale;
import software.amazon.awssdk.services.mturk.model.MTurkException;
import software.amazon.awssdk.services.mturk.model.NotifyWorkersFailureCode;
import software.amazon.awssdk.services.mturk.model.NotifyWorkersFailureStatus;
import software.amazon.awssdk.services.mturk.model.Qualification;
import software.amazon.awssdk.services.mturk.model.QualificationStatus;
import software.amazon.awssdk.services.mturk.model.QualificationType;
import software.amazon.awssdk.services.mturk.model.QualificationTypeStatus;
import software.amazon.awssdk.services.mturk.model.RequestErrorException;
import software.amazon.awssdk.services.mturk.model.ReviewableHITStatus;
import software.amazon.awssdk.services.mturk.model.ServiceException;
import software.amazon.awssdk.services.mturk.model.WorkerBlock;

/** Qualification types and scores, requirements enforced on accept, blocks, notifications, review status, faults. */
class QualificationsAndWorkersTest extends EmulatorThroughSdk {

    private QualificationType createType(String name) {
        return mturk.createQualificationType(r -> r.name(name)
                        .description("Took part in " + name)
                        .keywords("pilot, decision")
                        .qualificationTypeStatus(QualificationTypeStatus.ACTIVE))
                .qualificationType();
    }

    private static String messageOf(RuntimeException e) {
        return e.getMessage();
    }

    @Test
    void qualificationTypesAreCreatedFoundUpdatedAndDeleted() {
        QualificationType pilot = createType("Pilot 2026");
        assertEquals("Pilot 2026", pilot.name());
        assertEquals(QualificationTypeStatus.ACTIVE, pilot.qualificationTypeStatus());
        assertTrue(pilot.qualificationTypeId().matches("^[A-Z0-9]{30}$"), pilot.qualificationTypeId());

        RequestErrorException duplicate = assertThrows(RequestErrorException.class, () -> createType("Pilot 2026"));
        assertEquals("AWS.MechanicalTurk.QualificationTypeAlreadyExists", duplicate.turkErrorCode());
        assertTrue(
                duplicate.getMessage().matches("(?s).*\\(\\d{13}\\).*"),
                "message ends in (epochMillis): " + duplicate.getMessage());
        RequestErrorException noStatus = assertThrows(
                RequestErrorException.class,
                () -> mturk.createQualificationType(r -> r.name("Other").description("x")));
        assertTrue(noStatus.getMessage().contains("QualificationTypeStatus"), noStatus.getMessage());
        RequestErrorException testWithoutDuration = assertThrows(
                RequestErrorException.class,
                () -> mturk.createQualificationType(r -> r.name("Quiz")
                        .description("x")
                        .qualificationTypeStatus(QualificationTypeStatus.ACTIVE)
                        .test("<QuestionForm/>")));
        assertTrue(
                testWithoutDuration.getMessage().contains("TestDurationInSeconds"), testWithoutDuration.getMessage());

        QualificationType got = mturk.getQualificationType(r -> r.qualificationTypeId(pilot.qualificationTypeId()))
                .qualificationType();
        assertEquals(List.of("Took part in Pilot 2026", "pilot, decision"), List.of(got.description(), got.keywords()));

        List<String> others = new ArrayList<>();
        for (int i = 0; i < 11; i++) others.add(createType("Session " + i).qualificationTypeId());
        List<Integer> pages =
                mturk
                        .listQualificationTypesPaginator(
                                r -> r.mustBeRequestable(false).maxResults(5))
                        .stream()
                        .map(p -> p.numResults())
                        .toList();
        assertEquals(List.of(5, 5, 2), pages);
        assertEquals(
                List.of(pilot.qualificationTypeId()),
                mturk
                        .listQualificationTypes(r -> r.mustBeRequestable(false).query("PILOT 2026"))
                        .qualificationTypes()
                        .stream()
                        .map(QualificationType::qualificationTypeId)
                        .toList());
        RequestErrorException noRequestable =
                assertThrows(RequestErrorException.class, () -> mturk.listQualificationTypes(r -> r.query("x")));
        assertTrue(noRequestable.getMessage().contains("MustBeRequestable"), noRequestable.getMessage());

        QualificationType updated = mturk.updateQualificationType(
                        r -> r.qualificationTypeId(pilot.qualificationTypeId())
                                .description("Finished the pilot")
                                .qualificationTypeStatus(QualificationTypeStatus.INACTIVE))
                .qualificationType();
        assertEquals(List.of("Finished the pilot", "Pilot 2026"), List.of(updated.description(), updated.name()));
        assertEquals(
                11,
                mturk.listQualificationTypes(r -> r.mustBeRequestable(true).maxResults(100))
                        .numResults(),
                "inactive is not requestable");

        mturk.deleteQualificationType(r -> r.qualificationTypeId(pilot.qualificationTypeId()));
        RequestErrorException gone = assertThrows(
                RequestErrorException.class,
                () -> mturk.getQualificationType(r -> r.qualificationTypeId(pilot.qualificationTypeId())));
        assertEquals("AWS.MechanicalTurk.QualificationTypeDoesNotExist", gone.turkErrorCode());
        assertFalse(
                createType("Pilot 2026").qualificationTypeId().equals(pilot.qualificationTypeId()),
                "the name is free again");
        MTurkException badId = assertThrows(
                MTurkException.class, () -> mturk.getQualificationType(r -> r.qualificationTypeId("lower")));
        assertEquals("ValidationException", badId.awsErrorDetails().errorCode());
        assertTrue(badId.getMessage().contains("Value 'lower' at 'qualificationTypeId'"), badId.getMessage());
    }

    @Test
    void workersAreGivenScoresThatCanBeRevokedAndListed() {
        String type = createType("Pilot").qualificationTypeId();
        mturk.associateQualificationWithWorker(r ->
                r.qualificationTypeId(type).workerId("AHIGH").integerValue(80).sendNotification(true));
        mturk.associateQualificationWithWorker(r -> r.qualificationTypeId(type).workerId("ADEFAULT"));

        Qualification high = mturk.getQualificationScore(
                        r -> r.qualificationTypeId(type).workerId("AHIGH"))
                .qualification();
        assertEquals(List.of(80, QualificationStatus.GRANTED), List.of(high.integerValue(), high.status()));
        assertEquals(
                1,
                mturk.getQualificationScore(r -> r.qualificationTypeId(type).workerId("ADEFAULT"))
                        .qualification()
                        .integerValue());
        // SendNotification is true by default (the API reference): both are told.
        assertEquals(
                List.of("AHIGH", "ADEFAULT"),
                emulator.notifications().stream()
                        .map(MTurkEmulator.Notification::workerId)
                        .toList());

        mturk.disassociateQualificationFromWorker(
                r -> r.qualificationTypeId(type).workerId("ADEFAULT").reason("left early"));
        assertEquals(
                QualificationStatus.REVOKED,
                mturk.getQualificationScore(r -> r.qualificationTypeId(type).workerId("ADEFAULT"))
                        .qualification()
                        .status());
        assertEquals(
                List.of("AHIGH"),
                mturk
                        .listWorkersWithQualificationType(
                                r -> r.qualificationTypeId(type).status(QualificationStatus.GRANTED))
                        .qualifications()
                        .stream()
                        .map(Qualification::workerId)
                        .toList());
        assertEquals(
                List.of("AHIGH", "ADEFAULT"),
                mturk
                        .listWorkersWithQualificationTypePaginator(
                                r -> r.qualificationTypeId(type).maxResults(1))
                        .stream()
                        .flatMap(p -> p.qualifications().stream())
                        .map(Qualification::workerId)
                        .toList());

        RequestErrorException none = assertThrows(
                RequestErrorException.class,
                () -> mturk.getQualificationScore(
                        r -> r.qualificationTypeId(type).workerId("ASTRANGER")));
        assertEquals("AWS.MechanicalTurk.QualificationDoesNotExist", none.turkErrorCode());
        MTurkException badWorker = assertThrows(
                MTurkException.class,
                () -> mturk.associateQualificationWithWorker(
                        r -> r.qualificationTypeId(type).workerId("BWORKER")));
        assertEquals("ValidationException", badWorker.awsErrorDetails().errorCode());
        assertTrue(badWorker.getMessage().contains("Value 'BWORKER' at 'workerId'"), badWorker.getMessage());
        RequestErrorException unknownType = assertThrows(
                RequestErrorException.class,
                () -> mturk.associateQualificationWithWorker(
                        r -> r.qualificationTypeId("NOSUCHTYPE").workerId("AHIGH")));
        assertEquals("AWS.MechanicalTurk.QualificationTypeDoesNotExist", unknownType.turkErrorCode());
    }

    @Test
    void qualificationRequirementsAreEnforcedWhenAWorkerAccepts() {
        String pilot = createType("Pilot").qualificationTypeId();
        mturk.associateQualificationWithWorker(
                r -> r.qualificationTypeId(pilot).workerId("AQUALIFIED").integerValue(80));
        mturk.associateQualificationWithWorker(
                r -> r.qualificationTypeId(pilot).workerId("ALOWSCORE").integerValue(20));
        mturk.associateQualificationWithWorker(
                r -> r.qualificationTypeId(pilot).workerId("AGERMAN").integerValue(80));
        mturk.associateQualificationWithWorker(
                r -> r.qualificationTypeId(pilot).workerId("ANOVICE").integerValue(80));
        emulator.worker("AGERMAN").locale("DE");
        emulator.worker("ANOVICE").percentAssignmentsApproved(90).numberHITsApproved(3);

        HIT hit = createHit(
                "1.00",
                5,
                b -> b.qualificationRequirements(
                        q -> q.qualificationTypeId(pilot)
                                .comparator(Comparator.GREATER_THAN_OR_EQUAL_TO)
                                .integerValues(50),
                        q -> q.qualificationTypeId("00000000000000000071")
                                .comparator(Comparator.IN)
                                .localeValues(
                                        Locale.builder().country("US").build(),
                                        Locale.builder().country("CA").build()),
                        q -> q.qualificationTypeId("000000000000000000L0")
                                .comparator(Comparator.GREATER_THAN_OR_EQUAL_TO)
                                .integerValues(95),
                        q -> q.qualificationTypeId("00000000000000000040")
                                .comparator(Comparator.GREATER_THAN)
                                .integerValues(100)));

        assertEquals("Accepted", emulator.assignmentStatus(emulator.accept(hit.hitId(), "AQUALIFIED")));
        String noScore = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ASTRANGER"))
                .getMessage();
        assertTrue(noScore.contains("Pilot (" + pilot + ") GreaterThanOrEqualTo [50]"), noScore);
        String low = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ALOWSCORE"))
                .getMessage();
        assertTrue(low.contains("Pilot"), low);
        String german = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "AGERMAN"))
                .getMessage();
        assertTrue(german.contains("Worker_Locale"), german);
        String novice = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ANOVICE"))
                .getMessage();
        assertTrue(novice.contains("Worker_PercentAssignmentsApproved"), novice);
        emulator.worker("ANOVICE").percentAssignmentsApproved(96);
        String few = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ANOVICE"))
                .getMessage();
        assertTrue(few.contains("Worker_NumberHITsApproved"), few);
        emulator.worker("ANOVICE").numberHITsApproved(101);
        emulator.accept(hit.hitId(), "ANOVICE");
        assertEquals(
                2, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsPending(), "refusals took no slot");

        // A revoked score counts as none; DoesNotExist admits exactly the workers without it.
        mturk.disassociateQualificationFromWorker(
                r -> r.qualificationTypeId(pilot).workerId("ALOWSCORE"));
        HIT newcomers = createHit(
                "1.00",
                5,
                b -> b.qualificationRequirements(
                        q -> q.qualificationTypeId(pilot).comparator(Comparator.DOES_NOT_EXIST)));
        assertThrows(RuntimeException.class, () -> emulator.accept(newcomers.hitId(), "AQUALIFIED"));
        emulator.accept(newcomers.hitId(), "ALOWSCORE");
        emulator.accept(newcomers.hitId(), "ASTRANGER");

        RequestErrorException valuesOnExists = assertThrows(
                RequestErrorException.class,
                () -> createHit(
                        "1.00",
                        1,
                        b -> b.qualificationRequirements(q -> q.qualificationTypeId(pilot)
                                .comparator(Comparator.EXISTS)
                                .integerValues(1))));
        assertTrue(valuesOnExists.getMessage().contains("takes no values"), valuesOnExists.getMessage());
        RequestErrorException localeOnOwn = assertThrows(
                RequestErrorException.class,
                () -> createHit(
                        "1.00",
                        1,
                        b -> b.qualificationRequirements(q -> q.qualificationTypeId(pilot)
                                .comparator(Comparator.EQUAL_TO)
                                .localeValues(Locale.builder().country("US").build()))));
        assertTrue(
                localeOnOwn.getMessage().contains("LocaleValues can only be used with 00000000000000000071"),
                localeOnOwn.getMessage());
        assertEquals(2, mturk.listHITs(r -> {}).numResults(), "refused HITs were not created");
    }

    @Test
    void blockedWorkersCannotAccept() {
        HIT hit = createHit("1.00", 3);
        mturk.createWorkerBlock(r -> r.workerId("ASPAMMER").reason("Random answers"));
        mturk.createWorkerBlock(r -> r.workerId("ABOT").reason("Automated"));
        assertEquals(
                List.of("ASPAMMER:Random answers", "ABOT:Automated"),
                mturk.listWorkerBlocksPaginator(r -> r.maxResults(1)).stream()
                        .flatMap(p -> p.workerBlocks().stream())
                        .map(b -> b.workerId() + ":" + b.reason())
                        .toList());
        String refused = assertThrows(RuntimeException.class, () -> emulator.accept(hit.hitId(), "ASPAMMER"))
                .getMessage();
        assertTrue(refused.contains("blocked") && refused.contains("Random answers"), refused);

        RequestErrorException noReason =
                assertThrows(RequestErrorException.class, () -> mturk.createWorkerBlock(r -> r.workerId("AX")));
        assertTrue(noReason.getMessage().contains("Reason"), noReason.getMessage());

        mturk.deleteWorkerBlock(r -> r.workerId("ASPAMMER").reason("appealed"));
        assertEquals(
                List.of("ABOT"),
                mturk.listWorkerBlocks(r -> {}).workerBlocks().stream()
                        .map(WorkerBlock::workerId)
                        .toList());
        assertEquals("Accepted", emulator.assignmentStatus(emulator.accept(hit.hitId(), "ASPAMMER")));
    }

    @Test
    void notifyWorkersReachesOnlyWorkersWhoWorkedForTheRequester() {
        HIT hit = createHit("1.00", 2);
        emulator.acceptAndSubmit(hit.hitId(), "AWORKED", "<a/>");
        emulator.accept(hit.hitId(), "AONLYACCEPTED");

        List<NotifyWorkersFailureStatus> failures = mturk.notifyWorkers(r -> r.subject("Next session")
                        .messageText("Tomorrow at 10:00")
                        .workerIds("AWORKED", "AONLYACCEPTED", "ANEVERSEEN"))
                .notifyWorkersFailureStatuses();
        assertEquals(
                List.of("AONLYACCEPTED", "ANEVERSEEN"),
                failures.stream().map(NotifyWorkersFailureStatus::workerId).toList());
        assertTrue(
                failures.stream().allMatch(f -> f.notifyWorkersFailureCode() == NotifyWorkersFailureCode.HARD_FAILURE));
        assertEquals(
                List.of(new MTurkEmulator.Notification("AWORKED", "Next session", "Tomorrow at 10:00")),
                emulator.notifications());

        List<String> many = IntStream.range(0, 101).mapToObj(i -> "AW" + i).toList();
        RequestErrorException tooMany = assertThrows(
                RequestErrorException.class,
                () -> mturk.notifyWorkers(r -> r.subject("s").messageText("m").workerIds(many)));
        assertTrue(tooMany.getMessage().contains("at most 100"), tooMany.getMessage());
        RequestErrorException longSubject = assertThrows(
                RequestErrorException.class,
                () -> mturk.notifyWorkers(
                        r -> r.subject("s".repeat(201)).messageText("m").workerIds("AWORKED")));
        assertTrue(longSubject.getMessage().contains("Subject"), longSubject.getMessage());
        RequestErrorException longText = assertThrows(
                RequestErrorException.class,
                () -> mturk.notifyWorkers(
                        r -> r.subject("s").messageText("m".repeat(4097)).workerIds("AWORKED")));
        assertTrue(longText.getMessage().contains("MessageText"), longText.getMessage());
        assertEquals(1, emulator.notifications().size(), "refused calls sent nothing");
    }

    @Test
    void reviewStatusMovesBetweenReviewableAndReviewing() {
        HIT done = createHit("1.00", 1);
        emulator.acceptAndSubmit(done.hitId(), "AWORKER", "<a/>");
        HIT open = createHit("1.00", 1);

        assertEquals(
                List.of(done.hitId()),
                mturk.listReviewableHITs(r -> {}).hiTs().stream()
                        .map(HIT::hitId)
                        .toList());
        mturk.updateHITReviewStatus(r -> r.hitId(done.hitId()));
        assertEquals(
                HITStatus.REVIEWING,
                mturk.getHIT(r -> r.hitId(done.hitId())).hit().hitStatus());
        assertEquals(0, mturk.listReviewableHITs(r -> {}).numResults());
        assertEquals(
                List.of(done.hitId()),
                mturk
                        .listReviewableHITs(
                                r -> r.status(ReviewableHITStatus.REVIEWING).hitTypeId(done.hitTypeId()))
                        .hiTs()
                        .stream()
                        .map(HIT::hitId)
                        .toList());
        mturk.updateHITReviewStatus(r -> r.hitId(done.hitId()).revert(true));
        assertEquals(
                HITStatus.REVIEWABLE,
                mturk.getHIT(r -> r.hitId(done.hitId())).hit().hitStatus());

        RequestErrorException assignable = assertThrows(
                RequestErrorException.class, () -> mturk.updateHITReviewStatus(r -> r.hitId(open.hitId())));
        assertTrue(assignable.getMessage().contains("currently in the state 'Assignable'"), assignable.getMessage());
        MTurkException badPage =
                assertThrows(MTurkException.class, () -> mturk.listReviewableHITs(r -> r.maxResults(0)));
        assertEquals("ValidationException", badPage.awsErrorDetails().errorCode());
        assertTrue(badPage.getMessage().contains("at 'maxResults'"), badPage.getMessage());
    }

    @Test
    void returnedAndAbandonedAssignmentsFreeTheirSlot() {
        HIT hit = createHit("1.00", 1);
        String returned = emulator.accept(hit.hitId(), "AFIRST");
        assertThrows(RuntimeException.class, () -> emulator.giveBack(returned, "ASOMEONEELSE"));
        emulator.giveBack(returned, "AFIRST");
        assertEquals("Returned", emulator.assignmentStatus(returned));
        String abandoned = emulator.accept(hit.hitId(), "ASECOND");
        emulator.advanceClock(Duration.ofSeconds(3601));
        assertEquals("Abandoned", emulator.assignmentStatus(abandoned));
        assertEquals(1, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsAvailable());
        assertEquals(0, mturk.listAssignmentsForHIT(r -> r.hitId(hit.hitId())).numResults());
        RequestErrorException hidden =
                assertThrows(RequestErrorException.class, () -> mturk.getAssignment(r -> r.assignmentId(abandoned)));
        assertEquals("AWS.MechanicalTurk.AssignmentDoesNotExist", hidden.turkErrorCode());
        assertNull(emulator.assignmentStatus("NOSUCHASSIGNMENT"));
    }

    @Test
    void everyNthRequestOfAnOperationCommitsThenFails() {
        HIT hit = createHit("1.00", 1);
        String assignment = emulator.acceptAndSubmit(hit.hitId(), "AWORKER", "<a/>");
        emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "SendBonus", 2);
        List<Boolean> answered = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String token = "row-" + i;
            try {
                noRetry.sendBonus(r -> r.workerId("AWORKER")
                        .assignmentId(assignment)
                        .bonusAmount("0.50")
                        .reason("x")
                        .uniqueRequestToken(token));
                answered.add(true);
            } catch (ServiceException e) {
                answered.add(false);
            }
            noRetry.getAccountBalance(r -> {}); // other operations do not count
        }
        assertEquals(List.of(true, false, true, false), answered);
        assertEquals(4, emulator.bonusCount("AWORKER"));
        assertEquals(200, emulator.bonusTotalCents());
        assertEquals(1_000_000 - 120 - 4 * 60, emulator.availableBalanceCents());

        emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "SendBonus", 0);
        noRetry.sendBonus(r -> r.workerId("AWORKER")
                .assignmentId(assignment)
                .bonusAmount("0.50")
                .reason("x")
                .uniqueRequestToken("row-5"));
        noRetry.sendBonus(r -> r.workerId("AWORKER")
                .assignmentId(assignment)
                .bonusAmount("0.50")
                .reason("x")
                .uniqueRequestToken("row-6"));
        assertEquals(300, emulator.bonusTotalCents());
    }

    @Test
    void latencySlowsEveryRequest() {
        try (MTurkClient impatient = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(
                        () -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKID", "secret"))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMillis(300))
                        .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build()) {
            emulator.latency(Duration.ofSeconds(3));
            assertThrows(ApiCallTimeoutException.class, () -> impatient.getAccountBalance(r -> {}));
            emulator.latency(Duration.ZERO);
            assertEquals("10000.00", impatient.getAccountBalance(r -> {}).availableBalance());
        }
    }
}
