package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.HIT;

/**
 * A lab rehearsing on the MTurk emulator: the built distribution with the MTurk plugin pointed at an emulator in
 * this JVM, a session, HITs posted from the plugin's tab, and workers who arrive through {@code /mturk/start},
 * finish and submit — each step through the interface a worker or an admin uses.
 */
final class MTurkLab implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "LABKEY";
    static final String SECRET = "LABSECRET";

    final MTurkEmulator emulator;
    final RunningCohort.Builder builder;
    /** The port of the address the plugin gives MTurk (publicUrl): the node's, or a proxy's in front of several. */
    final int port;

    RunningCohort cohort;
    private final MTurkClient requester;

    /** A worker who took an assignment and became a participant. */
    record Worker(String workerId, String assignmentId, String participantUrl) {}

    /**
     * @param extraConfig more lines for the plugin's {@code io.cohort.mturk.cfg} (e.g. {@code retries=0})
     * @param experiments experiments/ folders to copy beside the distribution's (fixtures under src/test/resources)
     */
    MTurkLab(String extraConfig, String... experiments) throws IOException {
        emulator = MTurkEmulator.start().credentials(KEY, SECRET);
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        port = RunningCohort.freePort();
        Path home = Players.homeWithDemos(distribution);
        for (String experiment : experiments) {
            Players.copyTree(
                    Path.of("src/test/resources/experiments", experiment),
                    home.resolve("experiments").resolve(experiment));
        }
        Files.writeString(
                home.resolve("deploy/io.cohort.mturk.cfg"),
                String.join(
                        "\n",
                        "mode=sandbox",
                        "endpoint=" + emulator.endpoint(),
                        "accessKeyId=" + KEY,
                        "secretAccessKey=" + SECRET,
                        "workerSite=" + emulator.workerSite(),
                        "publicUrl=http://127.0.0.1:" + port,
                        extraConfig,
                        ""));
        builder = RunningCohort.in(distribution).home(home).env("COHORT_PORT", Integer.toString(port));
        requester = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .build();
    }

    /** Starts (or starts again, same home, port and database) and waits until the MTurk provider is running. */
    MTurkLab start() {
        cohort = builder.start();
        // Generous: with other ITs running beside it, the plugin has been seen to take over 30 s to start.
        Eventually.within(
                Duration.ofSeconds(90),
                "the MTurk plugin shows its mode in the admin banner",
                () -> cohort.admin().get("/admin/").body(),
                page -> page.contains("mturk: SANDBOX"));
        return this;
    }

    AdminHttp api() {
        return cohort.api();
    }

    /** The lab's own AWS SDK client on the emulator, as the requester. */
    MTurkClient requester() {
        return requester;
    }

    /** A session of {@code experiment} opened through the API, with no participants yet: workers add themselves. */
    String session(String experiment, String settings) {
        AdminHttp.Response r = cohort.api()
                .postForm(
                        "/api/sessions",
                        Map.of(
                                "experiment",
                                experiment,
                                "participants",
                                "0",
                                "name",
                                experiment + " on MTurk",
                                "settings",
                                settings));
        assertEquals(201, r.status(), r.toString());
        return read(r).path("session").path("id").asText();
    }

    /** Posts a HIT for the session from the plugin's admin tab (the form, with its CSRF token); returns its ID. */
    String postHit(String session, String reward, int assignments) {
        List<String> before = hitIds();
        AdminHttp admin = cohort.admin();
        admin.get("/admin/mturk");
        AdminHttp.Response r = admin.postForm("/admin/mturk/post", hitForm(session, reward, assignments));
        assertEquals(3, r.status() / 100, "posting a HIT: " + r);
        List<String> after = hitIds();
        after.removeAll(before);
        assertEquals(1, after.size(), "one new HIT on the emulator: " + after);
        return after.get(0);
    }

    /** The MTurk tab's "Post a HIT" form, filled in as a lab would for a short study. */
    static Map<String, String> hitForm(String session, String reward, int assignments) {
        return Map.ofEntries(
                Map.entry("sessionId", session),
                Map.entry("title", "A short study"),
                Map.entry("description", "Answer a few questions"),
                Map.entry("keywords", "study"),
                Map.entry("reward", reward),
                Map.entry("durationMinutes", "60"),
                Map.entry("lifetimeHours", "24"),
                Map.entry("autoApprovalHours", "72"),
                Map.entry("maxAssignments", Integer.toString(assignments)),
                Map.entry("token", UUID.randomUUID().toString()));
    }

    /** The HIT's status as MTurk reports it to the requester. */
    String hitStatus(String hitId) {
        return requester.getHIT(b -> b.hitId(hitId)).hit().hitStatusAsString();
    }

    /** The participant a worker became, from the session's JSON. */
    JsonNode participant(String session, String workerId) {
        for (JsonNode p : read(cohort.api().get("/api/sessions/" + session)).path("participants")) {
            if (p.path("name").asText().equals(workerId)) {
                return p;
            }
        }
        throw new AssertionError("no participant " + workerId + " in session " + session);
    }

    private List<String> hitIds() {
        return new ArrayList<>(requester.listHITs(b -> b.maxResults(100)).hiTs().stream()
                .map(HIT::hitId)
                .toList());
    }

    /**
     * {@code count} workers take the HIT on the emulator, land on {@code /mturk/start}, answer the one-page
     * experiment, press the end page's submit button (→ SUBMITTED) and submit on MTurk.
     */
    List<Worker> workersComplete(String hitId, int count, String prefix) {
        return workersComplete(cohort.http(), hitId, count, prefix);
    }

    /** As {@link #workersComplete(String, int, String)}, the workers' requests going to {@code http}'s address. */
    List<Worker> workersComplete(AdminHttp http, String hitId, int count, String prefix) {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String workerId = String.format("A%s%09d", prefix, i + 1);
            String assignmentId = emulator.accept(hitId, workerId);
            AdminHttp.Response landed = http.get("/mturk/start?hitId=" + hitId + "&assignmentId=" + assignmentId
                    + "&workerId=" + workerId + "&turkSubmitTo="
                    + enc(emulator.workerSite().resolve("/").toString()));
            assertEquals(303, landed.status(), "worker " + workerId + " lands: " + landed);
            String url = landed.location();
            String path = URI.create(url).getPath();
            AdminHttp.Response answered = http.postFormAsIs(path, Map.of("_page", "0"));
            assertEquals(303, answered.status(), "worker " + workerId + " answers: " + answered);
            String[] parts = path.split("/");
            AdminHttp.Response submitted =
                    http.postFormAsIs("/mturk/submit", Map.of("sessionId", parts[2], "token", parts[3]));
            assertEquals(200, submitted.status(), "worker " + workerId + " submits: " + submitted);
            emulator.submit(assignmentId, "<QuestionFormAnswers/>");
            workers.add(new Worker(workerId, assignmentId, url));
        }
        return workers;
    }

    /** Commits a plan through the Payments API and returns the batch. */
    JsonNode commit(Map<String, String> form) {
        AdminHttp.Response r = cohort.api().postForm("/api/payments/commit", form);
        assertEquals(201, r.status(), "commit " + form.get("action") + ": " + r);
        return read(r);
    }

    JsonNode batch(long id) {
        AdminHttp.Response r = cohort.api().get("/api/payments/batches/" + id);
        assertEquals(200, r.status(), r.toString());
        return read(r);
    }

    JsonNode awaitFinished(long id, Duration within) {
        return Eventually.within(
                        within,
                        "payment batch " + id + " finishes",
                        () -> batch(id),
                        b -> !b.path("batch").path("finished").isNull())
                .value();
    }

    /** A bonus file for the Payments API's commit: each worker, {@code amount.apply(i)} dollars, 0.01 to 5.00. */
    static Map<String, String> bonusFile(List<Worker> workers, java.util.function.IntFunction<String> amount) {
        return Map.of("action", "file", "kind", "bonus", "min", "0.01", "max", "5.00", "rows", csv(workers, amount));
    }

    static String csv(List<Worker> workers, java.util.function.IntFunction<String> amount) {
        StringBuilder rows = new StringBuilder("worker_id,assignment_id,amount,reason\n");
        for (int i = 0; i < workers.size(); i++) {
            rows.append(workers.get(i).workerId())
                    .append(',')
                    .append(workers.get(i).assignmentId())
                    .append(',')
                    .append(amount.apply(i))
                    .append(",Thank you\n");
        }
        return rows.toString();
    }

    static JsonNode read(AdminHttp.Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (cohort != null) {
            cohort.close();
        }
        requester.close();
        emulator.close();
    }
}
