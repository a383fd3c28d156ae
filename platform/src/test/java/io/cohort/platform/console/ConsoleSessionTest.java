package io.cohort.platform.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the console says about a wrong command line before it asks Cohort anything: each message names the command
 * and the option or argument (the address is one nothing listens on, so a request would fail differently).
 */
class ConsoleSessionTest {

    private final StringWriter printed = new StringWriter();
    private final ConsoleSession console = new ConsoleSession(
            new ConsoleSession.Settings(
                    URI.create("http://127.0.0.1:9/"),
                    "token",
                    false,
                    false,
                    false,
                    null,
                    0,
                    Duration.ZERO,
                    Duration.ZERO),
            new PrintWriter(printed),
            false);

    private String refusal(String line) {
        return assertThrows(ConsoleError.class, () -> console.run(line)).getMessage();
    }

    @Test
    void wrongCommandsAndMissingArgumentsAreNamed() {
        assertTrue(
                refusal("frobnicate now").startsWith("unknown command 'frobnicate'; the commands are connect, load,"));
        assertEquals(
                "assignQualification: --value is required (usage: assignQualification --value N [--qualification ID]"
                        + " [WORKER ...])",
                refusal("assignQualification AWORKER1"));
        assertEquals(
                "extendHIT: --assignments needs a value (usage: extendHIT [ID] [--assignments N] [--seconds S])",
                refusal("extendHIT 3ABC --assignments"));
        assertEquals("expireHIT: unknown option --now (it takes none)", refusal("expireHIT --now"));
        assertEquals(
                "grantBonus: unknown option --amount (its options: --reason, --max)",
                refusal("grantBonus --amount 1.00"));
        assertEquals("grantBonus: --reason is required (the worker sees it)", refusal("grantBonus A1 3X 1.00"));
        assertEquals("show: say what: Summary, Results or HITStatus", refusal("show"));
        assertEquals("nothing is loaded: load FILE (or load --game NAME min-max) first", refusal("show Summary"));
        assertEquals("load: rooms '60-' is not a range such as 60-61", refusal("load --game ultimatum 60-"));
        assertEquals("notify: --subject is required", refusal("notify --message Hello AWORKER1"));
        assertTrue(refusal("load /no/such/results.csv").startsWith("load: cannot read /no/such/results.csv"));
        assertEquals(
                "a quote (\") is not closed in: grantBonus --reason \"Thanks", refusal("grantBonus --reason \"Thanks"));
        assertEquals("", printed.toString(), "a refusal prints nothing");
    }

    @Test
    void helpExplainsACommandAndExitEndsTheSession() {
        assertTrue(console.run("help grantBonus"));
        assertEquals(
                "grantBonus --reason TEXT [WORKER ASSIGNMENT AMOUNT]%n  Pay bonuses through the ledger: one worker, or the loaded plan's bonuses.%n"
                        .formatted(),
                printed.toString());
        assertTrue(console.run("   "), "an empty line is nothing to do");
        assertFalse(console.run("exit"));
    }

    @Test
    void wordsAreSplitAtSpacesOutsideQuotes() {
        assertEquals(
                List.of("grantBonus", "--reason", "Thank you, really", "A1", "it's"),
                CommandLineWords.split("grantBonus --reason \"Thank you, really\"  A1 'it'\\''s'"));
        assertEquals(List.of("notify", "--subject", "a b"), CommandLineWords.split("notify --subject a\\ b"));
    }
}
