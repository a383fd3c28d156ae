package io.cohort.testkit.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.Comparator;
import software.amazon.awssdk.services.mturk.model.EventType;
import software.amazon.awssdk.services.mturk.model.HIT;
import software.amazon.awssdk.services.mturk.model.MTurkException;
import software.amazon.awssdk.services.mturk.model.NotificationTransport;
import software.amazon.awssdk.services.mturk.model.QualificationTypeStatus;
import software.amazon.awssdk.services.mturk.model.RequestErrorException;
import software.amazon.awssdk.services.mturk.model.ReviewableHITStatus;

/**
 * The emulator against the service model: every operation it serves answers in the model's shape (as every emulator
 * test checks for its own answers), and requests are read as the service reads them. The four differences other
 * clients (botocore, nodegame-mturk's) found are each shown fixed.
 */
class ServiceModelTest extends EmulatorThroughSdk {

    @Test
    void everyOperationOfTheModelIsServedAndAnswersInItsShape() {
        Set<String> served = new ConcurrentSkipListSet<>();
        emulator.onAnswer((operation, request, answer) -> served.add(operation));
        HIT hit = createHit("0.50", 3);
        String type = mturk.createHITType(
                        b -> b.title("T").description("D").reward("0.10").assignmentDurationInSeconds(600L))
                .hitTypeId();
        mturk.createHITWithHITType(b ->
                b.hitTypeId(type).lifetimeInSeconds(3600L).maxAssignments(1).question(QUESTION));
        mturk.getHIT(b -> b.hitId(hit.hitId()));
        mturk.listHITs(b -> b.maxResults(10));
        String a1 = emulator.acceptAndSubmit(hit.hitId(), "AWORKERONE1", "x");
        String a2 = emulator.acceptAndSubmit(hit.hitId(), "AWORKERTWO2", "y");
        mturk.listAssignmentsForHIT(b -> b.hitId(hit.hitId()));
        mturk.getAssignment(b -> b.assignmentId(a1));
        mturk.approveAssignment(b -> b.assignmentId(a1));
        mturk.rejectAssignment(b -> b.assignmentId(a2).requesterFeedback("Not done"));
        mturk.sendBonus(b -> b.assignmentId(a1)
                .workerId("AWORKERONE1")
                .bonusAmount("0.25")
                .reason("Thanks")
                .uniqueRequestToken("bonus-1"));
        mturk.listBonusPayments(b -> b.hitId(hit.hitId()));
        mturk.createAdditionalAssignmentsForHIT(
                b -> b.hitId(hit.hitId()).numberOfAdditionalAssignments(1).uniqueRequestToken("more-1"));
        mturk.updateExpirationForHIT(b -> b.hitId(hit.hitId()).expireAt(java.time.Instant.EPOCH));
        mturk.listReviewableHITs(b -> b.status(ReviewableHITStatus.REVIEWABLE));
        mturk.updateHITReviewStatus(b -> b.hitId(hit.hitId()).revert(false));
        String q = mturk.createQualificationType(b -> b.name("Took part")
                        .description("Workers who took part")
                        .qualificationTypeStatus(QualificationTypeStatus.ACTIVE))
                .qualificationType()
                .qualificationTypeId();
        mturk.getQualificationType(b -> b.qualificationTypeId(q));
        mturk.updateQualificationType(b -> b.qualificationTypeId(q).description("Took part before"));
        mturk.associateQualificationWithWorker(
                b -> b.qualificationTypeId(q).workerId("AWORKERONE1").integerValue(3));
        mturk.listWorkersWithQualificationType(b -> b.qualificationTypeId(q));
        mturk.getQualificationScore(b -> b.qualificationTypeId(q).workerId("AWORKERONE1"));
        mturk.disassociateQualificationFromWorker(
                b -> b.qualificationTypeId(q).workerId("AWORKERONE1").reason("Reset"));
        mturk.listQualificationTypes(b -> b.mustBeRequestable(false).maxResults(10));
        mturk.notifyWorkers(b -> b.subject("Hello").messageText("A new study").workerIds("AWORKERONE1"));
        mturk.createWorkerBlock(b -> b.workerId("AWORKERTWO2").reason("Spam"));
        mturk.listWorkerBlocks(b -> b.maxResults(10));
        mturk.deleteWorkerBlock(b -> b.workerId("AWORKERTWO2").reason("Mistake"));
        mturk.getAccountBalance(b -> {});
        HIT guarded = createHit(
                "0.50",
                1,
                b -> b.qualificationRequirements(r -> r.qualificationTypeId(q).comparator(Comparator.EXISTS)));
        assertEquals(
                List.of(guarded.hitId()),
                mturk.listHITsForQualificationType(b -> b.qualificationTypeId(q)).hiTs().stream()
                        .map(HIT::hitId)
                        .toList());
        String sameReward = mturk.createHITType(
                        b -> b.title("Renamed").description("D2").reward("0.50").assignmentDurationInSeconds(900L))
                .hitTypeId();
        mturk.updateHITTypeOfHIT(b -> b.hitId(hit.hitId()).hitTypeId(sameReward));
        assertEquals("Renamed", mturk.getHIT(b -> b.hitId(hit.hitId())).hit().title());
        assertThrows(
                RequestErrorException.class,
                () -> noRetry.updateHITTypeOfHIT(b -> b.hitId(hit.hitId()).hitTypeId(type)));
        assertEquals(
                hit.hitId(),
                mturk.listReviewPolicyResultsForHIT(b -> b.hitId(hit.hitId())).hitId());
        mturk.sendTestEventNotification(b -> b.notification(n -> n.destination("https://sqs.example/queue")
                        .transport(NotificationTransport.SQS)
                        .version("2006-05-05")
                        .eventTypes(EventType.ASSIGNMENT_SUBMITTED))
                .testEventType(EventType.ASSIGNMENT_SUBMITTED));
        mturk.updateNotificationSettings(b -> b.hitTypeId(sameReward).active(false));
        assertThrows(
                RequestErrorException.class,
                () -> noRetry.getFileUploadURL(b -> b.assignmentId(a1).questionIdentifier("upload")));
        // Qualification requests, made on the worker side: listed, one accepted (a score granted), one rejected.
        String asked = emulator.requestQualification("AWORKERTWO2", q, "my answer");
        String askedToo = emulator.requestQualification("AWORKERTHREE3", q, null);
        var requests = mturk.listQualificationRequests(b -> b.qualificationTypeId(q));
        assertEquals(2, requests.numResults());
        assertEquals("my answer", requests.qualificationRequests().get(0).answer());
        mturk.acceptQualificationRequest(b -> b.qualificationRequestId(asked).integerValue(7));
        assertEquals(
                7,
                mturk.getQualificationScore(b -> b.qualificationTypeId(q).workerId("AWORKERTWO2"))
                        .qualification()
                        .integerValue());
        mturk.rejectQualificationRequest(b -> b.qualificationRequestId(askedToo).reason("No"));
        assertEquals(
                0,
                mturk.listQualificationRequests(b -> b.qualificationTypeId(q))
                        .qualificationRequests()
                        .size());
        assertThrows(
                RequestErrorException.class,
                () -> noRetry.acceptQualificationRequest(b -> b.qualificationRequestId(askedToo)));
        mturk.deleteQualificationType(b -> b.qualificationTypeId(q));
        String done = createHit("0.10", 1).hitId();
        mturk.updateExpirationForHIT(b -> b.hitId(done).expireAt(java.time.Instant.EPOCH));
        mturk.deleteHIT(b -> b.hitId(done));

        Set<String> notAnswered = new TreeSet<>(ServiceModel.get().operations());
        notAnswered.removeAll(served);
        // Served, but only ever refusing: answers on the emulator are text, so no assignment has a file to upload.
        assertEquals(Set.of("GetFileUploadURL"), notAnswered, "operations never answered in the model's shape");
        // offModel (checked after each test) holds whatever any answer had wrong.
    }

