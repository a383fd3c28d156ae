package io.cohort.platform.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A running Cohort's JSON API as the console uses it: the bearer token, requests spaced by the throttle interval,
 * and retries. A GET is repeated after a lost connection or a 502/503; a POST only when the connection was refused
 * (it never reached the server), so a retry never does an action twice.
 */
final class CohortApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: its status and JSON body (an empty object when the body was not JSON). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The server's own words for a refusal: its {@code error}, else the status. */
        String error() {
            String error = body.path("error").asText("");
            return error.isEmpty() ? "the server answered " + status : error;
        }
    }

    private final URI base;
    private final String token;
    private final int retries;
    private final Duration retryInterval;
    private final Duration throttle;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private long lastRequest;

    CohortApi(URI base, String token, int retries, Duration retryInterval, Duration throttle) {
        this.base = base;
        this.token = token;
        this.retries = retries;
        this.retryInterval = retryInterval;
        this.throttle = throttle;
    }

    URI base() {
        return base;
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), true);
    }

    /** A GET that must succeed: its body, or a {@link ConsoleError} with the server's words. */
    JsonNode read(String path) {
        Answer a = get(path);
        if (!a.ok()) {
            throw new ConsoleError("GET " + path + ": " + a.error());
        }
        return a.body();
    }

    Answer post(String path, Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(enc(k) + "=" + enc(v)));
        return send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                false);
    }

    private Answer send(HttpRequest.Builder request, boolean idempotent) {
        request.header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60));
        HttpRequest built = request.build();
        for (int attempt = 0; ; attempt++) {
            pace();
            String failure;
            try {
                HttpResponse<String> r = http.send(built, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 401) {
                    throw new ConsoleError(base + " refused the API token (401): check api.token or --config");
                }
                if (!(idempotent && (r.statusCode() == 502 || r.statusCode() == 503)) || attempt >= retries) {
                    return new Answer(r.statusCode(), parse(r.body()));
                }
                failure = "answered " + r.statusCode();
            } catch (ConnectException e) {
                failure = "could not connect to " + base;
            } catch (IOException e) {
                if (!idempotent) {
                    throw new ConsoleError(built.method() + " " + built.uri().getPath() + ": the connection was lost ("
                            + e.getMessage() + "); it may or may not have been done: look before trying again");
                }
                failure = "the connection was lost (" + e + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleError("interrupted");
            }
            if (attempt >= retries) {
                throw new ConsoleError(built.method() + " " + built.uri().getPath() + ": " + failure
                        + (retries > 0 ? " (tried " + (retries + 1) + " times)" : "")
                        + "; is Cohort running there?");
            }
            sleep(retryInterval);
        }
    }

    /** Keeps at least the throttle interval between two requests. */
    private void pace() {
        long wait = lastRequest + throttle.toMillis() - System.currentTimeMillis();
        if (wait > 0) {
            sleep(Duration.ofMillis(wait));
        }
        lastRequest = System.currentTimeMillis();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleError("interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || node.isMissingNode() ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
