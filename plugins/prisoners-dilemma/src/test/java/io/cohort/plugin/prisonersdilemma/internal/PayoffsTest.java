package io.cohort.plugin.prisonersdilemma.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PayoffsTest {

    static final String DEFAULTS =
            "{\"payoff\": {\"CC\": [3,3], \"CD\": [0,5], \"DC\": [5,0], \"DD\": [1,1]}," + " \"centsPerPoint\": 10}";

    @Test
    void eachPairOfChoicesScoresFromThePlayersSide() {
        Payoffs payoffs = Payoffs.of(DEFAULTS, "{}");
        assertEquals(3, payoffs.points("cooperate", "cooperate"));
        assertEquals(0, payoffs.points("cooperate", "defect"));
        assertEquals(5, payoffs.points("defect", "cooperate"));
        assertEquals(1, payoffs.points("defect", "defect"));
        assertEquals(0, payoffs.points("defect", Payoffs.NONE), "no partner, no points");
        assertEquals(0, payoffs.points(Payoffs.NONE, "cooperate"));
        assertEquals(90, payoffs.cents(9));
    }

    @Test
    void theSessionsSettingsReplaceTheDefaultsKeyByKey() {
        Payoffs payoffs = Payoffs.of(DEFAULTS, "{\"centsPerPoint\": 25, \"trials\": 3}");
        assertEquals(125, payoffs.cents(5));
        assertEquals(5, payoffs.points("defect", "cooperate"), "payoff still from the defaults");
        Payoffs own =
                Payoffs.of(DEFAULTS, "{\"payoff\": {\"CC\": [4,4], \"CD\": [1,6], \"DC\": [6,1], \"DD\": [2,2]}}");
        assertEquals(4, own.points("cooperate", "cooperate"));
        assertEquals(100, own.cents(10));
    }

    @Test
    void badSettingsAreNamed() {
        assertEquals(
                "settings: payoff.DD must be two whole numbers [player, partner], not missing",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Payoffs.of(
                                        "{\"payoff\": {\"CC\": [3,3], \"CD\": [0,5], \"DC\": [5,0]}, \"centsPerPoint\": 10}",
                                        "{}"))
                        .getMessage());
        assertEquals(
                "settings: payoff.CD must be two whole numbers [player, partner], not [0.5,5]",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Payoffs.of(DEFAULTS.replace("[0,5]", "[0.5,5]"), "{}"))
                        .getMessage());
        assertEquals(
                "settings: centsPerPoint must be a whole number of cents >= 0, not -1",
                assertThrows(IllegalArgumentException.class, () -> Payoffs.of(DEFAULTS, "{\"centsPerPoint\": -1}"))
                        .getMessage());
        assertEquals(
                "the session's settings must be a JSON object, not [1]",
                assertThrows(IllegalArgumentException.class, () -> Payoffs.of(DEFAULTS, "[1]"))
                        .getMessage());
    }
}
