package io.cohort.plugin.prolific.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.api.crowd.CrowdException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Prolific's REST API v1 over the JDK's HTTP client, with token auth. Every attempt waits for its turn at
 * {@code ratePerSecond}. A 429 (Prolific did nothing) is retried after its Retry-After; other failures become a
 * {@link CrowdException} with Prolific's error code and detail, retryable when the request may have done nothing
 * (a 5xx, a cut connection). Nothing that changes state is sent twice here: the provider decides that.
 */
final class ProlificApi {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ProlificSettings settings;
    private final HttpClient http;
    private final long intervalNanos;
    private long nextSlot = System.nanoTime();

    ProlificApi(ProlificSettings settings) {
        this.settings = settings;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.intervalNanos = (long) (1_000_000_000L / settings.ratePerSecond());
    }

    ProlificSettings settings() {
        return settings;
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    JsonNode patch(String path, JsonNode body) {
        return send("PATCH", path, body);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** Every item of a list answer ({@code results}), following its next links. */
    List<JsonNode> list(String path) {
        List<JsonNode> all = new ArrayList<>();
        String next = path;
        while (next != null) {
            JsonNode page = get(next);
            page.path("results").forEach(all::add);
            next = nextLink(page);
        }
        return all;
    }

    private String nextLink(JsonNode page) {
        JsonNode link = page.path("_links").path("next").path("href");
        if (!link.isTextual() || link.asText().isBlank()) {
            link = page.path("next");
        }
        if (!link.isTextual() || link.asText().isBlank()) {
            return null;
        }
        URI uri = URI.create(link.asText());
        // Prolific gives absolute links; only the path and query are ours to follow, on the configured host.
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private JsonNode send(String method, String path, JsonNode body) {
        if (!settings.usable()) {
            throw new CrowdException("NotConfigured", String.join(" ", settings.problems()), false, null);
        }
        URI uri = URI.create(settings.apiUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Authorization", "Token " + settings.token())
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        for (int attempt = 0; ; attempt++) {
            pace();
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new CrowdException("ConnectionFailed", method + " " + path + ": " + e.getMessage(), true, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CrowdException("Interrupted", method + " " + path + " was interrupted", true, e);
            }
            int status = response.statusCode();
            if (status == 429 && attempt < settings.retries()) {
                sleep(retryAfter(response));
                continue;
            }
            if (status >= 200 && status < 300) {
                return parse(response.body());
            }
            throw error(method, path, status, response.body());
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return object();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CrowdException("BadAnswer", "Prolific answered something that is not JSON: " + body, true, e);
        }
    }

    /** Prolific's error body: {@code {"error": {"status", "error_code", "title", "detail", ...}}}. */
    static CrowdException error(String method, String path, int status, String body) {
        JsonNode error;
        try {
            error = JSON.readTree(body == null || body.isBlank() ? "{}" : body).path("error");
        } catch (IOException e) {
            error = object();
        }
        String code = error.hasNonNull("error_code") ? error.get("error_code").asText() : String.valueOf(status);
        String detail = text(error.path("detail"));
        if (detail.isEmpty()) {
            detail = error.path("title").asText(body == null ? "" : body);
        }
        return new CrowdException(
                code, method + " " + path + ": " + status + " " + detail, status == 429 || status >= 500, null);
    }

    /** A detail may be text, a list or a map of field → messages. */
    private static String text(JsonNode detail) {
        if (detail.isMissingNode() || detail.isNull()) {
            return "";
        }
        return detail.isTextual() ? detail.asText() : detail.toString();
    }

    private static long retryAfter(HttpResponse<?> response) {
        try {
            return Math.min(
                    10_000,
                    Long.parseLong(response.headers().firstValue("Retry-After").orElse("1")) * 1000);
        } catch (NumberFormatException e) {
            return 1000;
        }
    }

    private synchronized void pace() {
        long now = System.nanoTime();
        long wait = nextSlot - now;
        nextSlot = Math.max(now, nextSlot) + intervalNanos;
        if (wait > 0) {
            sleep(wait / 1_000_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrowdException("Interrupted", "interrupted while waiting to call Prolific", true, e);
        }
    }
}
