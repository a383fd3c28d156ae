package io.cohort.testkit.mturk;

import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.CreateHitRequest;
import software.amazon.awssdk.services.mturk.model.HIT;

/** A fresh emulator per test with the real AWS SDK v2 MTurk client pointed at it (with and without retries). */
abstract class EmulatorThroughSdk {
    static final String QUESTION = """
            <ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">
              <ExternalURL>https://lab.example.org/mturk/start?study=7</ExternalURL><FrameHeight>0</FrameHeight>
            </ExternalQuestion>""";

    MTurkEmulator emulator;
    MTurkClient mturk;
    MTurkClient noRetry;

    /** What was wrong with any answer, against the service model: every emulator test checks every answer. */
    final java.util.List<String> offModel = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        emulator = MTurkEmulator.start()
                .onAnswer((operation, request, answer) ->
                        offModel.addAll(ServiceModel.get().responseProblems(operation, answer)));
        mturk = client(false);
        noRetry = client(true);
    }

    @AfterEach
    void stop() {
        mturk.close();
        noRetry.close();
        emulator.close();
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(), offModel, "answers off the service model");
    }

    MTurkClient client(boolean withoutRetries) {
        var builder = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEMULATOR", "secret")))
                .httpClient(UrlConnectionHttpClient.create());
        if (withoutRetries) builder.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        return builder.build();
    }

    HIT createHit(String reward, int assignments, Consumer<CreateHitRequest.Builder> more) {
        CreateHitRequest.Builder b = CreateHitRequest.builder()
                .title("Decision study")
                .description("Make ten choices")
                .reward(reward)
                .assignmentDurationInSeconds(3600L)
                .lifetimeInSeconds(86400L)
                .maxAssignments(assignments)
                .autoApprovalDelayInSeconds(7200L)
                .question(QUESTION);
        more.accept(b);
        return mturk.createHIT(b.build()).hit();
    }

    HIT createHit(String reward, int assignments) {
        return createHit(reward, assignments, b -> {});
    }

    String available() {
        return mturk.getAccountBalance(r -> {}).availableBalance();
    }
}
