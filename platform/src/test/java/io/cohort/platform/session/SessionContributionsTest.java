package io.cohort.platform.session;

import static io.cohort.platform.TestFramework.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.event.Events;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.web.AdminAction;
import io.cohort.api.web.MonitorColumn;
import io.cohort.api.web.SessionTab;
import io.cohort.api.web.View;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * What plugins add to a session's page, registered as a plugin would (services in the registry): tabs with their
 * twins, monitor columns with live cells, actions on the chosen participants, and open pages following all three.
 */
class SessionContributionsTest {

    static final String TOKEN = "contributions-token";
    static final String PASSWORD = "s3cret-admin";
    static final ObjectMapper JSON = new ObjectMapper();

    static final Experiment SOLO = new Experiment(
            "solo",
            "Solo",
            "1.0",
            List.of(
                    new Page("intro", PageKind.FORM, "intro.peb", List.of()),
                    new Page("outro", PageKind.FORM, "outro.peb", List.of())),
            List.of(),
            1,
            "{}",
            "DONE",
            "");

    @TempDir
    static Path home;

    static InProcessNode node;
    static String db;
    static String url;
    static AdminHttp admin;
    static AdminHttp api;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        node = InProcessNode.start(
                home,
                Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN, "COHORT_ADMIN_PASSWORD", PASSWORD),
                context -> context.registerService(
                        Experiments.class,
                        new Experiments() {
                            @Override
                            public List<Experiment> list() {
                                return List.of(SOLO);
                            }

                            @Override
                            public Optional<Experiment> find(String name) {
                                return name.equals(SOLO.name()) ? Optional.of(SOLO) : Optional.empty();
                            }
                        },
                        null));
        url = node.host().url();
        admin = new AdminHttp(URI.create(url));
        assertEquals(302, admin.login("admin", PASSWORD).status());
        api = admin.bearer(TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    // ---- tabs

    @Test
    void aTabIsServedWithTheTabBarAndItsTwinAndAPostIsCheckedAndAudited() throws Exception {
        String id = newSession(1).get(0).get("session").asText();
        String name = JSON.readTree(api.get("/api/sessions/" + id).body())
                .get("session")
                .get("session")
                .get("name")
                .asText();
        AtomicInteger posts = new AtomicInteger();
        ServiceRegistration<SessionTab> reg = context()
                .registerService(
                        SessionTab.class,
                        (session, request) -> {
                            if (request.method().equals("POST")) {
                                posts.incrementAndGet();
                                return View.redirect("/admin/sessions/" + session.id() + "/notes?said="
                                        + request.parameters().get("say").get(0));
                            }
                            Map<String, Object> model = new LinkedHashMap<>();
                            model.put("word", session.name() + request.subPath() + " <i>");
                            model.put(
                                    "said",
                                    request.parameters()
                                            .getOrDefault("said", List.of(""))
                                            .get(0));
                            model.put("_forTheTemplate", "hidden");
                            return View.of("templates/thing.peb", model);
                        },
                        props(SessionTab.PATH, "notes", SessionTab.LABEL, "Notes", SessionTab.ORDER, 5));
        try {
            AdminHttp.Response page = admin.get("/admin/sessions/" + id + "/notes/deep");
            assertEquals(200, page.status(), page.body());
            assertTrue(page.body().contains("Thing says " + name + "/deep &lt;i&gt;"), page.body());
            // the tab bar: the session's own page first, then this tab, marked as the one shown
            String bar = between(page.body(), "<nav id=\"session-tabs\"", "</nav>");
            assertTrue(
                    bar.indexOf("href=\"/admin/sessions/" + id + "\">Session</a>")
                            < bar.indexOf("href=\"/admin/sessions/" + id + "/notes\" class=\"current\""),
                    bar);
            assertTrue(admin.get("/admin/sessions/" + id).body().contains(">Notes</a>"));

            JsonNode twin =
                    JSON.readTree(api.get("/api/sessions/" + id + "/notes").body());
            assertEquals(name + " <i>", twin.get("page").get("word").asText());
            assertFalse(twin.get("page").has("_forTheTemplate"), twin.toString());

            assertEquals(404, admin.get("/admin/sessions/nope/notes").status());
            assertTrue(admin.get("/admin/sessions/nope/notes").body().contains("There is no session"));
            AdminHttp.Response missing = api.get("/api/sessions/nope/notes");
            assertEquals(404, missing.status());
            assertEquals(
                    "session: there is no session 'nope'",
                    JSON.readTree(missing.body()).get("error").asText());

            // a POST without the page's CSRF token never reaches the tab
            AdminHttp.Response forged = admin.postFormAsIs("/admin/sessions/" + id + "/notes", Map.of("say", "forged"));
            assertEquals(403, forged.status(), forged.toString());
            assertEquals(0, posts.get());
            AdminHttp.Response posted = admin.postForm("/admin/sessions/" + id + "/notes", Map.of("say", "hi"));
            assertEquals(302, posted.status(), posted.toString());
            assertEquals("/admin/sessions/" + id + "/notes?said=hi", posted.location());
            assertEquals(1, posts.get());
            assertEquals(
                    "redirect /admin/sessions/" + id + "/notes?said=hi",
                    one(
                            "SELECT detail->>'outcome' FROM cohort.audit_log WHERE action = 'page.action' AND target = ?",
                            "/admin/sessions/" + id + "/notes"));
            // the twin of the POST follows the redirect to the tab's own model
            JsonNode answer = JSON.readTree(api.postForm("/api/sessions/" + id + "/notes", Map.of("say", "twice"))
                    .body());
            assertEquals("twice", answer.get("page").get("said").asText(), answer.toString());
        } finally {
            reg.unregister();
        }
        assertEquals(404, admin.get("/admin/sessions/" + id + "/notes").status());
        assertFalse(admin.get("/admin/sessions/" + id).body().contains(">Notes</a>"));
    }

    @Test
    void aTabOnTheHostsOwnPathOrOnNoSinglePathIsRefused() throws Exception {
        String id = newSession(1).get(0).get("session").asText();
        List<ServiceRegistration<SessionTab>> regs = new ArrayList<>();
        for (String path : List.of("data", "actions", "export.json", "settings", "a/b", "")) {
            regs.add(context()
                    .registerService(
                            SessionTab.class,
                            (session, request) -> View.of("templates/thing.peb", Map.of("word", "taken over")),
                            props(SessionTab.PATH, path, SessionTab.LABEL, "Hijack " + path)));
        }
        try {
            assertFalse(admin.get("/admin/sessions/" + id).body().contains("Hijack"));
            AdminHttp.Response data = admin.get("/admin/sessions/" + id + "/data");
            assertEquals(200, data.status(), data.body());
            assertFalse(data.body().contains("taken over"), data.body());
            AdminHttp.Response export = api.get("/api/sessions/" + id + "/export.json");
            assertEquals(200, export.status());
            assertFalse(export.body().contains("taken over"));
            assertEquals(404, admin.get("/admin/sessions/" + id + "/a/b").status());
        } finally {
            regs.forEach(ServiceRegistration::unregister);
        }
    }

    // ---- columns

    @Test
    void aColumnsCellsShowInTheHtmlTheJsonAndTheSocketAndFollowItsEvents() throws Exception {
        List<JsonNode> people = newSession(2);
        String id = people.get(0).get("session").asText();
        String p1 = people.get(0).get("id").asText();
        String p2 = people.get(1).get("id").asText();
        Map<String, String> unread = new ConcurrentHashMap<>(Map.of(p1, "<b>2</b>"));
        ServiceRegistration<MonitorColumn> reg = context()
                .registerService(
                        MonitorColumn.class,
                        (session, ids) -> {
                            Map<String, MonitorColumn.Cell> cells = new LinkedHashMap<>();
                            for (String p : ids) {
                                if (unread.containsKey(p)) {
                                    cells.put(
                                            p,
                                            new MonitorColumn.Cell(
                                                    unread.get(p),
                                                    "/admin/sessions/" + session.id() + "?chat=" + p,
                                                    "unread messages"));
                                }
                            }
                            return cells;
                        },
                        props(MonitorColumn.NAME, "unread", MonitorColumn.LABEL, "Unread"));
        try {
            String html = admin.get("/admin/sessions/" + id).body();
            assertTrue(html.contains("<th data-column=\"unread\">Unread</th>"), html);
            String row1 = between(html, "<tr data-participant=\"" + p1 + "\"", "</tr>");
            assertTrue(
                    row1.contains("<td data-cell=\"unread\" title=\"unread messages\"><a href=\"/admin/sessions/" + id
                            + "?chat=" + p1 + "\">&lt;b&gt;2&lt;/b&gt;</a></td>"),
                    row1);
            assertTrue(between(html, "<tr data-participant=\"" + p2 + "\"", "</tr>")
                    .contains("<td data-cell=\"unread\"></td>"));

            JsonNode json = JSON.readTree(api.get("/api/sessions/" + id).body());
            Map<String, String> texts = new LinkedHashMap<>();
            json.get("participants")
                    .forEach(r -> texts.put(
                            r.get("id").asText(),
                            r.get("cells").get("unread").get("text").asText()));
            assertEquals(Map.of(p1, "<b>2</b>", p2, ""), texts);
            assertEquals(
                    "Unread",
                    json.get("contributions").get("columns").get(0).get("label").asText());

            try (JsonSocket watch = watch(id)) {
                JsonNode snapshot = watch.next(m -> m.get("type").asText().equals("rows"));
                assertEquals(
                        "unread",
                        snapshot.get("contributions")
                                .get("columns")
                                .get(0)
                                .get("name")
                                .asText());
                unread.put(p2, "5");
                events().publish(
                                MonitorColumn.CHANGED,
                                JSON.writeValueAsString(Map.of("session", id, "participants", List.of(p2))));
                JsonNode cells =
                        watch.next(m -> m.get("type").asText().equals("cells")).get("cells");
                assertEquals("5", cells.get(p2).get("unread").get("text").asText(), cells.toString());
                assertFalse(cells.has(p1), "only the participants the event names are read again");
            }
        } finally {
            reg.unregister();
        }
        assertFalse(admin.get("/admin/sessions/" + id).body().contains("data-column=\"unread\""));
    }

    // ---- participant actions

    @Test
    void aParticipantActionRunsOnTheChosenParticipantsWithItsParameterAndIsAudited() throws Exception {
        List<JsonNode> people = newSession(2);
        String id = people.get(0).get("session").asText();
        String p1 = people.get(0).get("id").asText();
        String p2 = people.get(1).get("id").asText();
        String stranger = newSession(1).get(0).get("id").asText();
        List<List<String>> runs = new CopyOnWriteArrayList<>();
        List<Map<String, String>> given = new CopyOnWriteArrayList<>();
        ServiceRegistration<AdminAction> reg = context()
                .registerService(
                        AdminAction.class,
                        (user, targets, parameters) -> {
                            runs.add(targets);
                            given.add(parameters);
                            return new AdminAction.Result(
                                    true, "greeted " + targets.size() + " with " + parameters.get("text"));
                        },
                        props(
                                AdminAction.NAME,
                                "test.greet",
                                AdminAction.LABEL,
                                "Greet",
                                AdminAction.TARGET,
                                AdminAction.PARTICIPANT,
                                AdminAction.PARAMETERS,
                                new String[] {"text"}));
        try {
            String html = admin.get("/admin/sessions/" + id).body();
            assertTrue(html.contains("<input type=\"text\" name=\"test.greet.text\""), html);
            assertTrue(html.contains("<button formaction=\"/admin/actions/test.greet\">Greet</button>"), html);

            // as the session page's form sends it: its other boxes (text, key, ...) are not the action's
            Map<String, String> form = new LinkedHashMap<>();
            form.put("participants", p2);
            form.put("session", id);
            form.put("text", "a message for the host's own action");
            form.put("test.greet.text", "hello");
            form.put("return", "/admin/sessions/" + id);
            AdminHttp.Response done = admin.postForm("/admin/actions/test.greet", form);
            assertEquals(302, done.status(), done.toString());
            assertEquals(List.of(List.of(p2)), runs);
            assertEquals(Map.of("session", id, "text", "hello"), given.get(0));
            assertTrue(
                    admin.get(done.location()).body().contains("greeted 1 with hello"),
                    "the notice shows on the session page");
            assertEquals(
                    p2 + " hello",
                    one("SELECT target || ' ' || (detail->'parameters'->>'text') FROM cohort.audit_log"
                            + " WHERE action = 'action.test.greet' ORDER BY id DESC LIMIT 1"));

            // everyone, through the API
            AdminHttp.Response all =
                    api.postForm("/api/actions/test.greet", Map.of("session", id, "all", "true", "text", "hi all"));
            assertEquals(200, all.status(), all.toString());
            assertEquals(java.util.Set.of(p1, p2), java.util.Set.copyOf(runs.get(1)));
            assertEquals(Map.of("session", id, "text", "hi all"), given.get(1));

            // refused, with nothing run: another session's participant, an unknown session, nobody chosen
            AdminHttp.Response foreign =
                    api.postForm("/api/actions/test.greet", Map.of("session", id, "targets", stranger));
            assertEquals(400, foreign.status());
            assertEquals(
                    "participants: '" + stranger + "' is not a participant of session '" + id + "'",
                    JSON.readTree(foreign.body()).get("error").asText());
            assertEquals(
                    "session: there is no session 'nope'",
                    JSON.readTree(api.postForm("/api/actions/test.greet", Map.of("session", "nope", "targets", p1))
                                    .body())
                            .get("error")
                            .asText());
            AdminHttp.Response nobody = admin.postForm(
                    "/admin/actions/test.greet", Map.of("session", id, "return", "/admin/sessions/" + id));
            assertEquals(302, nobody.status());
            assertTrue(admin.get(nobody.location()).body().contains("participants: choose at least one participant"));
            assertEquals(2, runs.size());
        } finally {
            reg.unregister();
        }
        assertFalse(admin.get("/admin/sessions/" + id).body().contains("test.greet"));
    }

    // ---- in a browser: an open page follows the registry

    @Test
    void anOpenSessionPageGainsAndLosesATabAColumnAndAnActionWithoutAReload() throws Exception {
        assumeTrue(Browser.available(), "Debian chromium and chromium-driver are not installed");
        List<JsonNode> people = newSession(1);
        String id = people.get(0).get("session").asText();
        String p1 = people.get(0).get("id").asText();
        List<Map<String, String>> given = new CopyOnWriteArrayList<>();
        try (Browser browser = Browser.start()) {
            browser.open(url + "login");
            browser.find("input[name=username]").sendKeys("admin");
            browser.find("input[name=password]").sendKeys(PASSWORD);
            browser.find("form button[type=submit]").click();
            browser.await(10, d -> d.getCurrentUrl().endsWith("/admin/"));
            browser.open(url + "admin/sessions/" + id);
            browser.await(10, d -> browser.find("#live").getText().equals("live"));
            JavascriptExecutor js = (JavascriptExecutor) browser.driver();
            js.executeScript("window.notReloaded = true;");

            ServiceRegistration<SessionTab> tab = context()
                    .registerService(
                            SessionTab.class,
                            (session, request) -> View.of("templates/thing.peb", Map.of("word", "live")),
                            props(SessionTab.PATH, "live-tab", SessionTab.LABEL, "Live tab"));
            ServiceRegistration<MonitorColumn> column = context()
                    .registerService(
                            MonitorColumn.class,
                            (session, ids) -> Map.of(p1, new MonitorColumn.Cell("seen", null, null)),
                            props(MonitorColumn.NAME, "seen", MonitorColumn.LABEL, "Seen"));
            ServiceRegistration<AdminAction> action = context()
                    .registerService(
                            AdminAction.class,
                            (user, targets, parameters) -> {
                                given.add(parameters);
                                return new AdminAction.Result(true, "poked " + targets.size());
                            },
                            props(
                                    AdminAction.NAME, "test.poke",
                                    AdminAction.LABEL, "Poke",
                                    AdminAction.TARGET, AdminAction.PARTICIPANT,
                                    AdminAction.PARAMETERS, "how"));
            browser.await(
                    10,
                    d -> !d.findElements(By.xpath("//nav[@id='session-tabs']/a[text()='Live tab']"))
                            .isEmpty());
            browser.await(
                    10,
                    d -> !d.findElements(By.cssSelector("th[data-column=seen]")).isEmpty());
            browser.await(
                    10,
                    d -> browser.find("tr[data-participant='" + p1 + "'] td[data-cell=seen]")
                            .getText()
                            .equals("seen"));
            browser.await(
                    10,
                    d -> !d.findElements(By.xpath("//button[text()='Poke']")).isEmpty());
            assertEquals(true, js.executeScript("return window.notReloaded === true;"));

            // the new button works: choose the participant, fill its box, press it
            browser.find("input[name=participants][value='" + p1 + "']").click();
            browser.find("input[name='test.poke.how']").sendKeys("gently");
            browser.driver().findElement(By.xpath("//button[text()='Poke']")).click();
            browser.await(
                    10,
                    d -> d.findElements(By.id("notice")).stream()
                            .anyMatch(e -> e.getText().equals("poked 1")));
            assertEquals(List.of(Map.of("session", id, "how", "gently")), given);

            browser.await(10, d -> browser.find("#live").getText().equals("live"));
            js.executeScript("window.notReloaded = true;");
            tab.unregister();
            column.unregister();
            action.unregister();
            browser.await(
                    10,
                    d -> d.findElements(By.xpath("//nav[@id='session-tabs']/a[text()='Live tab']"))
                            .isEmpty());
            browser.await(
                    10,
                    d -> d.findElements(By.cssSelector("th[data-column=seen], td[data-cell=seen]"))
                            .isEmpty());
            browser.await(
                    10, d -> d.findElements(By.xpath("//button[text()='Poke']")).isEmpty());
            assertEquals(true, js.executeScript("return window.notReloaded === true;"));
        }
    }

    // ---- helpers

    static BundleContext context() {
        return node.framework().getBundleContext();
    }

    static Events events() {
        return context().getService(context().getServiceReference(Events.class));
    }

    /** A new session's participants as {@code /api/sessions/{id}} lists them. */
    static List<JsonNode> newSession(int participants) throws Exception {
        AdminHttp.Response made = api.postForm(
                "/api/sessions", Map.of("experiment", "solo", "participants", String.valueOf(participants)));
        assertEquals(201, made.status(), made.toString());
        String id = JSON.readTree(made.body()).get("session").get("id").asText();
        List<JsonNode> rows = new ArrayList<>();
        JSON.readTree(api.get("/api/sessions/" + id).body()).get("participants").forEach(rows::add);
        return rows;
    }

    static JsonSocket watch(String session) throws Exception {
        return JsonSocket.open(url, "monitor", "cohort_admin=" + admin.cookie("cohort_admin"))
                .send(Map.of("watch", session));
    }

    static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        assertTrue(start >= 0, "no " + from + " in " + text);
        return text.substring(start, text.indexOf(to, start));
    }

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
}
