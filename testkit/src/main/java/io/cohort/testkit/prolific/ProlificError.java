package io.cohort.testkit.prolific;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answered as Prolific's {@code {"error": {"status", "error_code", "title", "detail"}}} with the given HTTP
 * status. {@code detail} is a string, or for field validation an object of field name to messages.
 */
final class ProlificError extends RuntimeException {
    final int status;
    final JsonNode detail;

    private ProlificError(int status, JsonNode detail, String message) {
        super(message);
        this.status = status;
        this.detail = detail;
    }

    /** 400 with a sentence as detail: a refused transition, short funds, a bad CSV line. */
    static ProlificError badRequest(String detail) {
        return new ProlificError(400, JsonNodeFactory.instance.textNode(detail), detail);
    }

    /** 400 with {@code {"field": ["message"]}} as detail. */
    static ProlificError field(String field, String message) {
        ObjectNode detail = JsonNodeFactory.instance.objectNode();
        detail.putArray(field).add(message);
        return new ProlificError(400, detail, field + ": " + message);
    }

    static ProlificError required(String field) {
        return field(field, "This field is required.");
    }

    static ProlificError notFound() {
        return new ProlificError(404, JsonNodeFactory.instance.textNode("Not found."), "Not found.");
    }

    static ProlificError methodNotAllowed(String method) {
        String detail = "Method \"" + method + "\" not allowed.";
        return new ProlificError(405, JsonNodeFactory.instance.textNode(detail), detail);
    }

    static ProlificError noCredentials() {
        String detail = "Authentication credentials were not provided.";
        return new ProlificError(401, JsonNodeFactory.instance.textNode(detail), detail);
    }

    static ProlificError invalidToken() {
        return new ProlificError(401, JsonNodeFactory.instance.textNode("Invalid token."), "Invalid token.");
    }

    static ProlificError throttled() {
        String detail = "Request was throttled.";
        return new ProlificError(429, JsonNodeFactory.instance.textNode(detail), detail);
    }

    static ProlificError serverError(String detail) {
        return new ProlificError(500, JsonNodeFactory.instance.textNode(detail), detail);
    }

    /** The body Prolific sends with this error. */
    ObjectNode body() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("error")
                .put("status", status)
                .put("error_code", status)
                .put("title", title(status))
                .set("detail", detail);
        return out;
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 429 -> "Too Many Requests";
            default -> "Internal Server Error";
        };
    }
}
