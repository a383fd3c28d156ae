package io.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Folders;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;

/**
 * N bonuses through the whole path — the Payments API, the ledger, the MTurk plugin, the AWS SDK — against the
 * MTurk emulator limited to R requests a second (the plugin paced to R as well). The figure is the batch's wall time
 * (ledger commit to the last row settled, from the ledger's own timestamps) as a ratio to N / R, beside what one
 * call every 500 ms (nodegame-mturk's default pace) would take.
 * <p>
 * Usage: {@code bench/payments.sh [--bonuses 10000] [--rate 100] [--latency-ms 0]}. The distribution must be built.
 */
public final class PaymentBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = PageSubmitBench.intArg(args, "--bonuses", 10_000);
        double rate = PageSubmitBench.intArg(args, "--rate", 100);
        int latency = PageSubmitBench.intArg(args, "--latency-ms", 0);
        Path dist = distribution();

        try (MTurkEmulator emulator = MTurkEmulator.start()) {
            emulator.balance("1000000.00")
                    .credentials("BENCHKEY", "BENCHSECRET")
                    .rateLimit(rate, Math.max(1, (int) Math.ceil(rate / 10)))
                    .latency(Duration.ofMillis(latency));
            String hitId = createHit(emulator.endpoint(), n);
            String[][] assignments = new String[n][];
            for (int i = 0; i < n; i++) {
                String worker = String.format("A%013d", i + 1);
                assignments[i] = new String[] {worker, emulator.acceptAndSubmit(hitId, worker, "done")};
            }
            // The pace is the emulator's limit alone while the workers were set up; from here the plugin keeps to it.
            Path home = homeFor(dist, emulator, rate, "cohort-bench-payments-");
            String db = TestDatabase.create();
            try (RunningCohort cohort =
                    RunningCohort.in(dist).home(home).env("COHORT_DB_URL", db).start()) {
                AdminHttp api = cohort.api();
                awaitProvider(cohort);
                AdminHttp.Response session = api.postForm(
                        "/api/sessions", Map.of("experiment", "stroop", "participants", "0", "name", "bench"));
                if (session.status() / 100 != 2) {
                    throw new IllegalStateException("cannot create the session: " + session);
                }
                String sessionId =
                        JSON.readTree(session.body()).path("session").path("id").asText();
                approvedWorkers(db, sessionId, hitId, assignments);

                long requestsBefore = emulator.requestCount();
                Instant asked = Instant.now();
                AdminHttp.Response commit = api.postForm(
                        "/api/payments/commit",
                        Map.of(
                                "action",
                                "bonus-auto",
                                "reason",
                                "Thank you for taking part",
                                "min",
                                "0.01",
                                "max",
                                "10.00"));
                if (commit.status() != 201) {
                    throw new IllegalStateException("commit refused: " + commit);
                }
                long batch = JSON.readTree(commit.body()).path("id").asLong();
                JsonNode done = awaitFinished(api, batch);
                Instant seen = Instant.now();
                Instant created = Instant.parse(done.path("created").asText());
                Instant finished = Instant.parse(done.path("finished").asText());
                double wall = Duration.between(created, finished).toMillis() / 1000.0;
                double ideal = n / rate;
                System.out.printf(
                        "bonuses %d at R = %.0f/s: %d confirmed, %d failed; emulator holds %d bonuses%n",
                        n,
                        rate,
                        done.path("confirmed").asInt(),
                        done.path("failed").asInt(),
                        emulator.bonusCount());
                System.out.printf(
                        "wall (ledger commit -> last row settled): %.2f s;  N/R = %.2f s;  ratio %.3f (target <= 1.1)%n",
                        wall, ideal, wall / ideal);
                System.out.printf(
                        "request -> finished seen by the client: %.2f s; requests the emulator received: %d%n",
                        Duration.between(asked, seen).toMillis() / 1000.0, emulator.requestCount() - requestsBefore);
                System.out.printf(
                        "one call per 500 ms (nodegame-mturk's pace): %.0f s, %.1fx longer%n", n * 0.5, n * 0.5 / wall);
            }
        }
    }

    /** A new home with the distribution's experiments and plugins, the MTurk plugin on the emulator, paced to rate. */
    static Path homeFor(Path dist, MTurkEmulator emulator, double rate, String prefix) throws java.io.IOException {
        Path home = Files.createTempDirectory(prefix);
        Folders.copy(dist.resolve("experiments"), home.resolve("experiments"));
        Folders.copy(dist.resolve("deploy"), home.resolve("deploy"));
        Files.writeString(
                home.resolve("deploy/io.cohort.mturk.cfg"),
                String.join(
                        "\n",
                        "mode=sandbox",
                        "endpoint=" + emulator.endpoint(),
                        "accessKeyId=BENCHKEY",
                        "secretAccessKey=BENCHSECRET",
                        "ratePerSecond=" + rate,
                        "retries=3",
                        ""));
        return home;
    }

    /** The unpacked distribution under distribution/target/. */
    static Path distribution() throws Exception {
        try (Stream<Path> dirs = Files.list(Path.of("distribution/target"))) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/cohort")))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no unpacked distribution under distribution/target/:"
                            + " run ./mvnw -B -DskipTests install first"));
        }
    }

    static String createHit(URI endpoint, int assignments) {
        try (MTurkClient client = MTurkClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("BENCHKEY", "BENCHSECRET")))
                .build()) {
            return client.createHIT(
                            b -> b.title("Payment bench")
                                    .description("bench")
                                    .reward("0.01")
                                    .assignmentDurationInSeconds(3600L)
                                    .lifetimeInSeconds(86400L)
                                    .maxAssignments(assignments)
                                    .question(
                                            "<ExternalQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd\">"
                                                    + "<ExternalURL>https://127.0.0.1/mturk/start</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>"))
                    .hit()
                    .hitId();
        }
    }

    /** N approved MTurk participants with bonuses of 0.01–5.00, written straight to the database: setup, not measured. */
    private static void approvedWorkers(String db, String sessionId, String hitId, String[][] assignments)
            throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO cohort.participant (id, session_id, name, token, provider,"
                                + " worker_id, assignment_id, hit_id, mode, experiment, code_version, status, bonus_cents)"
                                + " VALUES (?, ?, ?, ?, 'mturk', ?, ?, ?, 'SANDBOX', 'stroop', '1.0', 'APPROVED', ?)")) {
            c.setAutoCommit(false);
            for (int i = 0; i < assignments.length; i++) {
                ps.setString(1, "bench" + i);
                ps.setString(2, sessionId);
                ps.setString(3, assignments[i][0]);
                ps.setString(4, "benchtoken" + i);
                ps.setString(5, assignments[i][0]);
                ps.setString(6, assignments[i][1]);
                ps.setString(7, hitId);
                ps.setLong(8, 1 + (i * 37L) % 500);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        }
    }

    static void awaitProvider(RunningCohort cohort) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cohort.admin().get("/admin/").body().contains("mturk: SANDBOX")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the MTurk plugin did not start within 60 s:\n" + cohort.stderr());
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode awaitFinished(AdminHttp api, long batch) throws Exception {
        while (true) {
            JsonNode b = JSON.readTree(api.get("/api/payments/batches/" + batch).body())
                    .path("batch");
            if (!b.path("finished").isNull() && !b.path("finished").isMissingNode()) {
                return b;
            }
            Thread.sleep(200);
        }
    }
}
