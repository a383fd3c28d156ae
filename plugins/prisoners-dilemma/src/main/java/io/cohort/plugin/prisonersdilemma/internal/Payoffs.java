package io.cohort.plugin.prisonersdilemma.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The payoff table of a session: points for each pair of choices, and what a point is worth in cents.
 * Read from the settings {@code {"payoff": {"CC": [3,3], "CD": [0,5], "DC": [5,0], "DD": [1,1]}, "centsPerPoint": 10}},
 * where the first letter is the player's choice (C = cooperate, D = defect), the second the partner's, and each
 * pair is [player's points, partner's points]. {@code table} keeps the player's points by pair ({@code "CD"} → 0).
 */
record Payoffs(Map<String, Integer> table, int centsPerPoint) {

    static final String COOPERATE = "cooperate";
    static final String DEFECT = "defect";
    /** The partner's choice when there is no partner (dropped out): no one scores. */
    static final String NONE = "none";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The session's settings over the experiment's defaults (key by key at the top level).
     *
     * @throws IllegalArgumentException naming the setting that is missing or malformed
     */
    static Payoffs of(String defaults, String session) {
        ObjectNode settings = object(defaults, "the experiment's default settings");
        settings.setAll(object(session, "the session's settings"));
        JsonNode payoff = settings.path("payoff");
        Map<String, Integer> table = new HashMap<>();
        for (String pair : new String[] {"CC", "CD", "DC", "DD"}) {
            JsonNode points = payoff.path(pair);
            if (!points.isArray() || points.size() != 2 || !isInt(points.get(0)) || !isInt(points.get(1))) {
                throw new IllegalArgumentException("settings: payoff." + pair + " must be two whole numbers"
                        + " [player, partner], not " + (points.isMissingNode() ? "missing" : points.toString()));
            }
            table.put(pair, points.get(0).intValue());
        }
        JsonNode cents = settings.path("centsPerPoint");
        if (!isInt(cents) || cents.intValue() < 0) {
            throw new IllegalArgumentException("settings: centsPerPoint must be a whole number of cents >= 0, not "
                    + (cents.isMissingNode() ? "missing" : cents.toString()));
        }
        return new Payoffs(Map.copyOf(table), cents.intValue());
    }

    private static boolean isInt(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToInt();
    }

    private static ObjectNode object(String json, String what) {
        if (json == null || json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException(what + " must be a JSON object, not " + json);
            }
            return object;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The player's points for one round; 0 when either choice is missing or {@link #NONE}. */
    int points(String own, String partner) {
        return table.getOrDefault(letter(own) + letter(partner), 0);
    }

    private static String letter(String choice) {
        if (COOPERATE.equals(choice)) {
            return "C";
        }
        return DEFECT.equals(choice) ? "D" : "?";
    }

    long cents(int points) {
        return (long) points * centsPerPoint;
    }
}
