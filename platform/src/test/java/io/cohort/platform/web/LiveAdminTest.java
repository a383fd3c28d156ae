package io.cohort.platform.web;

import static io.cohort.platform.TestFramework.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Session;
import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.osgi.framework.launch.Framework;

/** The Sessions tab, the session page's controls and actions, and the monitor socket, over HTTP and WebSocket. */
class LiveAdminTest {

    static final String TOKEN = "live-admin-token";
    static final String PASSWORD = "s3cret-admin";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Three form pages; pairs; new_player writes a field so a re-run shows. */
    static final Experiment DUO = new Experiment(
            "duo",
            "Duo",
            "1.2",
            List.of(
                    new Page("intro", PageKind.FORM, "intro.peb", List.of()),
                    new Page("decide", PageKind.FORM, "decide.peb", List.of()),
                    new Page("outro", PageKind.FORM, "outro.peb", List.of())),
            List.of(),
            2,
            "{\"rounds\": 3}",
            "DONE",
            "");

    @TempDir
    static Path home;

    static InProcessNode node;
    static Framework framework;
    static Host host;
    static String db;
    static AdminHttp admin;
    static final List<Event> commands = new CopyOnWriteArrayList<>();
    static final Map<String, AtomicInteger> newSessionRuns = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        node = InProcessNode.start(
                home,
                Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN, "COHORT_ADMIN_PASSWORD", PASSWORD),
                context -> {
                    context.registerService(
                            Experiments.class,
                            new Experiments() {
                                @Override
                                public List<Experiment> list() {
                                    return List.of(DUO);
                                }

                                @Override
                                public Optional<Experiment> find(String name) {
                                    return name.equals(DUO.name()) ? Optional.of(DUO) : Optional.empty();
                                }
                            },
                            null);
                    context.registerService(
                            ExperimentHooks.class,
                            new ExperimentHooks() {
                                @Override
                                public void newSession(Session session, ParticipantData data) {
                                    newSessionRuns
                                            .computeIfAbsent(session.id(), k -> new AtomicInteger())
                                            .incrementAndGet();
                                }

                                @Override
                                public void newPlayer(Session session, Participant participant, ParticipantData data) {
                                    data.set(
                                            participant.id(),
                                            "welcome",
                                            "\"hello " + participant.name() + "\"",
                                            "DuoHooks.newPlayer");
                                }
                            },
                            props(ExperimentHooks.EXPERIMENT, "duo"));
                    context.registerService(
                            EventListener.class, commands::add, props(EventListener.TOPIC, "participant/command"));
                });
        framework = node.framework();
        host = node.host();
        admin = new AdminHttp(URI.create(host.url()));
        assertEquals(302, admin.login("admin", PASSWORD).status());
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    // ---- creating sessions

    @Test
    void theNewSessionFormCreatesASessionAndOpensItsPage() throws Exception {
        AdminHttp.Response tab = admin.get("/admin/sessions");
        assertEquals(200, tab.status());
        assertTrue(tab.body().contains("<option value=\"duo\""), tab.body());
        // The declared settings (here inferred from the defaults) are fields, prefilled with the defaults.
        assertTrue(
                tab.body().contains("name=\"setting.duo.rounds\" value=\"3\""),
                "settings are fields with their defaults: " + tab.body());
        AdminHttp.Response byField = admin.postForm(
                "/admin/sessions",
                form("experiment", "duo", "participants", "2", "setting.duo.rounds", "7", "name", "field-made"));
        assertEquals(302, byField.status(), byField.toString());
        assertEquals(
                "7",
                one(
                        "SELECT settings->>'rounds' FROM cohort.session WHERE id = ?",
                        byField.redirectPath().substring("/admin/sessions/".length())));
        AdminHttp.Response badField = admin.postForm(
                "/admin/sessions",
                form("experiment", "duo", "participants", "2", "setting.duo.rounds", "seven", "name", "never-made"));
        assertEquals(400, badField.status());
        assertTrue(
                badField.body().contains("settings: &#39;rounds&#39; must be a whole number, not &quot;seven&quot;"),
                badField.body());
        assertTrue(badField.body().contains("name=\"setting.duo.rounds\" value=\"seven\""), "what was typed stays");
        AdminHttp.Response made = admin.postForm(
                "/admin/sessions",
                form(
                        "experiment",
                        "duo",
                        "participants",
                        "2",
                        "settings",
                        "{\"rounds\": 5}",
                        "name",
                        "form-made",
                        "names",
                        "ann\n\nbob\n",
                        "simulate",
                        "on"));
        assertEquals(302, made.status(), made.toString());
        String id = made.redirectPath().substring("/admin/sessions/".length());
        assertEquals(
                "form-made|duo|1.2|2|true|5|admin",
                one(
                        "SELECT name || '|' || experiment || '|' || code_version"
                                + " || '|' || size || '|' || simulate || '|' || (settings->>'rounds') || '|' || created_by"
                                + " FROM cohort.session WHERE id = ?",
                        id));
        assertEquals(
                "ann,bob",
                one("SELECT string_agg(name, ',' ORDER BY name) FROM cohort.participant WHERE session_id = ?", id));
        assertEquals(
                "admin", one("SELECT actor FROM cohort.audit_log WHERE action = 'session.create' AND target = ?", id));
        AdminHttp.Response page = admin.get(made.redirectPath());
        assertEquals(200, page.status());
        String annToken = one("SELECT token FROM cohort.participant WHERE session_id = ? AND name = 'ann'", id);
        assertTrue(page.body().contains("href=\"/p/" + id + "/" + annToken + "/\""), page.body());
        assertTrue(admin.get("/admin/sessions").body().contains(">form-made</a>"));
    }

    @Test
    void theApiCreatesASessionAndAnswersEachParticipantsUrl() throws Exception {
        HttpResponse<String> made = api(
                "POST",
                "/api/sessions",
                "{\"experiment\": \"duo\", \"participants\": 3, \"settings\": {\"rounds\": 1, \"incomplete_groups\": true}, \"name\": \"api-made\"}");
        assertEquals(201, made.statusCode(), made.body());
        JsonNode body = JSON.readTree(made.body());
        String id = body.get("session").get("id").asText();
        assertEquals(
                1,
                JSON.readTree(body.get("session").get("settings").asText())
                        .get("rounds")
                        .asInt());
        assertEquals(3, body.get("participants").size());
        for (JsonNode p : body.get("participants")) {
            String token = one(
                    "SELECT token FROM cohort.participant WHERE id = ? AND session_id = ?",
                    p.get("id").asText(),
                    id);
            assertEquals("/p/" + id + "/" + token + "/", p.get("url").asText());
        }
        JsonNode list = JSON.readTree(api("GET", "/api/sessions", null).body());
        JsonNode mine = null;
        for (JsonNode row : list) {
            if (row.get("session").get("id").asText().equals(id)) {
                mine = row;
            }
        }
        assertEquals(3, mine.get("participants").asInt());
        assertEquals(0, mine.get("completed").asInt());
        assertEquals(
                "api", one("SELECT actor FROM cohort.audit_log WHERE action = 'session.create' AND target = ?", id));
    }

    @Test
    void badInputNamesTheFieldAndCreatesNothing() throws Exception {
        String before = one("SELECT count(*) FROM cohort.session");
        String participantsBefore = one("SELECT count(*) FROM cohort.participant");
        AdminHttp.Response unknown = admin.postForm("/admin/sessions", form("experiment", "nope", "participants", "2"));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().contains("experiment: there is no experiment &#39;nope&#39;"), unknown.body());
        AdminHttp.Response badSettings = admin.postForm(
                "/admin/sessions",
                form("experiment", "duo", "participants", "2", "settings", "{\"rounds\": ", "name", "kept-name"));
        assertEquals(400, badSettings.status());
        assertTrue(badSettings.body().contains("settings: not JSON"), badSettings.body());
        assertTrue(badSettings.body().contains("value=\"kept-name\""), "what was typed is shown again");
        HttpResponse<String> count =
                api("POST", "/api/sessions", "{\"experiment\": \"duo\", \"participants\": \"many\"}");
        assertEquals(400, count.statusCode());
        assertEquals(
                "participants: 'many' is not a whole number",
                JSON.readTree(count.body()).get("error").asText());
        HttpResponse<String> array =
                api("POST", "/api/sessions", "{\"experiment\": \"duo\", \"participants\": 2, \"settings\": [1]}");
        assertEquals(400, array.statusCode());
        assertTrue(JSON.readTree(array.body()).get("error").asText().startsWith("settings: must be a JSON object"));
        // Settings are checked against what the experiment declares: a wrong type, a typo'd key.
        AdminHttp.Response wrongType = admin.postForm(
                "/admin/sessions", form("experiment", "duo", "participants", "2", "settings", "{\"rounds\": \"ten\"}"));
        assertEquals(400, wrongType.status());
        assertTrue(
                wrongType.body().contains("settings: &#39;rounds&#39; must be a whole number, not &quot;ten&quot;"),
                wrongType.body());
        HttpResponse<String> typo = api(
                "POST",
                "/api/sessions",
                "{\"experiment\": \"duo\", \"participants\": 2, \"settings\": {\"round\": 3}}");
        assertEquals(400, typo.statusCode());
        assertEquals(
                "settings: 'round' is not a setting of duo (its settings: rounds, wait_timeout_seconds,"
                        + " incomplete_groups, condition_policy)",
                JSON.readTree(typo.body()).get("error").asText());
        // 3 people for a two-player game: one would be left without a partner.
        HttpResponse<String> odd = api("POST", "/api/sessions", "{\"experiment\": \"duo\", \"participants\": 3}");
        assertEquals(400, odd.statusCode());
        assertEquals(
                "participants: duo is played in groups of 2, so 3 participants would leave 1 without a group;"
                        + " use 2 or 4 (or 0 for a session crowd workers fill as they arrive), or set"
                        + " \"incomplete_groups\": true to leave them in a smaller group",
                JSON.readTree(odd.body()).get("error").asText());
        assertEquals(before, one("SELECT count(*) FROM cohort.session"));
        assertEquals(participantsBefore, one("SELECT count(*) FROM cohort.participant"));
    }

    @Test
    void theDashboardShowsSessionsAtWorkAndArchivesTheRest() throws Exception {
        String old = newSession(2).get("session").get("id").asText();
        String crowd = JSON.readTree(api("POST", "/api/sessions", "{\"experiment\": \"duo\", \"participants\": 0}")
                        .body())
                .get("session")
                .get("id")
                .asText();
        // Made three days ago, nobody at work since: not active, whatever its paused/active switch says.
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement("UPDATE cohort.session SET created_at = now() - interval"
                        + " '3 days' WHERE id = ?; UPDATE cohort.participant SET created_at = now() - interval '3 days'"
                        + " WHERE session_id = ?")) {
            ps.setString(1, old);
            ps.setString(2, old);
            ps.execute();
        }
        String dashboard = admin.get("/admin/").body();
        assertFalse(dashboard.contains("data-session=\"" + old + "\""), "an idle session is not active");
        assertTrue(dashboard.contains("id=\"archive-idle\""), dashboard);
        // A session crowd workers fill has no target: "0 joined", not "0/0".
        assertTrue(
                dashboard.contains("data-session=\"" + crowd + "\"")
                        && dashboard.contains("<td data-col=\"started\">0 joined</td>"),
                dashboard);
        assertFalse(dashboard.contains("0/0"), dashboard);
        AdminHttp.Response archived = admin.postForm("/admin/sessions/archive-idle", Map.of());
        assertEquals(302, archived.status(), archived.toString());
        assertEquals("true", one("SELECT archived::text FROM cohort.session WHERE id = ?", old));
        assertEquals("false", one("SELECT archived::text FROM cohort.session WHERE id = ?", crowd));
        assertTrue(admin.get("/admin/sessions").body().contains(old), "still on the Sessions tab");
    }

    // ---- the live monitor

    @Test
    void theMonitorSocketPushesAParticipantsRowAfterAnAdvance() throws Exception {
        JsonNode s = newSession(2);
        String id = s.get("session").get("id").asText();
        String p1 = s.get("participants").get(0).get("id").asText();
        try (JsonSocket watch = watch(id)) {
            JsonNode snapshot = watch.next(m -> m.get("type").asText().equals("rows"));
            assertEquals(2, snapshot.get("rows").size());
            assertEquals(0, snapshot.get("rows").get(0).get("pageIndex").asInt());
            assertEquals("intro", snapshot.get("rows").get(0).get("page").asText());
            assertEquals(
                    200,
                    action(id, "advance", Map.of("participants", List.of(p1))).statusCode());
            JsonNode row = watch.next(m -> m.get("type").asText().equals("row")
                            && m.get("row").get("id").asText().equals(p1)
                            && m.get("row").get("pageIndex").asInt() == 1)
                    .get("row");
            assertEquals("decide", row.get("page").asText());
            assertEquals(3, row.get("pages").asInt());
            assertEquals("0.00", row.get("bonus").asText());
        }
    }

    @Test
    void theMonitorRefusesAnonymousSocketsAndUnknownSessions() throws Exception {
        try (JsonSocket anonymous = JsonSocket.open(host.url(), "monitor", null)) {
            assertEquals(4401, anonymous.closed.get(5, TimeUnit.SECONDS));
        }
        try (JsonSocket watch = watch("no-such-session")) {
            assertEquals(
                    "watch: there is no session 'no-such-session'",
                    watch.next(m -> m.get("type").asText().equals("error"))
                            .get("error")
                            .asText());
        }
    }

    @Test
    void theDashboardShowsActiveSessionsAndFollowsTheirProgress() throws Exception {
        JsonNode s = newSession(2);
        String id = s.get("session").get("id").asText();
        String p1 = s.get("participants").get(0).get("id").asText();
        AdminHttp.Response page = admin.get("/admin/");
        assertTrue(page.body().contains("data-session=\"" + id + "\""), page.body());
        assertFalse(page.body().contains("Rooms are not available on this node."), "the host registers Rooms");
        try (JsonSocket watch = watch("dashboard")) {
            JsonNode snapshot = watch.next(m -> m.get("type").asText().equals("dashboard"));
            assertTrue(snapshot.get("sessions").findValuesAsText("id").contains(id));
            action(id, "end", Map.of("participants", List.of(p1)));
            JsonNode figures = watch.next(m -> m.get("type").asText().equals("session")
                            && m.get("session")
                                    .get("session")
                                    .get("id")
                                    .asText()
                                    .equals(id)
                            && m.get("session").get("completed").asInt() == 1)
                    .get("session");
            assertEquals(2, figures.get("participants").asInt());
        }
    }

    // ---- actions

    @Test
    void eachActionChangesTheDatabaseAndLeavesOneAuditRow() throws Exception {
        JsonNode s = newSession(4);
        String id = s.get("session").get("id").asText();
        List<String> p = new ArrayList<>();
        s.get("participants").forEach(n -> p.add(n.get("id").asText()));

        assertEquals(
                200,
                action(id, "advance", Map.of("participants", List.of(p.get(0), p.get(1))))
                        .statusCode());
        action(id, "advance", Map.of("participants", List.of(p.get(0))));
        action(id, "revert", Map.of("participants", List.of(p.get(0))));
        assertEquals("1", one("SELECT page_index FROM cohort.participant WHERE id = ?", p.get(0)));
        assertEquals("1", one("SELECT page_index FROM cohort.participant WHERE id = ?", p.get(1)));

        action(id, "end", Map.of("participants", List.of(p.get(1))));
        assertEquals(
                "3|COMPLETED",
                one("SELECT page_index || '|' || status FROM cohort.participant WHERE id = ?", p.get(1)));

        action(id, "dropout", Map.of("participants", List.of(p.get(2))));
        assertEquals("DROPOUT", one("SELECT status FROM cohort.participant WHERE id = ?", p.get(2)));
        assertEquals(
                "admin:api",
                one(
                        "SELECT set_by FROM cohort.field_value WHERE participant_id = ? AND key = 'status'"
                                + " ORDER BY id DESC LIMIT 1",
                        p.get(2)));

        // set field through the logged-in page's form, with its CSRF token
        admin.get("/admin/sessions/" + id);
        AdminHttp.Response set = admin.postForm(
                "/admin/sessions/" + id + "/actions/set-field",
                form("participants", p.get(0), "key", "score", "value", "41"));
        assertEquals(302, set.status(), set.toString());
        assertEquals(
                "41|admin:admin",
                one(
                        "SELECT value::text || '|' || set_by FROM cohort.field_value"
                                + " WHERE participant_id = ? AND key = 'score'",
                        p.get(0)));
        // The names the host writes are refused, saying what sets them instead; nothing is stored.
        AdminHttp.Response status = admin.postForm(
                "/admin/sessions/" + id + "/actions/set-field",
                form("participants", p.get(0), "key", "status", "value", "\"COMPLETED\""));
        assertEquals(400, status.status(), status.toString());
        assertTrue(
                status.body()
                        .contains("key &#39;status&#39; is written by Cohort and cannot be set as a field: use Drop"
                                + " out or End on the session page"),
                status.body());
        assertEquals(
                "0",
                one(
                        "SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'status'"
                                + " AND set_by = 'admin:admin'",
                        p.get(0)));
        // The participants' links as text (whole URLs) and as CSV.
        AdminHttp.Response page = admin.get("/admin/sessions/" + id);
        String token = one("SELECT token FROM cohort.participant WHERE id = ?", p.get(0));
        assertTrue(
                page.body()
                        .contains("value=\"http://127.0.0.1:"
                                + URI.create(host.url()).getPort() + "/p/" + id + "/" + token + "/\""),
                "a link to copy: " + page.body());
        AdminHttp.Response links = admin.get("/admin/sessions/" + id + "/links.csv");
        assertEquals(200, links.status());
        assertEquals("name,link", links.body().lines().findFirst().orElse(""));
        assertTrue(links.body().contains("/p/" + id + "/" + token + "/"), links.body());
        AdminHttp.Response noCsrf = admin.postFormAsIs(
                "/admin/sessions/" + id + "/actions/set-field",
                form("participants", p.get(0), "key", "score", "value", "42"));
        assertEquals(403, noCsrf.status());

        action(id, "group", Map.of("participants", List.of(p.get(0), p.get(3)), "group", "pair-x"));
        assertEquals("pair-x", one("SELECT group_name FROM cohort.participant WHERE id = ?", p.get(3)));
        assertEquals("pair-x", one("SELECT group_name FROM cohort.participant WHERE id = ?", p.get(0)));
        action(id, "ungroup", Map.of("participants", List.of(p.get(3))));
        assertEquals("solo-" + p.get(3), one("SELECT group_name FROM cohort.participant WHERE id = ?", p.get(3)));

        assertEquals(
                "1",
                one("SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'welcome'", p.get(3)));
        action(id, "new-player", Map.of("all", "true"));
        for (String each : p) {
            assertEquals(
                    "2",
                    one("SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'welcome'", each));
        }

        assertEquals(
                "9",
                one("SELECT count(*) FROM cohort.audit_log WHERE action LIKE 'session.action.%' AND target = ?", id));
        assertEquals(
                "admin|[\"" + p.get(0) + "\"]|{\"key\": \"score\", \"value\": \"41\"}",
                one(
                        "SELECT actor || '|'"
                                + " || (detail->'participants')::text || '|' || (detail->'parameters')::text FROM cohort.audit_log"
                                + " WHERE action = 'session.action.set-field' AND target = ?",
                        id));
        assertEquals(
                "[\"" + String.join("\", \"", p) + "\"]",
                one(
                        "SELECT (detail->'participants')::text FROM cohort.audit_log"
                                + " WHERE action = 'session.action.new-player' AND target = ?",
                        id));
    }

    @Test
    void messageReloadAndRedirectPublishCommandsAndAScriptUrlIsRefused() throws Exception {
        JsonNode s = newSession(2);
        String id = s.get("session").get("id").asText();
        String p1 = s.get("participants").get(0).get("id").asText();
        String p2 = s.get("participants").get(1).get("id").asText();

        assertEquals(
                200,
                action(id, "message", Map.of("participants", List.of(p1, p2), "text", "Hi <b>there</b>"))
                        .statusCode());
        assertEquals(
                200, action(id, "reload", Map.of("participants", List.of(p1))).statusCode());
        assertEquals(
                200,
                action(id, "redirect", Map.of("participants", List.of(p2), "url", "https://example.org/next?a=1"))
                        .statusCode());
        JsonNode message = command(p2, "message");
        assertEquals("Hi <b>there</b>", message.get("text").asText());
        assertEquals("Hi <b>there</b>", command(p1, "message").get("text").asText());
        command(p1, "reload");
        assertEquals(
                "https://example.org/next?a=1",
                command(p2, "redirect").get("url").asText());

        HttpResponse<String> script =
                action(id, "redirect", Map.of("participants", List.of(p1), "url", "javascript:alert(1)"));
        assertEquals(400, script.statusCode());
        assertEquals(
                "url: 'javascript:alert(1)' is not an absolute http or https URL",
                JSON.readTree(script.body()).get("error").asText());
        HttpResponse<String> relative =
                action(id, "redirect", Map.of("participants", List.of(p1), "url", "/elsewhere"));
        assertEquals(400, relative.statusCode());
        HttpResponse<String> tooLong =
                action(id, "message", Map.of("participants", List.of(p1), "text", "x".repeat(2001)));
        assertEquals(400, tooLong.statusCode());
        assertEquals(
                "text: 2001 characters; at most 2000",
                JSON.readTree(tooLong.body()).get("error").asText());
        Thread.sleep(1500);
        assertEquals(
                0,
                commands.stream()
                        .filter(e -> e.payload().contains("javascript")
                                || e.payload().contains("/elsewhere")
                                || e.payload().contains("xxxx"))
                        .count());
        assertEquals(
                "0",
                one(
                        "SELECT count(*) FROM cohort.audit_log WHERE target = ? AND action = 'session.action.redirect'"
                                + " AND detail::text LIKE '%javascript%'",
                        id));
    }

    @Test
    void anIdFromAnotherSessionRefusesTheWholeActionAndChangesNothing() throws Exception {
        JsonNode a = newSession(2);
        JsonNode b = newSession(2);
        String id = a.get("session").get("id").asText();
        String mine = a.get("participants").get(0).get("id").asText();
        String theirs = b.get("participants").get(0).get("id").asText();
        HttpResponse<String> refused = action(id, "advance", Map.of("participants", List.of(mine, theirs)));
        assertEquals(400, refused.statusCode());
        assertEquals(
                "participants: '" + theirs + "' is not a participant of session " + id,
                JSON.readTree(refused.body()).get("error").asText());
        assertEquals("0", one("SELECT page_index FROM cohort.participant WHERE id = ?", mine));
        assertEquals("0", one("SELECT page_index FROM cohort.participant WHERE id = ?", theirs));

        admin.get("/admin/sessions/" + id);
        AdminHttp.Response form =
                admin.postForm("/admin/sessions/" + id + "/actions/dropout", form("participants", theirs));
        assertEquals(400, form.status());
        assertTrue(form.body().contains("is not a participant of session " + id), form.body());
        assertEquals("ALLOCATED", one("SELECT status FROM cohort.participant WHERE id = ?", theirs));
        assertEquals(400, action(id, "advance", Map.of()).statusCode(), "nobody selected");
        assertEquals(
                404,
                action(id, "explode", Map.of("participants", List.of(mine))).statusCode());
        assertEquals(
                "0",
                one("SELECT count(*) FROM cohort.audit_log WHERE action LIKE 'session.action.%' AND target = ?", id));
    }

    // ---- session controls

    @Test
    void sessionControlsToggleAndValidateAndAreAudited() throws Exception {
        JsonNode s = newSession(2);
        String id = s.get("session").get("id").asText();
        admin.get("/admin/sessions/" + id);
        AdminHttp.Response pause = admin.postForm("/admin/sessions/" + id + "/active", form("value", "false"));
        assertEquals(302, pause.status(), pause.toString());
        assertEquals("false", one("SELECT active::text FROM cohort.session WHERE id = ?", id));
        assertTrue(admin.get("/admin/sessions/" + id).body().contains("Paused: participants see a paused page"));
        assertFalse(
                admin.get("/admin/").body().contains("data-session=\"" + id + "\""),
                "a paused session leaves the dashboard");
        assertEquals(
                200,
                api("POST", "/api/sessions/" + id + "/active", "{\"value\": true}")
                        .statusCode());
        assertEquals("true", one("SELECT active::text FROM cohort.session WHERE id = ?", id));

        assertEquals(
                200,
                api("POST", "/api/sessions/" + id + "/testing", "{\"value\": true}")
                        .statusCode());
        assertEquals("true", one("SELECT testing::text FROM cohort.session WHERE id = ?", id));
        HttpResponse<String> maybe = api("POST", "/api/sessions/" + id + "/testing", "{\"value\": \"maybe\"}");
        assertEquals(400, maybe.statusCode());
        assertEquals(
                "value: 'maybe' is not true or false",
                JSON.readTree(maybe.body()).get("error").asText());

        assertEquals(
                200,
                api("POST", "/api/sessions/" + id + "/description", "{\"value\": \"pilot <run>\"}")
                        .statusCode());
        assertEquals("pilot <run>", one("SELECT description FROM cohort.session WHERE id = ?", id));
        assertTrue(admin.get("/admin/sessions/" + id).body().contains("pilot &lt;run&gt;"));

        assertEquals(
                200,
                api("POST", "/api/sessions/" + id + "/settings", "{\"value\": {\"rounds\": 9}}")
                        .statusCode());
        assertEquals("9", one("SELECT settings->>'rounds' FROM cohort.session WHERE id = ?", id));
        AdminHttp.Response bad = admin.postForm("/admin/sessions/" + id + "/settings", form("value", "{rounds"));
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("settings: not JSON"), bad.body());
        assertEquals("9", one("SELECT settings->>'rounds' FROM cohort.session WHERE id = ?", id));

        assertEquals(1, newSessionRuns.get(id).get());
        assertEquals(
                200, api("POST", "/api/sessions/" + id + "/new-session", "{}").statusCode());
        assertEquals(2, newSessionRuns.get(id).get());

        assertEquals(
                "admin:session.active,api:session.active,api:session.description,api:session.new-session,"
                        + "api:session.settings,api:session.testing",
                one(
                        "SELECT string_agg(actor || ':' || action, ','"
                                + " ORDER BY action, id) FROM cohort.audit_log WHERE target = ? AND action <> 'session.create'",
                        id));
        assertEquals(404, api("GET", "/api/sessions/nope", null).statusCode());
        JsonNode detail = JSON.readTree(api("GET", "/api/sessions/" + id, null).body());
        assertEquals(2, detail.get("participants").size());
        assertTrue(detail.get("session").get("session").get("testing").asBoolean());
    }

    // ---- in a browser

    @Test
    void theBrowsersMonitorAndDashboardChangeWithoutAReload() throws Exception {
        assumeTrue(Browser.available(), "Debian chromium and chromium-driver are not installed");
        JsonNode s = newSession(2);
        String id = s.get("session").get("id").asText();
        String p1 = s.get("participants").get(0).get("id").asText();
        String p2 = s.get("participants").get(1).get("id").asText();
        try (Browser browser = Browser.start()) {
            browser.open(host.url() + "login");
            browser.find("input[name=username]").sendKeys("admin");
            browser.find("input[name=password]").sendKeys(PASSWORD);
            browser.find("form button[type=submit]").click();
            browser.await(10, d -> d.getCurrentUrl().endsWith("/admin/"));

            browser.open(host.url() + "admin/sessions/" + id);
            browser.await(10, d -> browser.find("#live").getText().equals("live"));
            JavascriptExecutor js = (JavascriptExecutor) browser.driver();
            js.executeScript("window.notReloaded = true;");
            action(id, "advance", Map.of("participants", List.of(p1)));
            String row1 = "tr[data-participant='" + p1 + "'] ";
            browser.await(
                    10, d -> browser.find(row1 + "[data-col=page]").getText().equals("1 decide"));
            assertEquals("1/3", browser.find(row1 + "[data-col=progress]").getText());
            assertEquals(true, js.executeScript("return window.notReloaded === true;"));

            // an action from the page: select one participant, press "Move to end"
            browser.find("input[name=participants][value='" + p2 + "']").click();
            browser.driver()
                    .findElement(By.xpath("//button[text()='Move to the end']"))
                    .click();
            browser.await(
                    10,
                    d -> d.findElements(By.id("notice")).stream()
                            .anyMatch(e -> e.getText().equals("end: done for 1 participant")));
            browser.await(
                    10,
                    d -> browser.find("tr[data-participant='" + p2 + "'] [data-col=status]")
                            .getText()
                            .equals("COMPLETED"));
            assertEquals("3", one("SELECT page_index FROM cohort.participant WHERE id = ?", p2));

            browser.open(host.url() + "admin/");
            browser.await(10, d -> browser.find("#live").getText().equals("live"));
            String completed = "tr[data-session='" + id + "'] [data-col=completed]";
            assertEquals("1/2", browser.find(completed).getText());
            action(id, "end", Map.of("participants", List.of(p1)));
            browser.await(10, d -> browser.find(completed).getText().equals("2/2"));
            api("POST", "/api/sessions/" + id + "/active", "{\"value\": false}");
            browser.await(
                    10,
                    d -> d.findElements(By.cssSelector("tr[data-session='" + id + "']"))
                            .isEmpty());
        }
    }

    // ---- helpers

    static Map<String, String> form(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static HttpResponse<String> api(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(host.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> action(String session, String action, Map<String, Object> body) throws Exception {
        return api("POST", "/api/sessions/" + session + "/actions/" + action, JSON.writeValueAsString(body));
    }

    static JsonNode newSession(int participants) throws Exception {
        HttpResponse<String> made =
                api("POST", "/api/sessions", "{\"experiment\": \"duo\", \"participants\": " + participants + "}");
        assertEquals(201, made.statusCode(), made.body());
        return JSON.readTree(made.body());
    }

    /** The first column of the first row, as text. */
    static String one(String sql, String... args) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The {@code participant/command} event of {@code type} for a participant, waiting up to 5 s. */
    static JsonNode command(String participant, String type) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            for (Event e : commands) {
                JsonNode body = JSON.readTree(e.payload());
                if (body.get("participant").asText().equals(participant)
                        && body.get("type").asText().equals(type)) {
                    return body;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type + " command for " + participant + " in " + commands);
    }

    /** A monitor socket opened with the admin's login cookie, watching a session or the dashboard. */
    static JsonSocket watch(String what) throws Exception {
        return JsonSocket.open(host.url(), "monitor", "cohort_admin=" + admin.cookie("cohort_admin"))
                .send(Map.of("watch", what));
    }
}
