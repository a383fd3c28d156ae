package io.cohort.platform.participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.event.Events;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.ParticipantPageContribution;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.session.LiveFeed;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;
import org.postgresql.ds.PGSimpleDataSource;

/** A participant's side over real HTTP and WebSocket: a real Felix, the host, PostgreSQL and experiment folders. */
class ParticipantRuntimeTest {

    static final String SURVEY = """
            name: survey
            title: A small survey
            version: "1.0"
            conditions:
              - {name: left}
              - {name: right}
            settings: {trials: 3}
            completion: {code: SURVEY-DONE-42, redirect: "https://example.org/done?x=1&y=2"}
            pages:
              - name: intro
                kind: form
                template: intro.peb
                fields:
                  - {name: agree, type: boolean, label: "I agree", required: true}
                  - {name: age, type: int, label: "Your age", required: true, min: 18, max: 99}
                  - {name: hand, type: choice, label: "Writing hand", choices: [left, right]}
                  - {name: mood, type: scale, label: "Mood", min: 1, max: 5}
                  - {name: height, type: decimal, label: "Height in m"}
                  - {name: note, type: text, label: "Anything else"}
              - name: task
                kind: script
                template: task.peb
              - name: outro
                kind: form
                template: outro.peb
            """;
    static final String THREE = """
            name: three
            title: Three conditions
            version: "1.0"
            conditions: [{name: red}, {name: green}, {name: blue}]
            pages:
              - {name: only, kind: form, template: only.peb}
            """;

    static final String PAIRS = """
            name: pairs
            title: Pairs
            version: "1.0"
            language: es
            groupSize: 2
            pages:
              - name: decide
                kind: form
                template: decide.peb
                fields:
                  - {name: choice, type: choice, label: "Your move", required: true, choices: [cooperate, defect]}
              - {name: wait, kind: wait}
              - {name: result, kind: form, template: result.peb}
            """;

    @TempDir
    static Path home;

    static InProcessNode node;
    static Framework framework;
    static Host host;
    static String db;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path survey = Files.createDirectories(home.resolve("experiments/survey"));
        Files.createDirectories(survey.resolve("static"));
        Files.writeString(survey.resolve("experiment.yaml"), SURVEY);
        Files.writeString(survey.resolve("intro.peb"), """
                {% extends "participant.peb" %}
                {% block content %}<h1 id="intro">Welcome, {{ participant.name }}</h1>{% endblock %}
                """);
        Files.writeString(survey.resolve("task.peb"), """
                {% extends "participant.peb" %}
                {% block content %}<p id="task">trials={{ settings.trials }} condition={{ participant.condition }}
                age={{ fields.age }} note={{ fields.note }} static={{ static }}</p>
                <script src="{{ static }}/task.js"></script>{% endblock %}
                """);
        Files.writeString(survey.resolve("outro.peb"), """
                {% extends "participant.peb" %}
                {% block content %}<p id="outro">accuracy={{ fields.accuracy }}</p>{% include "thanks.peb" %}{% endblock %}
                """);
        // a fragment next to the page, included by its bare name
        Files.writeString(survey.resolve("thanks.peb"), "<p id=\"thanks\">Thanks, {{ participant.name }}</p>");
        Files.writeString(survey.resolve("static/task.js"), "console.log('task');\n");
        Path three = Files.createDirectories(home.resolve("experiments/three"));
        Files.writeString(three.resolve("experiment.yaml"), THREE);
        Files.writeString(
                three.resolve("only.peb"), "{% extends \"participant.peb\" %}{% block content %}only{% endblock %}");

        Path pairs = Files.createDirectories(home.resolve("experiments/pairs"));
        Files.writeString(pairs.resolve("experiment.yaml"), PAIRS);
        Files.writeString(pairs.resolve("messages_es.properties"), "wait.text=Un momento, por favor…\n");
        Files.writeString(
                pairs.resolve("decide.peb"),
                "{% extends \"participant.peb\" %}{% block content %}decide{% endblock %}");
        Files.writeString(pairs.resolve("result.peb"), """
                {% extends "participant.peb" %}
                {% block content %}<p id="result">you={{ fields.choice }}{% for o in others %} {{ o.name }}={{ o.fields.choice }}{% endfor %}</p>{% endblock %}
                """);
        db = TestDatabase.create();
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", "t"));
        framework = node.framework();
        host = node.host();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    static <T> T service(Class<T> type) {
        BundleContext c = framework.getBundleContext();
        return c.getService(c.getServiceReference(type));
    }

