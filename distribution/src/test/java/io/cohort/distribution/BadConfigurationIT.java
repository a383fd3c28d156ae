package io.cohort.distribution;

import static io.cohort.distribution.StartupRefusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RunningCohort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bin/cohort run with a bad setting stops at once with exit code 2 and one line naming the setting; the command line
 * explains itself.
 */
class BadConfigurationIT {

    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void anUnknownKeyInTheFileIsNamed() {
        String line = assertRefused(
                RunningCohort.fromSystemProperty().properties("htp.port=1\n").runToExit(EXIT), "htp.port");
        assertTrue(line.contains("unknown key"), line);
    }

    @Test
    void aPortOutOfRangeFromTheEnvironmentIsNamed() {
        String line = assertRefused(
                RunningCohort.fromSystemProperty().env("COHORT_PORT", "70000").runToExit(EXIT), "http.port");
        assertTrue(line.contains("70000"), line);
    }

    @Test
    void aPortThatIsNoNumberInTheFileIsNamed() {
        String line = assertRefused(
                RunningCohort.fromSystemProperty()
                        .env("COHORT_PORT", null)
                        .properties("http.port=abc\n")
                        .runToExit(EXIT),
                "http.port");
        assertTrue(line.contains("abc"), line);
    }

    @Test
    void anUnreachableDatabaseIsNamedByItsAddress() {
        String line = assertRefused(
                RunningCohort.fromSystemProperty()
                        .env("COHORT_DB_URL", "jdbc:postgresql://127.0.0.1:1/x")
                        .runToExit(EXIT),
                "127.0.0.1:1");
        assertTrue(line.contains("db.url"), line);
    }

    @Test
    void anEmptyPortMeansTheDefault() {
        // COHORT_PORT= (as a unit file may leave it) is "not set": the file's port is used, not refused as "".
        RunningCohort.Exit exit = RunningCohort.fromSystemProperty()
                .env("COHORT_PORT", "")
                .properties("http.port=abc\n")
                .runToExit(EXIT);
        String line = assertRefused(exit, "http.port");
        assertTrue(line.contains("'abc'") || line.contains("abc"), "the file's value was read: " + line);
    }

    @Test
    void helpListsEveryCommandAndTheEnvironment() throws Exception {
        String help = cohort("--help");
        for (String expected : List.of(
                "run",
                "run --demo",
                "mturk-emulator",
                "prolific-emulator",
                "dump",
                "restore",
                "COHORT_HOME",
                "COHORT_PORT",
                "COHORT_DB_URL",
                "COHORT_ADMIN_PASSWORD",
                "COHORT_DEMO_MTURK_PORT",
                "COHORT_DEMO_PROLIFIC_PORT")) {
            assertTrue(help.contains(expected), expected + " in:\n" + help);
        }
        String run = cohort("run", "--help");
        assertTrue(run.contains("--demo") && run.contains("MTurk emulator"), run);
    }

    @Test
    void aBusyDemoEmulatorPortNamesTheRealCause() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            RunningCohort.Exit exit = RunningCohort.fromSystemProperty()
                    .arguments("--demo")
                    .env("COHORT_DEMO_MTURK_PORT", Integer.toString(taken.getLocalPort()))
                    .env("COHORT_DEMO_PROLIFIC_PORT", Integer.toString(RunningCohort.freePort()))
                    .runToExit(EXIT);
            org.junit.jupiter.api.Assertions.assertEquals(2, exit.code(), exit.stdout() + exit.stderr());
            String said = exit.stderr();
            assertTrue(
                    said.contains("MTurk emulator did not start on port " + taken.getLocalPort())
                            && said.contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use"),
                    said);
        }
    }

    /** bin/cohort's standard output and error for {@code args}, after it exited 0. */
    private static String cohort(String... args) throws Exception {
        Path script = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY), "bin", "cohort");
        List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        org.junit.jupiter.api.Assertions.assertEquals(0, p.exitValue(), out);
        return out;
    }
}
