package io.cohort.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An answer of the JSON API checked against the OpenAPI description the node serves ({@code /api/openapi.json}):
 * members it does not document, documented required members missing, values of another JSON type. Strings in and
 * out, so a Pax Exam probe needs no JSON library of its own.
 */
public final class DescribedAnswer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DescribedAnswer() {}

    /** Whether the description has the path (as under {@code servers: /api}, e.g. {@code /mturk/post}). */
    public static boolean describes(String description, String path) {
        return read(description).path("paths").has(path);
    }

    /**
     * What is wrong with {@code answer} (the JSON body of a 200 to {@code method path}) against the schema the
     * description gives that answer; empty when it conforms. A member that is null counts as absent.
     */
    public static List<String> problems(String description, String method, String path, String answer) {
        JsonNode doc = read(description);
        JsonNode schema = doc.path("paths")
                .path(path)
                .path(method.toLowerCase(java.util.Locale.ROOT))
                .path("responses")
                .path("200")
                .path("content")
                .path("application/json")
                .path("schema");
        if (schema.isMissingNode()) {
            return List.of(method + " " + path + " has no documented application/json answer");
        }
        List<String> problems = new ArrayList<>();
        check(doc, schema, read(answer), "", problems);
        return problems;
    }

    private static void check(JsonNode doc, JsonNode schema, JsonNode value, String at, List<String> problems) {
        if (schema.has("$ref")) {
            schema = doc.at(schema.get("$ref").asText().substring(1));
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !is(type, value)) {
            problems.add((at.isEmpty() ? "the answer" : at) + " is " + value.getNodeType() + ", documented " + type);
            return;
        }
        if (value.isObject() && schema.has("properties")) {
            JsonNode properties = schema.get("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                JsonNode documented = properties.get(member.getKey());
                if (documented == null) {
                    if (!schema.has("additionalProperties")) {
                        problems.add(at + "/" + member.getKey() + " is not documented");
                    }
                } else if (!member.getValue().isNull()) {
                    check(doc, documented, member.getValue(), at + "/" + member.getKey(), problems);
                }
            }
            for (JsonNode required : schema.path("required")) {
                if (!value.hasNonNull(required.asText())) {
                    problems.add(at + "/" + required.asText() + " is documented as required and missing");
                }
            }
        } else if (value.isObject() && schema.path("additionalProperties").isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                check(doc, schema.get("additionalProperties"), member.getValue(), at + "/" + member.getKey(), problems);
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(doc, schema.get("items"), value.get(i), at + "/" + i, problems);
            }
        }
    }

    private static boolean is(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> false;
        };
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
