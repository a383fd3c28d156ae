package io.cohort.testkit.mturk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The MTurk Requester API's service model (2017-01-17, as AWS publishes it with its SDKs, under the Apache License
 * 2.0): the shapes of every operation's request and response. The emulator checks each request's member types and
 * constraints against it before serving, as the service does; tests check each answer against it.
 */
public final class ServiceModel {

    private static final String FILE = "mturk-2017-01-17-service-2.json";
    private static final ServiceModel INSTANCE = load();

    private final JsonNode operations;
    private final JsonNode shapes;

    private ServiceModel(JsonNode model) {
        this.operations = model.get("operations");
        this.shapes = model.get("shapes");
    }

    public static ServiceModel get() {
        return INSTANCE;
    }

    private static ServiceModel load() {
        try (InputStream in = ServiceModel.class.getResourceAsStream(FILE)) {
            return new ServiceModel(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation the model names. */
    public Set<String> operations() {
        Set<String> names = new TreeSet<>();
        operations.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A member of the wrong JSON type: the service cannot read the request at all. */
    public record TypeProblem(String path, String message) {}

    /**
     * Checks a request against the operation's input shape, as the service does before it acts: a member of the
     * wrong JSON type is a SerializationException, a value outside its pattern, length or range a
     * ValidationException (the service's words). Missing required members are left to the operation, whose errors
     * say more.
     */
    void checkRequest(String operation, JsonNode request) {
        JsonNode input = operations.path(operation).path("input").path("shape");
        if (input.isMissingNode()) {
            return;
        }
        List<String> types = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        check(input.asText(), request, "", false, types, constraints);
        if (!types.isEmpty()) {
            throw MTurkError.serialization(types.get(0));
        }
        if (!constraints.isEmpty()) {
            throw MTurkError.validation(constraints.size() + " validation error" + (constraints.size() == 1 ? "" : "s")
                    + " detected: " + String.join("; ", constraints));
        }
    }

    /**
     * What is wrong with a response against the operation's output shape: members the model does not have, values of
     * the wrong type or outside their constraints, required members missing. Empty when it conforms.
     */
    public List<String> responseProblems(String operation, JsonNode response) {
        List<String> problems = new ArrayList<>();
        JsonNode output = operations.path(operation).path("output").path("shape");
        if (output.isMissingNode()) {
            if (response.size() > 0) {
                problems.add(operation + " has no output, but the answer has " + response);
            }
            return problems;
        }
        check(output.asText(), response, operation, true, problems, problems);
        return problems;
    }

    /**
     * Checks {@code value} against the shape: wrong JSON types into {@code types}, broken constraints into
     * {@code constraints}; {@code strict} (answers) also reports members the shape lacks and required ones missing.
     */
    private void check(
            String shapeName,
            JsonNode value,
            String path,
            boolean strict,
            List<String> types,
            List<String> constraints) {
        JsonNode shape = shapes.get(shapeName);
        String type = shape.get("type").asText();
        switch (type) {
            case "structure" -> {
                if (!value.isObject()) {
                    types.add(wrong(path, value, "a structure"));
                    return;
                }
                JsonNode members = shape.path("members");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode member = members.get(e.getKey());
                    if (member == null) {
                        if (strict) {
                            constraints.add(join(path, e.getKey()) + " is not a member of " + shapeName);
                        }
                    } else if (!e.getValue().isNull()) {
                        check(
                                member.get("shape").asText(),
                                e.getValue(),
                                join(path, e.getKey()),
                                strict,
                                types,
                                constraints);
                    }
                }
                if (strict) {
                    for (JsonNode required : shape.path("required")) {
                        if (!value.hasNonNull(required.asText())) {
                            constraints.add(join(path, required.asText()) + " is required and missing");
                        }
                    }
                }
            }
            case "list" -> {
                if (!value.isArray()) {
                    types.add(wrong(path, value, "a list"));
                    return;
                }
                range(shape, value.size(), path, "Member must have length", constraints);
                String member = shape.get("member").get("shape").asText();
                for (int i = 0; i < value.size(); i++) {
                    check(member, value.get(i), path + "." + (i + 1), strict, types, constraints);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    types.add(wrong(path, value, "a string"));
                    return;
                }
                String text = value.asText();
                if (shape.has("pattern")
                        && !Pattern.compile(shape.get("pattern").asText())
                                .matcher(text)
                                .find()) {
                    constraints.add("Value '" + text + "' at '" + camel(path)
                            + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                            + shape.get("pattern").asText());
                }
                range(shape, text.length(), path, "Member must have length", constraints);
                if (shape.has("enum")) {
                    Set<String> allowed = new TreeSet<>();
                    shape.get("enum").forEach(v -> allowed.add(v.asText()));
                    if (!allowed.contains(text)) {
                        constraints.add("Value '" + text + "' at '" + camel(path)
                                + "' failed to satisfy constraint: Member must satisfy enum value set: " + allowed);
                    }
                }
            }
            case "integer", "long" -> {
                if (!value.isIntegralNumber()) {
                    types.add(wrong(path, value, "an integer"));
                    return;
                }
                range(shape, value.asLong(), path, "Member must have value", constraints);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    types.add(wrong(path, value, "a boolean"));
                }
            }
            case "timestamp" -> {
                if (!value.isNumber()) {
                    types.add(wrong(path, value, "a timestamp (epoch seconds)"));
                }
            }
            default -> types.add(path + ": the model's type '" + type + "' is not known here");
        }
    }

    private static void range(JsonNode shape, long n, String path, String what, List<String> constraints) {
        if (shape.has("min") && n < shape.get("min").asLong()) {
            constraints.add("Value at '" + camel(path) + "' failed to satisfy constraint: " + what
                    + " greater than or equal to " + shape.get("min").asLong());
        }
        if (shape.has("max") && n > shape.get("max").asLong()) {
            constraints.add("Value at '" + camel(path) + "' failed to satisfy constraint: " + what
                    + " less than or equal to " + shape.get("max").asLong());
        }
    }

    /** The service's words for a value it cannot read as the model's type. */
    private static String wrong(String path, JsonNode value, String expected) {
        String found = value.getNodeType().name() + "_VALUE";
        return found + " can not be converted to " + expected + " at '" + camel(path) + "'";
    }

    private static String join(String path, String member) {
        return path.isEmpty() ? member : path + "." + member;
    }

    /** {@code BonusAmount} as the service names it in messages: {@code bonusAmount}. */
    private static String camel(String path) {
        StringBuilder b = new StringBuilder();
        for (String part : path.split("\\.")) {
            if (!b.isEmpty()) {
                b.append('.');
            }
            b.append(part.isEmpty() ? part : Character.toLowerCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }
}
