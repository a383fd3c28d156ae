package io.cohort.distribution;

import static io.cohort.distribution.StartupRefusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RunningCohort;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** bin/cohort run with a bad setting stops at once with exit code 2 and one line naming the setting. */
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
}
