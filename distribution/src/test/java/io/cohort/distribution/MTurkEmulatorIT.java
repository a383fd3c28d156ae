package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RunningCohort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.MTurkException;

/** bin/cohort mturk-emulator and bin/cohort run --demo (both emulators), run from the unpacked distribution. */
class MTurkEmulatorIT {

    private static final Duration START = Duration.ofSeconds(60);

    private static MTurkClient client(int port, String key, String secret) {
        return MTurkClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** The lines of a .cfg file that are not comments. */
    private static List<String> settings(Path cfg) {
        try {
            return Files.readAllLines(cfg).stream()
                    .filter(l -> !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }

    @Test
    void theLauncherRunsTheEmulatorUntilKilled() throws Exception {
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        int port = RunningCohort.freePort();
        List<String> command = new ArrayList<>(List.of(
                distribution.resolve("bin/cohort").toString(),
                "mturk-emulator",
                "--port",
                Integer.toString(port),
                "--balance",
                "250.00",
                "--access-key-id",
                "AKIDLAB",
                "--secret-key",
                "labsecret"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                        try {
                            return out.readLine();
                        } catch (IOException e) {
                            return "(unreadable: " + e + ")";
                        }
                    })
                    .get(START.toSeconds(), TimeUnit.SECONDS);
            assertEquals(
                    "MTurk emulator: API http://127.0.0.1:" + port + "/  workers http://127.0.0.1:" + port + "/worker/",
                    line);

            try (MTurkClient mturk = client(port, "AKIDLAB", "labsecret")) {
                assertEquals("250.00", mturk.getAccountBalance(r -> {}).availableBalance());
            }
            try (MTurkClient stranger = client(port, "AKIDOTHER", "labsecret")) {
                MTurkException refused = assertThrows(MTurkException.class, () -> stranger.getAccountBalance(r -> {}));
                assertEquals(
                        "UnrecognizedClientException", refused.awsErrorDetails().errorCode());
            }
            HttpResponse<String> site = get(port, "/worker/");
            assertEquals(200, site.statusCode());
            assertTrue(site.body().contains("action=\"/worker/signin\""), site.body());
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    @Test
    void runDemoStartsTheEmulatorsConfiguresTheMTurkPluginAndStopsTheEmulatorsWithThePlatform() throws Exception {
        int port = RunningCohort.freePort();
        int prolific = RunningCohort.freePort();
        Path home;
        try (RunningCohort cohort = RunningCohort.fromSystemProperty()
                .arguments("--demo")
                .env("COHORT_DEMO_MTURK_PORT", Integer.toString(port))
                .env("COHORT_DEMO_PROLIFIC_PORT", Integer.toString(prolific))
                .start()) {
            home = cohort.home();
            List<String> expected = List.of(
                    "mode=sandbox",
                    "endpoint=http://127.0.0.1:" + port,
                    "accessKeyId=DEMO",
                    "secretAccessKey=DEMO",
                    "workerSite=http://127.0.0.1:" + port + "/worker/");
            // FileInstall rewrites each .cfg once at start-up (enableConfigSave): a read may catch it half-written.
            Eventually.within(
                    Duration.ofSeconds(30),
                    "deploy/io.cohort.mturk.cfg as run --demo wrote it",
                    () -> settings(cohort.deployDir().resolve("io.cohort.mturk.cfg")),
                    expected::equals);
            try (MTurkClient mturk = client(port, "DEMO", "DEMO")) {
                assertEquals("10000.00", mturk.getAccountBalance(r -> {}).availableBalance());
            }
            assertEquals(200, get(port, "/worker/").statusCode());
            HttpResponse<String> me = ProlificEmulatorIT.get(prolific, "/api/v1/users/me/", "DEMO");
            assertEquals(200, me.statusCode(), me.body());
            assertTrue(me.body().contains("\"balance\":1000000"), me.body());
            assertEquals(200, get(prolific, "/participant/").statusCode());
        }
        assertThrows(ConnectException.class, () -> get(port, "/worker/"), "the emulator stopped with the platform");
        assertThrows(ConnectException.class, () -> get(prolific, "/participant/"), "the Prolific emulator stopped too");

        // A second run keeps the file the lab may have edited.
        Files.writeString(home.resolve("deploy/io.cohort.mturk.cfg"), "mode=production\n");
        int second = RunningCohort.freePort();
        try (RunningCohort cohort = RunningCohort.fromSystemProperty()
                .home(home)
                .arguments("--demo")
                .env("COHORT_DEMO_MTURK_PORT", Integer.toString(second))
                .env("COHORT_DEMO_PROLIFIC_PORT", Integer.toString(RunningCohort.freePort()))
                .start()) {
            assertEquals(
                    "mode=production\n", Files.readString(cohort.deployDir().resolve("io.cohort.mturk.cfg")));
            assertEquals(200, get(second, "/worker/").statusCode());
        }
    }
}
