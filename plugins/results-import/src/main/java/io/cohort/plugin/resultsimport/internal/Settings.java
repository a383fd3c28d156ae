package io.cohort.plugin.resultsimport.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An import's parameters as the form or the API gave them, each checked when read so a bad one is refused by name.
 * Kept with the import as text ({@link #text()}), so a restart settles it exactly as it was loaded.
 */
record Settings(Map<String, String> values) {

    static final List<String> NAMES = List.of(
            "name",
            "game",
            "rooms",
            "provider",
            "hit",
            "columns",
            "ignoreCase",
            "filter",
            "inputCodes",
            "minBonus",
            "maxBonus",
            "reason",
            "qualification",
            "value",
            "approveAll");

    static final long MAX_BONUS_CENTS = 10_000_00;
    static final String DEFAULT_REASON = "A bonus for your work in our study. Thank you!";

    static Settings of(Map<String, List<String>> parameters) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            List<String> v = parameters.get(name);
            if (v != null && !v.isEmpty() && !v.get(0).isBlank()) {
                values.put(name, v.get(0).strip());
            }
        }
        return new Settings(values);
    }

    static Settings ofText(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            if (p.getProperty(name) != null) {
                values.put(name, p.getProperty(name));
            }
        }
        return new Settings(values);
    }

    String text() {
        Properties p = new Properties();
        p.putAll(values);
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    String get(String name) {
        return values.get(name);
    }

    String provider() {
        return values.getOrDefault("provider", "mturk");
    }

    boolean flag(String name) {
        String v = values.get(name);
        if (v == null) {
            return false;
        }
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false") && !v.equals("on")) {
            throw new IllegalArgumentException(name + ": '" + v + "' is not true or false");
        }
        return v.equalsIgnoreCase("true") || v.equals("on");
    }

    Columns columns() {
        return Columns.parse(values.get("columns"), flag("ignoreCase"));
    }

    Filter filter() {
        String f = values.get("filter");
        return Filter.parse(f == null ? Filter.DEFAULT : f);
    }

    long minBonusCents() {
        return values.containsKey("minBonus") ? cents("minBonus", values.get("minBonus")) : 0;
    }

    long maxBonusCents() {
        return values.containsKey("maxBonus") ? cents("maxBonus", values.get("maxBonus")) : MAX_BONUS_CENTS;
    }

    String reason() {
        return values.get("reason");
    }

    /** The qualification value given for every row, or null. */
    Integer value() {
        String v = values.get("value");
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value: '" + v + "' is not a whole number");
        }
    }

    /** Dollars to cents: at most two decimals, not negative. */
    static long cents(String field, String dollars) {
        try {
            BigDecimal d = new BigDecimal(dollars.replaceFirst("^\\$", ""));
            if (d.signum() < 0 || d.stripTrailingZeros().scale() > 2) {
                throw new NumberFormatException();
            }
            return d.movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(field + ": '" + dollars + "' is not an amount in dollars such as 1.25");
        }
    }

    static String dollars(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
