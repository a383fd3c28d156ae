package io.cohort.platform.participant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cohort.api.experiment.Field;
import io.cohort.api.experiment.Page;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A form page's submitted values checked against its fields: what to store (JSON text by key) or, if anything is
 * wrong, one message per field and nothing to store. Only the page's own fields are read.
 *
 * @param values  field name → JSON text, for the fields that were filled in
 * @param errors  field name → message naming the field and the value; empty when the form is fine
 * @param entered field name → the text as typed, to refill the form
 */
record FormAnswers(Map<String, String> values, Map<String, String> errors, Map<String, String> entered) {

    static final int MAX_TEXT = 10_000;
    private static final java.util.regex.Pattern PLAIN_DECIMAL =
            java.util.regex.Pattern.compile("[-+]?[0-9]{1,30}(\\.[0-9]{1,30})?");
    private static final JsonNodeFactory NODES = new ObjectMapper().getNodeFactory();

    boolean ok() {
        return errors.isEmpty();
    }

    /** @param parameter the first value of a form parameter, or null when absent */
    static FormAnswers check(Page page, Function<String, String> parameter) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> entered = new LinkedHashMap<>();
        for (Field f : page.fields()) {
            String raw = parameter.apply(f.name());
            if (raw != null) {
                entered.put(f.name(), raw);
            }
            try {
                String json = value(f, raw);
                if (json != null) {
                    values.put(f.name(), json);
                }
            } catch (IllegalArgumentException e) {
                errors.put(f.name(), label(f) + ": " + e.getMessage());
            }
        }
        return new FormAnswers(errors.isEmpty() ? values : Map.of(), errors, entered);
    }

    static String label(Field f) {
        return f.label() == null || f.label().isBlank() ? f.name() : f.label();
    }

    /** The JSON to store for one field, null for an optional field left empty; throws with the reason. */
    private static String value(Field f, String raw) {
        if (f.type() == io.cohort.api.experiment.FieldType.BOOLEAN) {
            // An unticked checkbox sends nothing: that is "false", and the only way to say it. A ticked one with
            // no value attribute (a lab's hand-written form) sends "on".
            boolean checked = raw != null && !raw.isEmpty();
            if (checked && !raw.equals("true") && !raw.equals("false") && !raw.equals("on")) {
                throw new IllegalArgumentException("'" + shorten(raw) + "' is not true or false");
            }
            checked = checked && !raw.equals("false");
            if (f.required() && !checked) {
                throw new IllegalArgumentException("please tick this box to go on");
            }
            return Boolean.toString(checked);
        }
        String text = raw == null ? "" : f.type() == io.cohort.api.experiment.FieldType.TEXT ? raw : raw.strip();
        if (text.isBlank()) {
            if (f.required()) {
                throw new IllegalArgumentException("this answer is required");
            }
            return null;
        }
        return switch (f.type()) {
            case INT, SCALE -> {
                long n;
                try {
                    n = Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + shorten(text) + "' is not a whole number");
                }
                inRange(f, BigDecimal.valueOf(n), text);
                yield Long.toString(n);
            }
            case DECIMAL -> {
                // Plain notation only: "1e999999999" would be a billion digits once written out.
                if (!PLAIN_DECIMAL.matcher(text).matches()) {
                    throw new IllegalArgumentException("'" + shorten(text) + "' is not a number");
                }
                BigDecimal n = new BigDecimal(text);
                inRange(f, n, text);
                yield n.toPlainString();
            }
            case CHOICE -> {
                if (f.choices() == null || !f.choices().contains(text)) {
                    throw new IllegalArgumentException("'" + shorten(text) + "' is not one of the choices");
                }
                yield NODES.textNode(text).toString();
            }
            case TEXT -> {
                if (text.length() > MAX_TEXT) {
                    throw new IllegalArgumentException(
                            "at most " + MAX_TEXT + " characters (this is " + text.length() + ")");
                }
                yield NODES.textNode(text).toString();
            }
            case BOOLEAN -> throw new IllegalStateException("handled above");
        };
    }

    private static void inRange(Field f, BigDecimal n, String text) {
        if (f.min() != null && n.compareTo(BigDecimal.valueOf(f.min())) < 0) {
            throw new IllegalArgumentException(text + " is less than " + number(f.min()));
        }
        if (f.max() != null && n.compareTo(BigDecimal.valueOf(f.max())) > 0) {
            throw new IllegalArgumentException(text + " is more than " + number(f.max()));
        }
    }

    static String number(Double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    }

    private static String shorten(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
