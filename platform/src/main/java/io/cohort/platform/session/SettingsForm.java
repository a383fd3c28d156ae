package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Setting;
import io.cohort.platform.experiment.SessionSettings;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The New session form's settings: one field per setting the chosen experiment declares ({@code setting.<experiment>
 * .<name>}), and a JSON box for anything else. The fields are read into one JSON object for {@link SessionStore},
 * which checks it against the declarations; a value that is not of the setting's type is passed on as typed, so the
 * refusal names the key and shows the value.
 */
final class SettingsForm {

    private SettingsForm() {}

    /** The form field of {@code setting} of {@code experiment}. */
    static String field(Experiment experiment, Setting setting) {
        return "setting." + experiment.name() + "." + setting.name();
    }

    /** The settings JSON the form asks for: the declared fields, and the JSON box (a key written there wins). */
    static String settings(Experiment experiment, String json, Function<String, String> form) {
        boolean anyField = false;
        ObjectNode out = json == null || json.isBlank()
                ? JsonNodeFactory.instance.objectNode()
                : SessionStore.parseObject(json, "settings");
        for (Setting s : SessionSettings.declared(experiment)) {
            String typed = form.apply(field(experiment, s));
            if (typed == null || out.has(s.name())) {
                continue;
            }
            anyField = true;
            if (typed.isBlank() && s.type() != io.cohort.api.experiment.SettingType.TEXT) {
                continue;
            }
            out.set(s.name(), value(s, typed.strip()));
        }
        return anyField || (json != null && !json.isBlank()) ? out.toString() : null;
    }

    private static JsonNode value(Setting s, String typed) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (s.type()) {
            case INT, DECIMAL -> {
                try {
                    return nodes.numberNode(new BigDecimal(typed));
                } catch (NumberFormatException e) {
                    return nodes.textNode(typed);
                }
            }
            case BOOLEAN -> {
                return typed.equals("true") || typed.equals("false")
                        ? nodes.booleanNode(typed.equals("true"))
                        : nodes.textNode(typed);
            }
            case JSON -> {
                try {
                    return FieldStore.JSON.readTree(typed);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(
                            "settings: '" + s.name() + "' is not JSON: " + e.getOriginalMessage());
                }
            }
            default -> {
                return nodes.textNode(typed);
            }
        }
    }

    /** Each experiment's declared settings as the form shows them: field name, label, kind of input, value. */
    static Map<String, List<Map<String, Object>>> model(List<Experiment> experiments, Function<String, String> typed) {
        Map<String, List<Map<String, Object>>> all = new HashMap<>();
        for (Experiment e : experiments) {
            List<Map<String, Object>> fields = new ArrayList<>();
            for (Setting s : SessionSettings.declared(e)) {
                Map<String, Object> f = new HashMap<>();
                f.put("field", field(e, s));
                f.put("name", s.name());
                f.put("label", s.label() == null ? s.name() : s.label());
                f.put("type", s.type().name().toLowerCase(java.util.Locale.ROOT));
                f.put("min", s.min() == null ? null : SessionSettings.plain(s.min()));
                f.put("max", s.max() == null ? null : SessionSettings.plain(s.max()));
                f.put("choices", s.choices() == null ? List.of() : s.choices());
                String given = typed.apply(field(e, s));
                f.put("value", given != null ? given : defaultText(s));
                fields.add(f);
            }
            all.put(e.name(), fields);
        }
        return all;
    }

    private static String defaultText(Setting s) {
        if (s.defaultJson() == null) {
            return "";
        }
        try {
            JsonNode d = FieldStore.JSON.readTree(s.defaultJson());
            return d.isTextual() ? d.asText() : d.toString();
        } catch (JsonProcessingException e) {
            return s.defaultJson();
        }
    }
}
