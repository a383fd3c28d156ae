package io.cohort.platform.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ro.pippo.core.route.RouteContext;

/**
 * What a request submitted, the same way whether it came as a form (admin pages, scripts) or as a JSON object
 * (the API): each field a list of texts. In JSON, a string is its text, an array its items, anything else its
 * JSON text ({@code 41}, {@code {"rounds": 3}}).
 */
public final class RequestFields {

    private final Map<String, List<String>> fields;

    private RequestFields(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** @throws IllegalArgumentException when a JSON body is not a JSON object */
    public static RequestFields of(RouteContext ctx) {
        String type = ctx.getRequest().getContentType();
        Map<String, List<String>> fields = new LinkedHashMap<>();
        if (type != null && type.toLowerCase().startsWith("application/json")) {
            JsonNode body;
            try {
                body = Layout.JSON.readTree(ctx.getRequest().getBody());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("body: not JSON: " + e.getOriginalMessage());
            }
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("body: must be a JSON object");
            }
            body.fields().forEachRemaining(e -> {
                List<String> values = new ArrayList<>();
                if (e.getValue().isArray()) {
                    e.getValue().forEach(item -> values.add(text(item)));
                } else if (!e.getValue().isNull()) {
                    values.add(text(e.getValue()));
                }
                fields.put(e.getKey(), values);
            });
        } else {
            // getValues(), not toList(): Pippo's toList() splits a single value at commas ("{\"a\": [1, 2]}" → "{\"a\":
            // [1").
            ctx.getRequest().getParameters().forEach((name, value) -> fields.put(name, List.of(value.getValues())));
        }
        return new RequestFields(fields);
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.toString();
    }

    /** The first value, or null. */
    public String one(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    /** A required {@code true}/{@code false}. */
    public boolean bool(String name) {
        String v = one(name);
        if ("true".equals(v) || "false".equals(v)) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(name + ": '" + v + "' is not true or false");
    }

    /** {@code s} encoded for a query string, e.g. a notice after a redirect. */
    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
