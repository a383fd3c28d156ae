package io.cohort.platform.psiturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** config.txt read as psiTurk's ConfigParser reads it, with psiTurk's defaults for what is missing. */
class PsiturkConfigTest {

    static final String SOURCE = "experiments/x/config.txt";

    @Test
    void psiturksExampleWithNearlyEveryLineCommentedTakesPsiturksDefaults() throws Exception {
        PsiturkConfig c = PsiturkConfig.read("""
                [HIT Configuration]
                ;title = Stroop task
                # description = Judge the color of a series of words.
                [Task Parameters]
                ;experiment_code_version = 1.0
                ;num_conds = 1
                """, SOURCE);
        assertEquals("x", c.title("x"), "the folder's name stands in for a missing title");
        assertEquals("1.0", c.codeVersion());
        assertEquals(1, c.conditions());
        assertEquals(1, c.counterbalances());
        assertFalse(c.allowRepeats());
        assertTrue(c.usOnly());
        assertEquals(95, c.approvalRate());
        assertEquals(100, c.rewardCents());
        assertEquals(List.of(), c.notes());
    }

    @Test
    void valuesAreReadWithEitherSeparatorAndContinuationLines() throws Exception {
        PsiturkConfig c = PsiturkConfig.read("""
                [HIT Configuration]
                title: Colours
                description = Judge colours,
                  quickly
                allow_repeats = yes
                reward = 2.5
                [Task Parameters]
                code_version = 3.b
                num_conds = 4
                num_counters=2
                [Server Parameters]
                port = 22362
                wibble = 1
                """, SOURCE);
        assertEquals("Colours", c.title("x"));
        assertEquals("Judge colours,\nquickly", c.get("description"));
        assertTrue(c.allowRepeats());
        assertEquals(250, c.rewardCents());
        assertEquals("3.b", c.codeVersion(), "code_version as some projects spell it");
        assertEquals(4, c.conditions());
        assertEquals(2, c.counterbalances());
        assertEquals(
                List.of(
                        SOURCE + ":12: port is psiTurk's own and not used by Cohort",
                        SOURCE + ":13: wibble is not a key Cohort knows; it is ignored"),
                c.notes());
    }

    @Test
    void theHitSettingsFillTheMturkForm() throws Exception {
        PsiturkConfig c = PsiturkConfig.read("""
                [HIT Configuration]
                title = Colours & shapes
                amt_keywords = Perception, Psychology
                duration = 0.5
                approve_requirement = 98
                us_only = false
                locale = US, CA
                allow_repeats = true
                """, SOURCE);
        assertEquals(
                "sessionId=s1&title=Colours+%26+shapes&description=&keywords=Perception%2C+Psychology&reward=1.00"
                        + "&durationMinutes=30&lifetimeHours=24&minApprovalRate=98&minApproved=0&countries=US%2C+CA"
                        + "&allowRepeats=true",
                c.hitQuery("x", "s1"));
    }

    @Test
    void everyProblemIsNamedWithFileLineAndKey() {
        PsiturkConfig.Invalid e = assertThrows(PsiturkConfig.Invalid.class, () -> PsiturkConfig.read("""
                num_conds = 2
                [Task Parameters]
                num_conds = many
                num_counters = 1
                num_counters = 2
                not a setting
                [HIT Configuration]
                us_only = maybe
                reward = 1.234
                duration = -1
                experiment_code_version = 1 0
                """, SOURCE));
        assertEquals(
                List.of(
                        SOURCE + ":1: num_conds: comes before any [Section] header",
                        SOURCE + ":5: num_counters: set twice in [Task Parameters] (first on line 4)",
                        SOURCE + ":6: 'not a setting' is not a 'key = value' line",
                        SOURCE + ":3: num_conds: 'many' is not a whole number from 1 to 1000",
                        SOURCE + ":8: us_only: 'maybe' is not true or false",
                        SOURCE + ":10: duration: '-1' is not a number of hours above 0",
                        SOURCE + ":9: reward: '1.234' is not an amount in dollars such as 1.50",
                        SOURCE + ":11: experiment_code_version: '1 0' may hold only letters, digits, '.', '_', '+'"
                                + " and '-'"),
                e.problems());
    }

    @Test
    void theBonusRuleIsReadWithItsOwnLineNumbers() throws Exception {
        PsiturkProject.BonusRule rule =
                PsiturkProject.bonusRule("# ten cents a hit\nper_trial = 0.10\nfield = hit\nmax = 2\n", "b.txt");
        assertEquals(new PsiturkProject.BonusRule(10, "hit", "true", 200), rule);
        PsiturkConfig.Invalid e = assertThrows(
                PsiturkConfig.Invalid.class, () -> PsiturkProject.bonusRule("\nper_trial = ten\n", "b.txt"));
        assertEquals(List.of("b.txt:2: per_trial: 'ten' is not an amount in dollars such as 0.05"), e.problems());
    }
}