    /** The model's operations the emulator answers UnknownOperationException for, as the raw protocol asks them. */
    @Test
    void theOperationsOfTheModelTheEmulatorDoesNotServeAreTheListedOnes() {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        Map<String, java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> answers =
                new java.util.TreeMap<>();
        // All at once: the answers do not depend on each other.
        for (String operation : ServiceModel.get().operations()) {
            answers.put(
                    operation,
                    http.sendAsync(
                            java.net.http.HttpRequest.newBuilder(
                                            emulator.endpoint().resolve("/"))
                                    .header(
                                            "Authorization",
                                            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/mturk-requester/aws4_request")
                                    .header("Content-Type", "application/x-amz-json-1.1")
                                    .header("X-Amz-Target", "MTurkRequesterServiceV20170117." + operation)
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> unknown = new TreeSet<>();
        answers.forEach((operation, answer) -> {
            if (answer.join().body().contains("UnknownOperationException")) {
                unknown.add(operation);
            }
        });
        assertEquals(39, ServiceModel.get().operations().size());
        // None today: an operation added to the model and not to the emulator shows up here.
        assertEquals(Set.of(), unknown, "operations of the model the emulator does not serve");
    }

    @Test
    void listQualificationTypesSaysHowManyItAnswered() {
        for (String name : List.of("One", "Two", "Three")) {
            mturk.createQualificationType(
                    b -> b.name(name).description(name).qualificationTypeStatus(QualificationTypeStatus.ACTIVE));
        }
        var page = mturk.listQualificationTypes(b -> b.mustBeRequestable(false).maxResults(2));
        assertEquals(2, page.numResults());
        assertEquals(2, page.qualificationTypes().size());
    }

    @Test
    void aBonusWithTooManyDecimalsIsAValidationExceptionAndPaysNothing() {
        HIT hit = createHit("0.50", 1);
        String a = emulator.acceptAndSubmit(hit.hitId(), "AWORKERONE1", "x");
        String before = available();
        MTurkException e = assertThrows(
                MTurkException.class,
                () -> noRetry.sendBonus(b -> b.assignmentId(a)
                        .workerId("AWORKERONE1")
                        .bonusAmount("1.234")
                        .reason("Thanks")
                        .uniqueRequestToken("t-1")));
        assertEquals(400, e.statusCode());
        assertEquals("ValidationException", e.awsErrorDetails().errorCode());
        assertTrue(
                e.getMessage()
                        .contains("Value '1.234' at 'bonusAmount' failed to satisfy constraint: Member must"
                                + " satisfy regular expression pattern: ^[0-9]+(\\.)?[0-9]{0,2}$"),
                e.getMessage());
        assertEquals(0, emulator.bonusCount());
        assertEquals(before, available());
    }

    @Test
    void aUniqueRequestTokenSentAsANumberIsRefusedAsTheModelTypesItAString() {
        HIT hit = createHit("0.50", 1);
        String a = emulator.acceptAndSubmit(hit.hitId(), "AWORKERONE1", "x");
        // A client that writes the token as a JSON number, as one of the independent clients did (the same length,
        // so the signed Content-Length holds).
        try (MTurkClient numeric = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                            @Override
                            public java.util.Optional<RequestBody> modifyHttpContent(
                                    Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
                                String body = new String(
                                        readAll(context.requestBody().orElseThrow()), StandardCharsets.UTF_8);
                                return java.util.Optional.of(RequestBody.fromString(body.replace(
                                        "\"UniqueRequestToken\":\"777\"", "\"UniqueRequestToken\":  777")));
                            }
                        })
                        .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build()) {
            MTurkException e = assertThrows(
                    MTurkException.class,
                    () -> numeric.sendBonus(b -> b.assignmentId(a)
                            .workerId("AWORKERONE1")
                            .bonusAmount("1.00")
                            .reason("Thanks")
                            .uniqueRequestToken("777")));
            assertEquals(400, e.statusCode());
            assertEquals("SerializationException", e.awsErrorDetails().errorCode());
            assertTrue(
                    e.getMessage().contains("NUMBER_VALUE can not be converted to a string at 'uniqueRequestToken'"),
                    e.getMessage());
        }
        assertEquals(0, emulator.bonusCount());
    }

    @Test
    void aQualificationGrantWithoutSendNotificationNotifiesTheWorkerAsTheReferenceSays() {
        String q = mturk.createQualificationType(b -> b.name("Took part")
                        .description("Workers who took part")
                        .qualificationTypeStatus(QualificationTypeStatus.ACTIVE))
                .qualificationType()
                .qualificationTypeId();
        mturk.associateQualificationWithWorker(b -> b.qualificationTypeId(q).workerId("AWORKERONE1"));
        mturk.associateQualificationWithWorker(
                b -> b.qualificationTypeId(q).workerId("AWORKERTWO2").sendNotification(false));
        List<MTurkEmulator.Notification> told = emulator.notifications();
        assertEquals(1, told.size(), told.toString());
        assertEquals("AWORKERONE1", told.get(0).workerId());
    }

    private static byte[] readAll(software.amazon.awssdk.core.sync.RequestBody body) {
        try (java.io.InputStream in = body.contentStreamProvider().newStream()) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
