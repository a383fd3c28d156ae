package io.cohort.plugin.simulation.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One simulated participant played from the server, as a browser with no human would: it loads the participant's
 * page at {@code /p/{session}/{token}/}, reads which page it is on from the page's own {@code cohort-config}, and
 * answers it through the routes the page itself uses. A form page is posted with its {@code _page} and answers
 * ({@link BotAnswers}); a script page does what its {@code bot:} section says through {@code save} and
 * {@code append} (as cohort.js does) and then {@code next}; a wait page is polled at {@code state} until the
 * participant is let through. It stops at the end, or at the first answer it did not expect, saying why.
 */
final class ServerBot {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONFIG =
            Pattern.compile("<script type=\"application/json\" id=\"cohort-config\">(.*?)</script>", Pattern.DOTALL);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int RETRIES = 2;
    private static final long RETRY_MILLIS = 200;

    /** Why a bot stopped before the end. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final Experiment experiment;
    private final String base;
    private final Duration waitLimit;
    private final RandomGenerator random;

    /**
     * @param nodeUrl   this node's own address ({@code cohort.node.url})
     * @param waitLimit how long a wait page may hold the bot before it gives up
     */
    ServerBot(
            HttpClient http,
            String nodeUrl,
            Experiment experiment,
            String sessionId,
            String token,
            Duration waitLimit,
            RandomGenerator random) {
        this.http = http;
        this.experiment = experiment;
        this.base = nodeUrl.replaceAll("/+$", "") + "/p/" + sessionId + "/" + token + "/";
        this.waitLimit = waitLimit;
        this.random = random;
    }

    /**
     * Plays to the end.
     *
     * @param passed told the number of pages passed after each one
     * @return the pages passed
     */
    int run(IntConsumer passed) throws Failure, IOException, InterruptedException {
        List<Page> pages = experiment.pages();
        int done = 0;
        // Every page at most once, and a few loads more for pages that show again (a refused form).
        for (int step = 0; step < pages.size() * 2 + 5; step++) {
            HttpResponse<String> shown =
                    send(HttpRequest.newBuilder(URI.create(base)).GET(), "GET", "");
            JsonNode config = config(shown.body());
            int index = config.path("page").asInt(-1);
            String name = config.path("pageName").asText("?");
            if (index < 0 || index >= pages.size() || isEndPage(pages, index)) {
                return done;
            }
            Page page = pages.get(index);
            String where = "page " + name + " (" + index + ")";
            JsonNode bot = page.bot() == null ? null : JSON.readTree(page.bot());
            switch (page.kind()) {
                case FORM -> form(page, index, bot, where);
                case SCRIPT -> script(index, bot, where);
                case WAIT -> await(index, where);
            }
            done++;
            passed.accept(done);
        }
        throw new Failure("did not reach the end after " + (pages.size() * 2 + 5) + " page loads");
    }

    /** The experiment's own end page: its last page, a form page that asks nothing (as the host decides). */
    static boolean isEndPage(List<Page> pages, int index) {
        Page last = pages.get(index);
        return index == pages.size() - 1
                && last.kind() == PageKind.FORM
                && (last.fields() == null || last.fields().isEmpty());
    }

    private void form(Page page, int index, JsonNode bot, String where)
            throws Failure, IOException, InterruptedException {
        StringJoiner body = new StringJoiner("&");
        body.add("_page=" + index);
        for (Map.Entry<String, String> a :
                BotAnswers.of(page.fields(), bot, random).entrySet()) {
            body.add(encode(a.getKey()) + "=" + encode(a.getValue()));
        }
        HttpResponse<String> r = exchange(HttpRequest.newBuilder(URI.create(base))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
        if (r.statusCode() != 303) {
            throw failure(where, "POST " + path(base), r);
        }
    }

    /** {@code bot.values} saved, each of {@code bot.records.<key>} appended, then on to the next page. */
    private void script(int index, JsonNode bot, String where) throws Failure, IOException, InterruptedException {
        if (bot != null && bot.path("values").isObject() && !bot.path("values").isEmpty()) {
            post("save", bot.get("values").toString(), where);
        }
        if (bot != null && bot.path("records").isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = bot.get("records").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> key = it.next();
                Iterable<JsonNode> records = key.getValue().isArray() ? key.getValue() : List.of(key.getValue());
                for (JsonNode record : records) {
                    ObjectNode append = JSON.createObjectNode().put("key", key.getKey());
                    append.set("record", record);
                    post("append", append.toString(), where);
                }
            }
        }
        post("next", JSON.createObjectNode().put("page", index).toString(), where);
    }

    /** Polls until the participant is no longer on this page (their group let through, or a timeout moved them). */
    private void await(int index, String where) throws Failure, IOException, InterruptedException {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> state =
                    send(HttpRequest.newBuilder(URI.create(base + "state")).GET(), "GET", where);
            if (JSON.readTree(state.body()).path("page").asInt(index) != index) {
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new Failure(where + ": still waiting after " + waitLimit.toSeconds() + " s");
    }

    private void post(String route, String json, String where) throws Failure, IOException, InterruptedException {
        send(
                HttpRequest.newBuilder(URI.create(base + route))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)),
                "POST",
                where);
    }

    /** A request that must answer 200. */
    private HttpResponse<String> send(HttpRequest.Builder request, String method, String where)
            throws Failure, IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> r = exchange(built);
        if (r.statusCode() != 200) {
            throw failure(
                    where.isEmpty() ? "loading the page" : where,
                    method + " " + path(built.uri().toString()),
                    r);
        }
        return r;
    }

    /**
     * One request; a 500 is tried again twice, as a participant clicks the calm error page's retry (what the
     * request tried was undone). A 503 (paused, unavailable) and anything else is the caller's to judge.
     */
    private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        for (int retry = 1; retry <= RETRIES && r.statusCode() == 500; retry++) {
            Thread.sleep(RETRY_MILLIS * retry);
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        return r;
    }

    private JsonNode config(String html) throws Failure, IOException {
        Matcher m = CONFIG.matcher(html);
        if (!m.find()) {
            throw new Failure("GET " + path(base) + ": the page has no cohort-config: " + excerpt(html));
        }
        return JSON.readTree(m.group(1));
    }

    private static Failure failure(String where, String request, HttpResponse<String> r) {
        return new Failure(where + ": " + request + " answered " + r.statusCode() + ": " + excerpt(r.body()));
    }

    /** The participant's path without the host, which the run's row does not need. */
    private static String path(String url) {
        return URI.create(url).getPath();
    }

    /** The start of a body, as text (tags and runs of blanks gone), for a failure's message. */
    static String excerpt(String body) {
        String text = body == null
                ? ""
                : body.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ")
                        .replaceAll("<[^>]+>", " ")
                        .replaceAll("\\s+", " ")
                        .strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
