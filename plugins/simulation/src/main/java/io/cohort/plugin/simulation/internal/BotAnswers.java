package io.cohort.plugin.simulation.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.experiment.Field;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * What a bot answers on a form page: the page's {@code bot.values} where it gives one, else a random valid answer
 * for the field's type (a choice among its choices, a number between its bounds, a ticked box when it is required).
 */
final class BotAnswers {

    private BotAnswers() {}

    static Map<String, String> of(Iterable<Field> fields, JsonNode bot, RandomGenerator random) {
        JsonNode given = bot == null ? null : bot.get("values");
        Map<String, String> answers = new LinkedHashMap<>();
        for (Field f : fields) {
            JsonNode value = given == null ? null : given.get(f.name());
            if (value != null && !value.isNull()) {
                answers.put(f.name(), value.isTextual() ? value.asText() : value.toString());
                continue;
            }
            String answer = random(f, random);
            if (answer != null) {
                answers.put(f.name(), answer);
            }
        }
        return answers;
    }

    /** A random valid answer, or null to leave an optional box unticked. */
    static String random(Field f, RandomGenerator random) {
        double min = f.min() != null ? f.min() : 0;
        double max = f.max() != null ? f.max() : Math.max(min, 0) + 100;
        return switch (f.type()) {
            case BOOLEAN -> f.required() || random.nextBoolean() ? "true" : null;
            case CHOICE -> f.choices().get(random.nextInt(f.choices().size()));
            case INT, SCALE ->
                Long.toString(
                        (long) Math.ceil(min) + random.nextLong((long) Math.floor(max) - (long) Math.ceil(min) + 1));
            case DECIMAL ->
                BigDecimal.valueOf(min + random.nextDouble() * (max - min))
                        .setScale(2, RoundingMode.DOWN)
                        .max(BigDecimal.valueOf(min))
                        .toPlainString();
            case TEXT -> "bot answer " + Integer.toHexString(random.nextInt());
        };
    }
}
