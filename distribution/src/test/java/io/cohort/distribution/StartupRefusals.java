package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RunningCohort;
import java.util.List;

/** What a refused start-up must look like: exit code 2 and one line {@code cohort: …} on stderr, no stack trace. */
final class StartupRefusals {

    private StartupRefusals() {}

    /** Checks the exit and returns the {@code cohort: } line. */
    static String assertRefused(RunningCohort.Exit exit, String named) {
        String log = "\n--- stdout ---\n" + exit.stdout() + "\n--- stderr ---\n" + exit.stderr();
        assertEquals(2, exit.code(), "exit code" + log);
        List<String> lines = exit.stderrLines();
        assertFalse(lines.isEmpty(), "stderr is empty" + log);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("cohort: "), "the last line of stderr starts with 'cohort: '" + log);
        assertTrue(last.contains(named), "the line names " + named + log);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("cohort: ")).count(), "one cohort: line" + log);
        assertTrue(
                lines.stream()
                        .noneMatch(
                                l -> l.matches("\\s+at .*") || l.startsWith("Caused by:") || l.contains("Exception")),
                "no stack trace on stderr" + log);
        return last;
    }
}
