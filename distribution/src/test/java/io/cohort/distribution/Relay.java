package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Participants of the {@code relay} fixture (eight one-number form pages) driven over HTTP as a browser would, and
 * the count of what was acknowledged against what is stored, for the tests of nodes that die, restart or lose
 * their database under load.
 */
final class Relay {

    static final int STEPS = 8;
    private static final Pattern PAGE = Pattern.compile("name=\"_page\" value=\"(\\d+)\"");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(Executors.newFixedThreadPool(16))
            .build();

    private Relay() {}

    /** What the load saw: submits answered (participant:step), who reached the end, every answer that was not a page. */
    static final class Tally {
        final Set<String> answered = ConcurrentHashMap.newKeySet();
        final Set<String> finished = ConcurrentHashMap.newKeySet();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        final AtomicInteger submits = new AtomicInteger();
    }

    /** A session of relay with {@code count} participants, made through {@code api}: its id and each one's path. */
    record Session(String id, Map<String, String> paths) {}

    static Session session(AdminHttp api, int count, String name) {
        AdminHttp.Response made = api.postForm(
                "/api/sessions", Map.of("experiment", "relay", "participants", Integer.toString(count), "name", name));
        assertEquals(201, made.status(), made.toString());
        String id = MTurkLab.read(made).path("session").path("id").asText();
        Map<String, String> paths = new LinkedHashMap<>();
        for (JsonNode p : MTurkLab.read(api.get("/api/sessions/" + id)).path("participants")) {
            paths.put(p.path("id").asText(), p.path("url").asText().substring(1));
        }
        assertEquals(count, paths.size());
        return new Session(id, paths);
    }

    static HttpResponse<String> get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20)));
    }

    static HttpResponse<String> post(URI base, String path, String form) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** The answer, or null when the connection failed. */
    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static int status(HttpResponse<String> r) {
        return r == null ? -1 : r.statusCode();
    }

    /**
     * One participant, to the end: loads the page, waits about {@code thinkMs}, posts the number. A request that
     * fails is noted and the page loaded again, as the participant (or the calm error page's retry) would.
     */
    static void bot(URI base, String id, String path, Tally tally, int thinkMs) {
        int failures = 0;
        while (failures < 300) {
            HttpResponse<String> page = get(base, path);
            if (status(page) != 200) {
                tally.errors.add(id + " GET " + status(page));
                failures++;
                sleep(200);
                continue;
            }
            if (page.body().contains("RELAY-DONE")) {
                tally.finished.add(id);
                return;
            }
            Matcher at = PAGE.matcher(page.body());
            if (!at.find()) {
                tally.errors.add(id + " not a relay page");
                failures++;
                sleep(200);
                continue;
            }
            int index = Integer.parseInt(at.group(1));
            sleep(thinkMs / 2 + ThreadLocalRandom.current().nextInt(thinkMs));
            HttpResponse<String> sent = post(base, path, "_page=" + index + "&step" + (index + 1) + "=" + (index + 1));
            if (status(sent) == 303) {
                tally.answered.add(id + ":step" + (index + 1));
                tally.submits.incrementAndGet();
            } else {
                tally.errors.add(id + " POST " + status(sent));
                failures++;
            }
        }
        tally.errors.add(id + " gave up");
    }

    /** Every participant:step that was acknowledged is a stored field of the session. */
    static void assertNothingAcknowledgedIsLost(RunningCohort node, Tally tally, String session) {
        String rows = node.sql("SELECT string_agg(DISTINCT f.participant_id || ':' || f.key, ',') FROM"
                + " cohort.field_value f JOIN cohort.participant p ON p.id = f.participant_id WHERE p.session_id = '"
                + session + "' AND f.key LIKE 'step%'");
        Set<String> lost = new HashSet<>(tally.answered);
        lost.removeAll(List.of(rows == null ? new String[0] : rows.split(",")));
        assertEquals(Set.of(), lost, "acknowledged submits that were not stored");
    }

    /** The session's participants and their status, as the admin's monitor (the session page's JSON) lists them. */
    static Map<String, String> statuses(RunningCohort node, String session) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode p :
                MTurkLab.read(node.api().get("/api/sessions/" + session)).path("participants")) {
            out.put(p.path("id").asText(), p.path("status").asText());
        }
        return out;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