    static List<Participant> newSession(String experiment, int size) {
        Session s =
                service(Sessions.class).create(new NewSession(experiment, size, null, null, List.of(), false, "test"));
        return service(Participants.class).ofSession(s.id());
    }

    static String url(Participant p) {
        return "p/" + p.sessionId() + "/" + p.token() + "/";
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(host.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String acceptLanguage) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(host.url() + path))
                        .header("Accept-Language", acceptLanguage)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(host.url() + path))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> form(Participant p, String body) throws Exception {
        return post(url(p), "application/x-www-form-urlencoded", body);
    }

    static HttpResponse<String> json(Participant p, String call, String body) throws Exception {
        return post(url(p) + call, "application/json", body);
    }

    static Participant reread(Participant p) {
        return service(Participants.class).find(p.id()).orElseThrow();
    }

    static long count(String sql, String arg) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static String current(Participant p, String key) throws Exception {
        return latest(p, key, "value::text");
    }

    static String lastSetBy(Participant p, String key) throws Exception {
        return latest(p, key, "set_by");
    }

    /** A column of the newest row of a field, null if it has none. */
    static String latest(Participant p, String key, String column) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement("SELECT " + column
                        + " FROM cohort.field_value WHERE participant_id = ? AND key = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, p.id());
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static void eventually(BooleanSupplier condition, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aHugeExperimentFileStallsNoParticipantPage() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        assertEquals(200, get(url(p)).statusCode());
        // 30 MB of valid YAML: parsing it under the catalog's lock once held every page load for seconds.
        Path big = Files.createDirectories(home.resolve("experiments/big"));
        Path staged = home.resolve("big-experiment.yaml");
        Files.writeString(staged, "name: big\npadding:\n" + "  - {a: 1, b: two, c: [3, 4]}\n".repeat(1_000_000));
        Files.move(staged, big.resolve("experiment.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        long worstMillis = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        while (System.nanoTime() < until) {
            long start = System.nanoTime();
            assertEquals(200, get(url(p)).statusCode());
            worstMillis = Math.max(worstMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        // A correctness bound, not a speed figure: the stall it guards against was many seconds.
        assertTrue(worstMillis < 750, "a participant page took " + worstMillis + " ms while the big file was there");
        ExperimentCatalog catalog = (ExperimentCatalog) service(io.cohort.api.experiment.Experiments.class);
        String named = "experiments/big/experiment.yaml: " + Files.size(big.resolve("experiment.yaml"))
                + " bytes is over the limit";
        eventually(() -> catalog.problems().stream().anyMatch(m -> m.startsWith(named)), "the big file is named");
        // The admin sees it where experiments are chosen.
        String page = new io.cohort.testkit.AdminHttp(URI.create(host.url()))
                .bearer("t")
                .get("/admin/sessions")
                .body();
        assertTrue(page.contains("id=\"experiment-problems\"") && page.contains(named), page);
        Files.delete(big.resolve("experiment.yaml"));
    }

    @Test
    void everyUrlThatNamesNoParticipantGetsTheSameNotFoundPage() throws Exception {
        List<Participant> mine = newSession("survey", 1);
        List<Participant> other = newSession("survey", 1);
        Participant p = mine.get(0);
        List<HttpResponse<String>> answers = List.of(
                get("p/" + p.sessionId() + "/" + p.token().substring(1) + "x/"), // wrong token
                get("p/nosuchsession/" + p.token() + "/"), // wrong session
                get("p/" + p.sessionId() + "/" + other.get(0).token() + "/"), // another session's token
                get("p/%27%3B--/%3Cscript%3E/"), // malformed
                get("p/" + p.sessionId() + "/"), // no token at all
                get("p/" + p.sessionId() + "/" + p.token() + "/nothing/here"),
                post("p/nosuchsession/" + p.token() + "/save", "application/json", "{\"a\": 1}"));
        String body = answers.get(0).body();
        assertTrue(body.contains("Page not found"), body);
        assertFalse(body.contains(p.sessionId()), "reveals nothing of the URL");
        for (HttpResponse<String> a : answers) {
            assertEquals(404, a.statusCode(), a.uri().toString());
            assertEquals(body, a.body(), a.uri().toString());
        }
        assertEquals(
                0, count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'a'", p.id()));
        assertEquals("ALLOCATED", reread(p).status().name(), "nothing was started by a wrong URL");
        // The right URL works, and the socket refuses a wrong one.
        assertEquals(200, get(url(p)).statusCode());
        assertEquals(4404, closeCode("ws/p/" + p.sessionId() + "/nope"));
    }

    @Test
    void anInactiveSessionShowsThePausedPage() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        service(Sessions.class).setActive(p.sessionId(), false, "test");
        HttpResponse<String> paused = get(url(p));
        assertEquals(503, paused.statusCode());
        assertTrue(paused.body().contains("This study is paused; keep this page and try again later"), paused.body());
        // The host's words follow the browser's language (German, Spanish, Japanese; English otherwise).
        HttpResponse<String> german = get(url(p), "de-CH,de;q=0.9,en;q=0.5");
        assertTrue(german.body().contains("Diese Studie ist pausiert"), german.body());
        assertTrue(german.body().contains("<html lang=\"de\">"), german.body());
        assertTrue(get("p/nope/nope/", "ja").body().contains("ページが見つかりません"));
        assertTrue(get(url(p), "fr-FR").body().contains("This study is paused"), "no French: English");
        assertEquals("ALLOCATED", reread(p).status().name());
        assertEquals(503, form(p, "_page=0&agree=true&age=30").statusCode());
        assertEquals(0, reread(p).pageIndex());
        service(Sessions.class).setActive(p.sessionId(), true, "test");
        HttpResponse<String> back = get(url(p));
        assertEquals(200, back.statusCode());
        assertEquals("no-store", back.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("STARTED", reread(p).status().name());
    }

    @Test
    void badAnswersAreShownNextToTheirFieldsAndNothingIsStored() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        String page = get(url(p)).body();
        assertTrue(page.contains("<h1 id=\"intro\">Welcome, " + p.name() + "</h1>"), page);
        assertTrue(page.contains("name=\"_page\" value=\"0\""), page);
        assertTrue(
                page.contains("type=\"number\" id=\"f-age\" name=\"age\" value=\"\" step=\"1\" min=\"18\" max=\"99\""),
                page);
        assertTrue(page.contains("type=\"radio\" name=\"mood\" value=\"5\""), page);
        long before = count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id());

        HttpResponse<String> bad = form(p, "_page=0&age=12x&hand=middle&mood=9&height=1e999999&note=fine");
        assertEquals(422, bad.statusCode());
        String b = bad.body();
        assertTrue(b.contains("id=\"error-agree\">I agree: please tick this box to go on"), b);
        assertTrue(b.contains("id=\"error-age\">Your age: &#39;12x&#39; is not a whole number"), b);
        assertTrue(b.contains("id=\"error-hand\">Writing hand: &#39;middle&#39; is not one of the choices"), b);
        assertTrue(b.contains("id=\"error-mood\">Mood: 9 is more than 5"), b);
        assertTrue(b.contains("id=\"error-height\">Height in m: &#39;1e999999&#39; is not a number"), b);
        assertFalse(b.contains("id=\"error-note\""), "a good answer has no error");
        assertTrue(b.contains("name=\"age\" value=\"12x\""), "the entered value is kept: " + b);
        assertTrue(b.contains(">fine</textarea>"), b);
        HttpResponse<String> young = form(p, "_page=0&agree=true&age=17");
        assertEquals(422, young.statusCode());
        assertTrue(young.body().contains("Your age: 17 is less than 18"), young.body());
        assertEquals(
                before,
                count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id()),
                "a rejected form stores nothing");
        assertEquals(0, reread(p).pageIndex());
    }

    @Test
    void aParticipantGoesFromTheFirstPageToTheEndWithTheCompletionCode() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        get(url(p));
        HttpResponse<String> ok = form(
                p,
                "_page=0&agree=true&age=30&hand=left&mood=4&height=1.80&note="
                        + java.net.URLEncoder.encode(
                                "<script>alert(1)</script> & more", java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(303, ok.statusCode());
        assertEquals(
                "/" + url(p), ok.headers().firstValue("Location").orElse("").replaceFirst("^https?://[^/]+", ""));
        assertEquals("30", current(p, "age"));
        assertEquals("true", current(p, "agree"));
        assertEquals("\"left\"", current(p, "hand"));
        assertEquals("4", current(p, "mood"));
        assertEquals("1.80", current(p, "height"));
        assertEquals("page:intro", lastSetBy(p, "age"));
        // A second submit of the same page (an old tab) stores nothing and shows where the participant is.
        long rows = count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id());
        assertEquals(303, form(p, "_page=0&agree=true&age=31").statusCode());
        assertEquals("30", current(p, "age"));
        assertEquals(rows, count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id()));

        Participant now = reread(p);
        String task = get(url(p)).body();
        assertTrue(task.contains("trials=3 condition=" + now.condition()), task);
        assertTrue(
                task.contains("note=&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"),
                "participant input is escaped: " + task);
        assertFalse(task.contains("<script>alert(1)"), task);
        assertTrue(task.contains("static=/experiments/survey/static"), task);
        // The page's settings for cohort.js are JSON that cannot close its script element.
        assertTrue(task.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 more"), task);
        assertTrue(task.contains("<script src=\"/static/cohort/cohort.js\"></script>"), task);
        HttpResponse<String> js = get("experiments/survey/static/task.js");
        assertEquals(200, js.statusCode());
        assertEquals("console.log('task');\n", js.body());
        assertEquals(404, get("experiments/survey/static/../experiment.yaml").statusCode());
        assertEquals(
                404, get("experiments/survey/static/%2e%2e/experiment.yaml").statusCode());
        HttpResponse<String> cohortJs = get("static/cohort/cohort.js");
        assertEquals(200, cohortJs.statusCode());
        assertTrue(cohortJs.body().contains("window.cohort"));

        assertEquals(200, json(p, "save", "{\"accuracy\": 0.9}").statusCode());
        assertEquals(200, json(p, "next", "{\"page\": 1}").statusCode());
        String outro = get(url(p)).body();
        assertTrue(outro.contains("<p id=\"outro\">accuracy=0.9</p>"), outro);
        assertTrue(outro.contains("<p id=\"thanks\">Thanks, " + p.name() + "</p>"), outro);
        // The last page asks nothing: it is the end page. Reaching it finished the study, with no further click.
        assertEquals("COMPLETED", reread(p).status().name(), "reaching the end page is finishing");
        assertTrue(outro.contains("id=\"completion-code\">SURVEY-DONE-42</strong>"), outro);
        assertFalse(outro.contains("id=\"cohort-next\""), "nothing more to click: " + outro);
        assertEquals(303, form(p, "_page=2").statusCode());

        HttpResponse<String> end = get(url(p));
        assertEquals(200, end.statusCode());
        assertTrue(
                end.body().contains("<strong class=\"cohort-code\" id=\"completion-code\">SURVEY-DONE-42</strong>"),
                end.body());
        assertTrue(end.body().contains("href=\"https://example.org/done?x=1&amp;y=2\""), end.body());
        assertTrue(
                end.body()
                        .contains(
                                "<meta http-equiv=\"refresh\" content=\"5; url=https://example.org/done?x=1&amp;y=2\">"),
                end.body());
        assertEquals("COMPLETED", reread(p).status().name());
    }

    @Test
    void theScriptCallsSaveAppendMoveCompleteAndQuit() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        get(url(p));
        form(p, "_page=0&agree=true&age=40");
        assertEquals(1, reread(p).pageIndex());

        HttpResponse<String> saved = json(p, "save", "{\"score\": 3, \"answer\": {\"a\": [1, 2]}}");
        assertEquals(200, saved.statusCode(), saved.body());
        assertEquals("3", current(p, "score"));
        assertEquals("{\"a\": [1, 2]}", current(p, "answer"));
        assertEquals("page:task", lastSetBy(p, "score"));

        assertEquals(
                200,
                json(p, "append", "{\"key\": \"trials\", \"record\": {\"rt\": 512, \"ok\": true}}")
                        .statusCode());
        assertEquals(
                200,
                json(p, "append", "{\"key\": \"trials\", \"record\": {\"rt\": 498, \"ok\": false}}")
                        .statusCode());
        assertEquals(
                2,
                count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'trials'", p.id()));
        // The records are a table: one row each, numbered, one column per key, from the API and the admin pages.
        io.cohort.testkit.AdminHttp api = new io.cohort.testkit.AdminHttp(URI.create(host.url())).bearer("t");
        io.cohort.testkit.AdminHttp.Response table = api.get("/api/sessions/" + p.sessionId() + "/records/trials.csv");
        assertEquals(200, table.status(), table.toString());
        List<String> lines = table.body().lines().toList();
        assertEquals("session,participant,label,condition,code_version,record,time,rt,ok", lines.get(0));
        assertEquals(3, lines.size(), table.body());
        assertTrue(
                lines.get(1)
                        .startsWith(
                                p.sessionId() + "," + p.id() + ",," + reread(p).condition() + ",1.0,1,"),
                lines.get(1));
        assertTrue(lines.get(1).endsWith(",512,true"), lines.get(1));
        assertTrue(lines.get(2).contains(",2,") && lines.get(2).endsWith(",498,false"), lines.get(2));
        String data = api.get("/api/sessions/" + p.sessionId() + "/data").body();
        assertTrue(data.contains("\"records\":2"), "the Data page counts the records, not only the last: " + data);

        long rows = count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id());
        for (String[] bad : new String[][] {
            {"save", "not json", "body: not JSON"},
            {"save", "[1, 2]", "body: expected an object"},
            {"save", "{\"ok\": 1, \"bad key!\": 2}", "field key 'bad key!'"},
            {"save", "{\"status\": \"COMPLETED\"}", "key 'status' is written by Cohort"},
            {"save", "{\"bonus_cents\": 500}", "key 'bonus_cents' is written by Cohort"},
            {"append", "{\"key\": \"condition\", \"record\": {}}", "key 'condition' is written by Cohort"},
            {"append", "{\"record\": {}}", "key: expected"},
            {"append", "{\"key\": \"trials\"}", "record: expected"},
            {"next", "{\"page\": \"one\"}", "page: expected"}
        }) {
            HttpResponse<String> r = json(p, bad[0], bad[1]);
            assertEquals(400, r.statusCode(), bad[1]);
            assertTrue(r.body().contains(bad[2]), r.body());
        }
        assertEquals(
                rows,
                count("SELECT count(*) FROM cohort.field_value WHERE participant_id = ?", p.id()),
                "a refused call stores nothing");
        assertEquals(1, reread(p).pageIndex());

        // Leaving the page (sendBeacon) marks them gone until they come back.
        assertEquals(200, post(url(p) + "quit", "text/plain", "").statusCode());
        assertEquals("QUIT_EARLY", reread(p).status().name());
        assertEquals(200, get(url(p)).statusCode());
        assertEquals("STARTED", reread(p).status().name());
        // The beacon of a page older than the latest rendering (a reload) does not count.
        assertEquals(200, post(url(p) + "quit", "text/plain", "{\"load\": 1}").statusCode());
        assertEquals("STARTED", reread(p).status().name());

        HttpResponse<String> stale = json(p, "next", "{\"page\": 0}");
        assertEquals("{\"moved\":false}", stale.body());
        assertEquals(1, reread(p).pageIndex());
        assertEquals("{\"moved\":true}", json(p, "next", "{\"page\": 1}").body());
        assertEquals(2, reread(p).pageIndex());
        assertEquals(200, json(p, "complete", "").statusCode());
        Participant done = reread(p);
        assertEquals(3, done.pageIndex());
        assertEquals("COMPLETED", done.status().name());
        assertTrue(get(url(p)).body().contains("SURVEY-DONE-42"));
    }

    @Test
    void aCommandSentWhileNoPageIsOpenArrivesWhenThePageConnectsUntilItIsAcknowledged() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        get(url(p));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db);
        LiveFeed live = LiveFeed.over(service(Events.class), new Transactions(ds));
        // No socket of theirs is open on any node: the command is kept.
        live.command(p.id(), "message", Map.of("text", "Are you still there?"));
        String path = "ws/p/" + p.sessionId() + "/" + p.token();

        LinkedBlockingQueue<String> first = new LinkedBlockingQueue<>();
        WebSocket ws = socket(path, first);
        ws.sendText("{\"hello\": null}", true).get(5, TimeUnit.SECONDS);
        String message = first.poll(5, TimeUnit.SECONDS);
        assertTrue(message != null && message.contains("Are you still there?"), String.valueOf(message));
        long id = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(message)
                .get("id")
                .asLong();
        ws.abort();

        // Not acknowledged: the next connection (after a reconnect, or on another node) brings it again.
        LinkedBlockingQueue<String> second = new LinkedBlockingQueue<>();
        WebSocket again = socket(path, second);
        again.sendText("{\"hello\": null}", true).get(5, TimeUnit.SECONDS);
        String repeated = second.poll(5, TimeUnit.SECONDS);
        assertTrue(repeated != null && repeated.contains("\"id\":" + id), String.valueOf(repeated));
        again.sendText("{\"ack\": " + id + "}", true).get(5, TimeUnit.SECONDS);
        eventually(() -> delivered(id), "the acknowledgement is recorded");
        again.abort();

        // Once acknowledged it is not sent again.
        LinkedBlockingQueue<String> third = new LinkedBlockingQueue<>();
        WebSocket last = socket(path, third);
        last.sendText("{\"hello\": null}", true).get(5, TimeUnit.SECONDS);
        assertEquals(null, third.poll(1, TimeUnit.SECONDS));
        last.abort();

        // A reload sent with the change that led to the page now open is not for it; one sent after is.
        live.command(p.id(), "reload", Map.of());
        String pageSince = reread(p).updatedAt().toString();
        LinkedBlockingQueue<String> fourth = new LinkedBlockingQueue<>();
        WebSocket page = socket(path, fourth);
        page.sendText("{\"hello\": \"" + java.time.Instant.now().plusSeconds(5) + "\"}", true)
                .get(5, TimeUnit.SECONDS);
        assertEquals(null, fourth.poll(1, TimeUnit.SECONDS), "a reload older than the page");
        page.sendText("{\"hello\": \"" + pageSince + "\"}", true).get(5, TimeUnit.SECONDS);
        String reload = fourth.poll(5, TimeUnit.SECONDS);
        assertTrue(reload != null && reload.contains("\"type\":\"reload\""), String.valueOf(reload));
        page.abort();
    }

    static boolean delivered(long commandId) {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT delivered_at IS NOT NULL FROM cohort.participant_command WHERE id = ?")) {
            ps.setLong(1, commandId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theOpenPageSocketIsOnlineAndReceivesCommands() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        get(url(p));
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = socket("ws/p/" + p.sessionId() + "/" + p.token(), received);
        eventually(() -> online(p), "online after the socket opened");

        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(db);
        LiveFeed live = LiveFeed.over(service(Events.class), new Transactions(ds));
        live.command(p.id(), "message", Map.of("text", "<b>Hello</b> there"));
        String message = received.poll(5, TimeUnit.SECONDS);
        assertTrue(
                message != null && message.contains("\"type\":\"message\"") && message.contains("<b>Hello</b> there"),
                String.valueOf(message));
        // Someone else's command does not reach this page.
        Participant other = newSession("survey", 1).get(0);
        live.command(other.id(), "reload", Map.of());
        live.command(p.id(), "redirect", Map.of("url", "https://example.org/"));
        String next = received.poll(5, TimeUnit.SECONDS);
        assertTrue(
                next != null && next.contains("\"type\":\"redirect\"") && next.contains("https://example.org/"), next);

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        eventually(() -> !online(p), "offline after the socket closed");
    }

    static boolean online(Participant p) {
        try {
            return count("SELECT count(*) FROM cohort.participant WHERE id = ? AND online", p.id()) == 1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void conditionsStayBalancedUnder200ConcurrentArrivalsOverHttp() throws Exception {
        List<Participant> all = newSession("three", 200);
        List<CompletableFuture<HttpResponse<String>>> loads = new ArrayList<>();
        for (Participant p : all) {
            loads.add(HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(host.url() + url(p))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> load : loads) {
            assertEquals(200, load.get(60, TimeUnit.SECONDS).statusCode());
        }
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT condition, count(*) FROM cohort.participant WHERE session_id = ? GROUP BY condition")) {
            ps.setString(1, all.get(0).sessionId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(String.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
        }
        assertEquals(List.of("blue", "green", "red"), List.copyOf(counts.keySet()), counts.toString());
        int max = counts.values().stream().max(Integer::compare).orElseThrow();
        int min = counts.values().stream().min(Integer::compare).orElseThrow();
        assertTrue(max - min <= 1, counts.toString());
        assertNotEquals(0, min);
    }

    static WebSocket socket(String path, LinkedBlockingQueue<String> received) throws Exception {
        return HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(host.url().replace("http", "ws") + path), new WebSocket.Listener() {
                    // The JDK may hand one message over in parts: a message is whole at its last part.
                    private final StringBuilder parts = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        parts.append(data);
                        if (last) {
                            received.add(parts.toString());
                            parts.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
    }

    /** The close code of a socket the host refuses. */
    static int closeCode(String path) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(host.url().replace("http", "ws") + path), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        return closed.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWaitPageMovesOnOverTheSocketWhenThePartnerArrives() throws Exception {
        List<Participant> pair = newSession("pairs", 2);
        Participant a = pair.get(0);
        Participant b = pair.get(1);
        assertEquals(a.group(), b.group());
        get(url(a));
        get(url(b));
        assertEquals(303, form(a, "_page=0&choice=cooperate").statusCode());
        // The experiment's language picks the host's words, and its own messages file replaces one of them.
        HttpResponse<String> waiting = get(url(a), "en-US");
        assertTrue(waiting.body().contains("Un momento, por favor…"), waiting.body());
        assertTrue(waiting.body().contains("<html lang=\"es\">"), waiting.body());
        assertTrue(waiting.body().contains("\"kind\":\"wait\""), "cohort.js is told to poll: " + waiting.body());
        String state = get(url(a) + "state").body();
        assertTrue(state.contains("\"page\":1") && state.contains("\"status\":\"STARTED\""), state);
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = socket("ws/p/" + a.sessionId() + "/" + a.token(), received);
        eventually(() -> online(a), "a online");

        assertEquals(303, form(b, "_page=0&choice=defect").statusCode());
        String command = received.poll(5, TimeUnit.SECONDS);
        assertTrue(command != null && command.contains("\"type\":\"advance\""), String.valueOf(command));
        String result = get(url(a)).body();
        assertTrue(result.contains("<p id=\"result\">you=cooperate " + b.name() + "=defect</p>"), result);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void pluginsAddToEveryPageAndTheirParticipantSocketsKnowWhoIsThere() throws Exception {
        Participant p = newSession("survey", 1).get(0);
        BundleContext c = framework.getBundleContext();
        List<String> pages = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceRegistration<ParticipantPageContribution> widget = c.registerService(
                ParticipantPageContribution.class,
                new ParticipantPageContribution() {
                    @Override
                    public String head(ParticipantPage page) {
                        pages.add(page.participantId() + "@" + page.pageName() + " " + page.token());
                        return "<script src=\"/static/chat/widget.js\"></script>";
                    }

                    @Override
                    public String body(ParticipantPage page) {
                        return "<div id=\"chat-widget\"></div>";
                    }
                },
                null);
        List<String> principals = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceRegistration<SocketEndpoint> chat = c.registerService(
                SocketEndpoint.class,
                new SocketEndpoint() {
                    @Override
                    public void onOpen(Socket socket) {
                        principals.add(socket.principal());
                    }

                    @Override
                    public void onMessage(Socket socket, String message) {}
                },
                new java.util.Hashtable<>(Map.of(SocketEndpoint.PATH, "chat", SocketEndpoint.AUDIENCE, "participant")));
        try {
            String page = get(url(p)).body();
            assertTrue(page.contains("<script src=\"/static/chat/widget.js\"></script>"), page);
            assertTrue(page.contains("<div id=\"chat-widget\"></div>"), page);
            assertEquals(List.of(p.id() + "@intro " + p.token()), pages);

            LinkedBlockingQueue<String> ignored = new LinkedBlockingQueue<>();
            socket("ws/chat?session=" + p.sessionId() + "&token=" + p.token(), ignored)
                    .sendClose(1000, "");
            eventually(() -> principals.size() == 1, "the participant's chat socket");
            socket("ws/chat", ignored).sendClose(1000, "");
            eventually(() -> principals.size() == 2, "two chat sockets");
            assertEquals(List.of(p.id(), "participant"), principals);
            assertEquals(4404, closeCode("ws/chat?session=" + p.sessionId() + "&token=wrong"));
            assertEquals(2, principals.size());
        } finally {
            widget.unregister();
            chat.unregister();
        }
        assertFalse(get(url(p)).body().contains("chat-widget"), "gone with its service");
    }
}
