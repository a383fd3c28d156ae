package io.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;

/**
 * Settling a study from one results file, as nodegame-mturk's {@code uploadResults} does: N workers, each approved,
 * bonused and qualified, through the results-import plugin's JSON API, the ledger, the MTurk plugin and the AWS SDK,
 * against the MTurk emulator limited to R requests a second (the plugin paced to R as well). Figures: the load's
 * check time, the settle's wall time (settle asked → import DONE) as a ratio to its 3N calls / R, and what one call
 * every 500 ms (nodegame-mturk's fixed pace) would take.
 * <p>
 * Usage: {@code bench/results-import.sh [--workers 1000] [--rate 100]}. The distribution must be built.
 */
public final class ResultsImportBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = PageSubmitBench.intArg(args, "--workers", 1000);
        double rate = PageSubmitBench.intArg(args, "--rate", 100);
        Path dist = PaymentBench.distribution();

        try (MTurkEmulator emulator = MTurkEmulator.start()) {
            emulator.balance("1000000.00")
                    .credentials("BENCHKEY", "BENCHSECRET")
                    .rateLimit(rate, Math.max(1, (int) Math.ceil(rate / 10)));
            String hitId = PaymentBench.createHit(emulator.endpoint(), n);
            String qualification = createQualification(emulator);
            StringBuilder csv = new StringBuilder(
                    "id,bonus,WorkerId,AssignmentId,HITId,Approve,Reject,QualificationTypeId,IntegerValue\n");
            String[] assignments = new String[n];
            for (int i = 0; i < n; i++) {
                String worker = String.format("A%013d", i + 1);
                String assignment = emulator.acceptAndSubmit(hitId, worker, "done");
                assignments[i] = assignment;
                csv.append(String.format(
                        "p%d,%d.%02d,%s,%s,%s,x,,%s,1%n",
                        i, (1 + i % 300) / 100, (1 + i % 300) % 100, worker, assignment, hitId, qualification));
            }
            Path home = PaymentBench.homeFor(dist, emulator, rate, "cohort-bench-results-import-");
            try (RunningCohort cohort = RunningCohort.in(dist)
                    .home(home)
                    .env("COHORT_DB_URL", TestDatabase.create())
                    .start()) {
                AdminHttp api = cohort.api();
                PaymentBench.awaitProvider(cohort);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (api.get("/api/results-import").status() != 200) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the results-import plugin did not start within 60 s");
                    }
                    Thread.sleep(200);
                }

                long loadStart = System.nanoTime();
                AdminHttp.Response load = api.postForm(
                        "/api/results-import/load",
                        Map.of(
                                "file", csv.toString(),
                                "name", "results.csv",
                                "hit", hitId,
                                "reason", "Thank you for taking part",
                                "maxBonus", "10.00"));
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                JsonNode loaded = JSON.readTree(load.body()).path("page");
                if (load.status() != 200 || !loaded.path("state").asText().equals("LOADED")) {
                    throw new IllegalStateException("the file was not loaded: " + load);
                }
                String id = loaded.path("id").asText();

                long requestsBefore = emulator.requestCount();
                long settleStart = System.nanoTime();
                AdminHttp.Response settle = api.postForm("/api/results-import/" + id + "/settle", Map.of());
                if (settle.status() != 200) {
                    throw new IllegalStateException("settle refused: " + settle);
                }
                JsonNode done = awaitDone(api, id);
                double wall = (System.nanoTime() - settleStart) / 1e9;
                long calls = 3L * n;
                System.out.printf(
                        "%d workers at R = %.0f/s: load and check %.2f s; settle state %s, batches %s%n",
                        n, rate, loadSeconds, done.path("state").asText(), done.path("batches"));
                System.out.printf(
                        "emulator: %d approved assignments, %d bonuses; requests during the settle: %d (3N = %d)%n",
                        java.util.Arrays.stream(assignments)
                                .filter(a -> "Approved".equals(emulator.assignmentStatus(a)))
                                .count(),
                        emulator.bonusCount(),
                        emulator.requestCount() - requestsBefore,
                        calls);
                System.out.printf(
                        "settle wall (asked -> DONE): %.2f s;  3N/R = %.2f s;  ratio %.3f%n",
                        wall, calls / rate, wall / (calls / rate));
                System.out.printf(
                        "one call per 500 ms (nodegame-mturk's pace): %.0f s, %.1fx longer%n",
                        calls * 0.5, calls * 0.5 / wall);
            }
        }
    }

    private static String createQualification(MTurkEmulator emulator) {
        try (MTurkClient client = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("BENCHKEY", "BENCHSECRET")))
                .build()) {
            return client.createQualificationType(b -> b.name("Settled in the bench")
                            .description("took part")
                            .qualificationTypeStatus("Active"))
                    .qualificationType()
                    .qualificationTypeId();
        }
    }

    private static JsonNode awaitDone(AdminHttp api, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode page =
                    JSON.readTree(api.get("/api/results-import/" + id).body()).path("page");
            if (page.path("state").asText().equals("DONE")) {
                return page;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the import did not finish in 30 minutes");
    }
}
