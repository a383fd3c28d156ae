package io.cohort.plugin.campaigns.internal;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The fields of a submitted form; each refusal names the field and the value. */
record Form(Map<String, List<String>> fields) {

    String optional(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank()
                ? null
                : values.get(0).strip();
    }

    String required(String name) {
        String value = optional(name);
        if (value == null) {
            throw new IllegalArgumentException(name + ": missing");
        }
        return value;
    }

    int integer(String name, long min, long max) {
        String value = required(name);
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + ": " + n + " is not between " + min + " and " + max);
        }
        return (int) n;
    }

    long cents(String name) {
        String value = required(name);
        try {
            BigDecimal dollars = new BigDecimal(value.replaceFirst("^\\$", ""));
            if (dollars.signum() < 0 || dollars.scale() > 2) {
                throw new NumberFormatException();
            }
            return dollars.movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not an amount in dollars such as 0.50");
        }
    }

    /** The first value of each field, to show the form again as it was typed. */
    Map<String, String> typed() {
        Map<String, String> values = new HashMap<>();
        fields.forEach((k, v) -> values.put(k, v.isEmpty() ? "" : v.get(0)));
        return values;
    }
}
