package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
final class MTurkLab extends CrowdLab {

    static final String KEY = "LABKEY";
    static final String SECRET = "LABSECRET";

    final MTurkEmulator emulator;
    private final MTurkClient requester;

    /** A worker who took an assignment and became a participant. */
    record Worker(String workerId, String assignmentId, String participantUrl) implements CrowdLab.Paid {}

    /**
     * @param extraConfig more lines for the plugin's {@code io.cohort.mturk.cfg} (e.g. {@code retries=0})
     * @param experiments experiments/ folders to copy beside the distribution's (fixtures under src/test/resources)
     */
    MTurkLab(String extraConfig, String... experiments) throws IOException {
        super("mturk", "MTurk", experiments);
        emulator = MTurkEmulator.start().credentials(KEY, SECRET);
        configure(builder.home().resolve("deploy"), emulator, port, extraConfig);
        requester = MTurkClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .build();
    }

    /** Writes {@code deploy/io.cohort.mturk.cfg}: the MTurk plugin (shipped in deploy/) calls {@code emulator}. */
    static void configure(Path deploy, MTurkEmulator emulator, int port, String extraConfig) throws IOException {
        Files.writeString(
                deploy.resolve("io.cohort.mturk.cfg"),
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
    }

    @Override
    String banner() {
        return "mturk: SANDBOX";
    }

    /** Starts (or starts again, same home, port and database) and waits until the MTurk provider is running. */
    @Override
    MTurkLab start() {
        super.start();
        return this;
    }

    /** The lab's own AWS SDK client on the emulator, as the requester. */
    MTurkClient requester() {
        return requester;
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
        return workersComplete(http, emulator, hitId, count, prefix);
    }

    /** As {@link #workersComplete(String, int, String)}, on {@code emulator}, for a node another lab runs. */
    static List<Worker> workersComplete(
            AdminHttp http, MTurkEmulator emulator, String hitId, int count, String prefix) {
        return inParallel(http.base(), count, (i, client) -> {
            String workerId = String.format("A%s%09d", prefix, i + 1);
            String assignmentId = emulator.accept(hitId, workerId);
            AdminHttp.Response landed = client.get("/mturk/start?hitId=" + hitId + "&assignmentId=" + assignmentId
                    + "&workerId=" + workerId + "&turkSubmitTo="
                    + enc(emulator.workerSite().resolve("/").toString()));
            assertEquals(303, landed.status(), "worker " + workerId + " lands: " + landed);
            String url = landed.location();
            String path = URI.create(url).getPath();
            AdminHttp.Response answered = client.postFormAsIs(path, Map.of("_page", "0"));
            assertEquals(303, answered.status(), "worker " + workerId + " answers: " + answered);
            String[] parts = path.split("/");
            AdminHttp.Response submitted =
                    client.postFormAsIs("/mturk/submit", Map.of("sessionId", parts[2], "token", parts[3]));
            assertEquals(200, submitted.status(), "worker " + workerId + " submits: " + submitted);
            emulator.submit(assignmentId, "<QuestionFormAnswers/>");
            return new Worker(workerId, assignmentId, url);
        });
    }

    @Override
    public void close() {
        super.close();
        requester.close();
        emulator.close();
    }
}
