package io.cohort.platform.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Setting;
import io.cohort.api.experiment.SettingType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a session of an experiment may have: what its {@code experiment.yaml} declares, and the few the host
 * reads itself. A new session's or room's settings are checked here before anything is created, so a typo'd key,
 * a wrong type or a value out of range is refused naming the key, instead of surfacing as a participant's error
 * page halfway through a game.
 */
public final class SessionSettings {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The explicit "leave the odd ones without a full group" of a participant count that is not whole groups. */
    public static final String INCOMPLETE_GROUPS = "incomplete_groups";

    /** Read by the host for every experiment. */
    public static final List<Setting> HOST = List.of(
            new Setting(
                    "wait_timeout_seconds",
                    SettingType.INT,
                    null,
                    0.0,
                    86_400.0,
                    List.of(),
                    "Seconds a group waits for a member who went offline"),
            new Setting(
                    INCOMPLETE_GROUPS,
                    SettingType.BOOLEAN,
                    "false",
                    null,
                    null,
                    List.of(),
                    "Allow a last group smaller than the experiment's group size"),
            new Setting(
                    "condition_policy",
                    SettingType.TEXT,
                    null,
                    null,
                    null,
                    List.of(),
                    "Condition assignment (a ConditionPolicy service's name)"));

    private SessionSettings() {}

    /**
     * The experiment's own settings: as declared, or, for an experiment that gives only defaults (a bundle built
     * against api 1.0), one per default with the type its value has.
     */
    public static List<Setting> declared(Experiment e) {
        if (e.settings() != null && !e.settings().isEmpty()) {
            return e.settings();
        }
        List<Setting> inferred = new ArrayList<>();
        JsonNode defaults = parse(e.defaultSettings());
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            inferred.add(new Setting(
                    entry.getKey(),
                    typeOf(entry.getValue()),
                    entry.getValue().toString(),
                    null,
                    null,
                    List.of(),
                    entry.getKey()));
        }
        return inferred;
    }

    /** The type a plain default value stands for. */
    static SettingType typeOf(JsonNode value) {
        if (value.isIntegralNumber()) {
            return SettingType.INT;
        }
        if (value.isNumber()) {
            return SettingType.DECIMAL;
        }
        if (value.isBoolean()) {
            return SettingType.BOOLEAN;
        }
        return value.isTextual() ? SettingType.TEXT : SettingType.JSON;
    }

    /** Every setting a session of {@code e} may have, by name: the experiment's, then the host's. */
    public static Map<String, Setting> allowed(Experiment e) {
        Map<String, Setting> all = new LinkedHashMap<>();
        declared(e).forEach(s -> all.put(s.name(), s));
        HOST.forEach(s -> all.putIfAbsent(s.name(), s));
        return all;
    }

    /**
     * Checks the admin's settings (a JSON object) against {@code e}'s declarations.
     *
     * @throws IllegalArgumentException naming the first key that is unknown, of the wrong type or out of range
     */
    public static void check(Experiment e, JsonNode given) {
        Map<String, Setting> allowed = allowed(e);
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Setting s = allowed.get(entry.getKey());
            if (s == null) {
                throw new IllegalArgumentException("settings: '" + entry.getKey() + "' is not a setting of " + e.name()
                        + " (its settings: " + String.join(", ", allowed.keySet()) + ")");
            }
            String problem = problem(s, entry.getValue());
            if (problem != null) {
                throw new IllegalArgumentException("settings: '" + s.name() + "' " + problem);
            }
        }
    }

    /** What is wrong with {@code value} for {@code s}, or null. */
    static String problem(Setting s, JsonNode value) {
        String shown = value.toString();
        switch (s.type()) {
            case INT -> {
                if (!value.isIntegralNumber()
                        && !(value.isNumber() && value.asDouble() == Math.rint(value.asDouble()))) {
                    return "must be a whole number, not " + shown;
                }
            }
            case DECIMAL -> {
                if (!value.isNumber()) {
                    return "must be a number, not " + shown;
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    return "must be true or false, not " + shown;
                }
            }
            case TEXT -> {
                if (!value.isTextual()) {
                    return "must be text (in quotes), not " + shown;
                }
            }
            case CHOICE -> {
                if (!value.isTextual() || !s.choices().contains(value.asText())) {
                    return "must be one of " + String.join(", ", s.choices()) + ", not " + shown;
                }
            }
            case JSON -> {
                if (!value.isContainerNode()) {
                    return "must be a JSON object or list, not " + shown;
                }
            }
        }
        if (value.isNumber() && s.min() != null && value.asDouble() < s.min()) {
            return shown + " is less than the minimum " + plain(s.min());
        }
        if (value.isNumber() && s.max() != null && value.asDouble() > s.max()) {
            return shown + " is more than the maximum " + plain(s.max());
        }
        return null;
    }

    /** A number as a person writes it (10, not 10.0). */
    public static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
