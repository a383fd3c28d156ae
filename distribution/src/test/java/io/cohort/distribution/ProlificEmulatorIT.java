package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RunningCohort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/cohort prolific-emulator, run from the unpacked distribution (run --demo is checked in MTurkEmulatorIT). */
class ProlificEmulatorIT {

    private static final Duration START = Duration.ofSeconds(60);

    /** GET {@code path} on the emulator, with {@code Authorization: Token <token>} unless token is null. */
    static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) request.header("Authorization", "Token " + token);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theLauncherRunsTheEmulatorUntilKilled() throws Exception {
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        int port = RunningCohort.freePort();
        List<String> command = List.of(
                distribution.resolve("bin/cohort").toString(),
                "prolific-emulator",
                "--port",
                Integer.toString(port),
                "--balance",
                "250.00",
                "--token",
                "labtoken");
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
            // The workspace id is what the Prolific plugin's configuration needs besides the token.
            assertTrue(
                    line.matches("\\QProlific emulator: API http://127.0.0.1:" + port
                            + "/api/v1/  participants http://127.0.0.1:" + port
                            + "/participant/  token labtoken  workspace \\E[0-9a-f]{24}"),
                    line);

            HttpResponse<String> me = get(port, "/api/v1/users/me/", "labtoken");
            assertEquals(200, me.statusCode(), me.body());
            assertTrue(me.body().contains("\"balance\":25000"), me.body());
            HttpResponse<String> stranger = get(port, "/api/v1/users/me/", "other");
            assertEquals(401, stranger.statusCode());
            assertTrue(stranger.body().contains("\"detail\":\"Invalid token.\""), stranger.body());
            HttpResponse<String> site = get(port, "/participant/", null);
            assertEquals(200, site.statusCode());
            assertTrue(site.body().contains("action=\"/participant/\""), site.body());
        } finally {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }
}
