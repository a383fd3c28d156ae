package io.cohort.platform;

import static io.cohort.platform.TestFramework.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.web.AdminAction;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.ParticipantPageContribution;
import io.cohort.api.web.ParticipantPageContribution.ParticipantPage;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.api.web.View;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestBundles;
import io.cohort.testkit.TestDatabase;
import io.example.tab.TabActivator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/** Pages, actions and sockets appear when their services are registered and vanish when they go. */
class HostWhiteboardTest {

    @TempDir
    static Path home;

    static InProcessNode node;
    static Framework framework;
    static Host host;
    static String db;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String TOKEN = "whiteboard-token";
    static final String PASSWORD = "whiteboard-secret";

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        node = InProcessNode.start(
                home, Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN, "COHORT_ADMIN_PASSWORD", PASSWORD));
        framework = node.framework();
        host = node.host();
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    static HttpResponse<String> send(String method, String path, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(host.url() + path.substring(1)))
                .header("Authorization", "Bearer " + TOKEN);
        if (form != null) {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(form));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static BundleContext context() {
        return framework.getBundleContext();
    }

    @Test
    void aPageAndItsMenuEntryLiveExactlyAsLongAsTheService() throws Exception {
        assertEquals(404, send("GET", "/admin/thing", null).statusCode());
        ServiceRegistration<AdminPage> reg = context()
                .registerService(
                        AdminPage.class,
                        request -> View.of("templates/thing.peb", Map.of("word", "<b>" + request.subPath() + "</b>")),
                        props(AdminPage.PATH, "/thing", AdminPage.MENU, "Thing"));
        HttpResponse<String> page = send("GET", "/admin/thing/hello", null);
        assertEquals(200, page.statusCode());
        // Escaped by default: the markup the page handed back is text.
        assertTrue(page.body().contains("Thing says &lt;b&gt;/hello&lt;/b&gt;"), page.body());
        assertTrue(send("GET", "/admin/", null).body().contains("href=\"/admin/thing\""));

        reg.unregister();
        assertEquals(404, send("GET", "/admin/thing", null).statusCode());
        assertFalse(send("GET", "/admin/", null).body().contains("href=\"/admin/thing\""));
        assertEquals(200, send("GET", "/healthz", null).statusCode());
    }

    @Test
    void theMenuIsTheRegistrysAdminPagesAndACoreTabArrivesTheWayAPluginTabDoes() throws Exception {
        Path jar = TestBundles.jar(
                home.resolve("hello-tab.jar"),
                Map.of(
                        "Bundle-SymbolicName",
                        "io.example.tab",
                        "Bundle-Activator",
                        TabActivator.class.getName(),
                        "Import-Package",
                        "io.cohort.api.web,org.osgi.framework"),
                List.of(TabActivator.class),
                Map.of(
                        "templates/hello.peb",
                        "{% extends \"layout.peb\" %}{% block content %}Hello tab{% endblock %}"));
        Bundle plugin = context().installBundle(jar.toUri().toString());
        try {
            plugin.start();
            Map<String, Map<String, Object>> tabs = adminPages();
            // Both are AdminPage services with the same three properties; only the registering bundle differs.
            assertEquals(
                    Map.of(
                            AdminPage.PATH,
                            "/sessions",
                            AdminPage.MENU,
                            "Sessions",
                            AdminPage.MENU_ORDER,
                            100,
                            "bundle",
                            "org.apache.felix.framework"),
                    tabs.get("Sessions"));
            assertEquals(
                    Map.of(
                            AdminPage.PATH,
                            "/hello",
                            AdminPage.MENU,
                            "Hello",
                            AdminPage.MENU_ORDER,
                            450,
                            "bundle",
                            "io.example.tab"),
                    tabs.get("Hello"));
            List<String> menu = menu();
            assertEquals(
                    List.of(
                            "Dashboard",
                            "Sessions",
                            "Participants",
                            "Rooms",
                            "Payments",
                            "Hello",
                            "Tasks",
                            "Plugins",
                            "Status",
                            "Dump"),
                    menu);
            assertTrue(send("GET", "/admin/hello", null).body().contains("Hello tab"));

            plugin.stop();
            assertFalse(adminPages().containsKey("Hello"));
            assertEquals(
                    List.of(
                            "Dashboard",
                            "Sessions",
                            "Participants",
                            "Rooms",
                            "Payments",
                            "Tasks",
                            "Plugins",
                            "Status",
                            "Dump"),
                    menu());
            assertEquals(404, send("GET", "/admin/hello", null).statusCode());
            assertEquals(200, send("GET", "/admin/sessions", null).statusCode());
            // A path under a core tab that none of its routes serves is the tab's 404, not a plugin's.
            assertEquals(
                    404, send("GET", "/admin/sessions/none/such/page", null).statusCode());
        } finally {
            plugin.uninstall();
        }
    }

    /** Every AdminPage service's menu label with its properties and bundle, read from the registry. */
    static Map<String, Map<String, Object>> adminPages() throws Exception {
        Map<String, Map<String, Object>> pages = new java.util.HashMap<>();
        for (ServiceReference<AdminPage> ref : context().getServiceReferences(AdminPage.class, null)) {
            if (ref.getProperty(AdminPage.MENU) != null) {
                pages.put(
                        ref.getProperty(AdminPage.MENU).toString(),
                        Map.of(
                                AdminPage.PATH,
                                ref.getProperty(AdminPage.PATH),
                                AdminPage.MENU,
                                ref.getProperty(AdminPage.MENU),
                                AdminPage.MENU_ORDER,
                                ref.getProperty(AdminPage.MENU_ORDER),
                                "bundle",
                                ref.getBundle().getSymbolicName()));
            }
        }
        return pages;
    }

    /** The menu's labels as the admin's page shows them, in order. */
    static List<String> menu() throws Exception {
        String html = send("GET", "/admin/status", null).body();
        String nav = html.substring(html.indexOf("<nav id=\"menu\">"), html.indexOf("</nav>"));
        List<String> labels = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<a href=\"[^\"]*\"[^>]*>([^<]*)</a>")
                .matcher(nav);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    @Test
    void onlyAPostWithItsTokenReachesAPageAsAnActionAndTheHostAuditsIt() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServiceRegistration<AdminPage> reg = context()
                .registerService(
                        AdminPage.class,
                        request -> {
                            seen.add(request.method());
                            // Written as plugins write it: anything that is not a GET is taken for an action.
                            return request.method().equals("GET")
                                    ? View.of("templates/thing.peb", Map.of("word", "read"))
                                    : View.redirect("/admin/doer");
                        },
                        props(AdminPage.PATH, "/doer"));
        AdminHttp admin = new AdminHttp(URI.create(host.url()));
        admin.login("admin", PASSWORD);

        // curl -I with the admin's cookie once cancelled a campaign: HEAD is a read, without a body.
        AdminHttp.Response head = admin.call("HEAD", "/admin/doer/cancel");
        assertEquals(200, head.status());
        assertEquals("", head.body());
        assertEquals(List.of("GET"), seen);
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "POST")) {
            AdminHttp.Response crafted = admin.call(method, "/admin/doer/cancel");
            assertTrue(crafted.status() == 403 || crafted.status() == 405, method + ": " + crafted);
        }
        assertEquals(List.of("GET"), seen, "no crafted request reached the page");
        assertEquals(0, auditRows("page.action"));

        AdminHttp.Response posted = admin.postForm("/admin/doer/cancel", Map.of("id", "7"));
        assertEquals(302, posted.status(), posted.toString());
        assertEquals(List.of("GET", "POST"), seen);
        try (Connection c = DriverManager.getConnection(db);
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT actor, target, detail->>'outcome' FROM cohort.audit_log WHERE action = 'page.action'")) {
            assertTrue(rs.next());
            assertEquals("admin", rs.getString(1));
            assertEquals("/admin/doer/cancel", rs.getString(2));
            assertEquals("redirect /admin/doer", rs.getString(3));
            assertFalse(rs.next());
        }
        reg.unregister();
    }

    static int auditRows(String action) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                java.sql.PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM cohort.audit_log WHERE action = ?")) {
            ps.setString(1, action);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void anActionRunsWithItsTargetsAndLeavesAnAuditRow() throws Exception {
        ServiceRegistration<AdminAction> reg = context()
                .registerService(
                        AdminAction.class,
                        (user, targets, params) ->
                                new AdminAction.Result(true, user + " marked " + targets + " as " + params.get("flag")),
                        props(
                                AdminAction.NAME,
                                "test.mark",
                                AdminAction.LABEL,
                                "Mark",
                                AdminAction.TARGET,
                                "participant"));
        assertTrue(send("GET", "/api/actions?target=participant", null).body().contains("\"test.mark\""));
        HttpResponse<String> done = send("POST", "/api/actions/test.mark", "targets=p1&targets=p2&flag=red");
        assertEquals(200, done.statusCode(), done.body());
        assertTrue(done.body().contains("api marked [p1, p2] as red"), done.body());
        try (Connection c = DriverManager.getConnection(db);
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT actor, target FROM cohort.audit_log WHERE action = 'action.test.mark'")) {
            assertTrue(rs.next());
            assertEquals("api", rs.getString(1));
            assertEquals("p1,p2", rs.getString(2));
        }
        reg.unregister();
        assertEquals(404, send("POST", "/api/actions/test.mark", "targets=p1").statusCode());
    }

    @Test
    void aSocketEchoesAndIsClosedWhenItsEndpointGoes() throws Exception {
        ServiceRegistration<SocketEndpoint> reg = context()
                .registerService(
                        SocketEndpoint.class,
                        (socket, message) -> socket.send("echo:" + message),
                        props(SocketEndpoint.PATH, "echo", SocketEndpoint.AUDIENCE, "participant"));
        CompletableFuture<String> reply = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(host.url().replace("http", "ws") + "ws/echo"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        ws.sendText("hi", true);
        assertEquals("echo:hi", reply.get(5, TimeUnit.SECONDS));
        reg.unregister();
        assertEquals(1001, closed.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aSocketSentToFromManyThreadsAtOnceLosesNoMessage() throws Exception {
        int threads = 8;
        int each = 200;
        // On "go" the endpoint sends from several threads at once, as a plugin's event listener and the socket's
        // own thread may: Jetty refuses a second blocking send while one is pending, so the host sends one at a time.
        ServiceRegistration<SocketEndpoint> reg = context()
                .registerService(
                        SocketEndpoint.class,
                        (socket, message) -> {
                            java.util.concurrent.ExecutorService pool =
                                    java.util.concurrent.Executors.newFixedThreadPool(threads);
                            for (int t = 0; t < threads; t++) {
                                int thread = t;
                                pool.execute(() -> {
                                    for (int i = 0; i < each; i++) {
                                        socket.send(thread + ":" + i);
                                    }
                                });
                            }
                            pool.shutdown();
                        },
                        props(SocketEndpoint.PATH, "burst", SocketEndpoint.AUDIENCE, "participant"));
        java.util.Set<String> heard = java.util.concurrent.ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> all = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(host.url().replace("http", "ws") + "ws/burst"), new WebSocket.Listener() {
                    private final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        // A message may come in several parts: it counts once whole.
                        part.append(data);
                        if (last) {
                            heard.add(part.toString());
                            part.setLength(0);
                        }
                        if (heard.size() == threads * each) {
                            all.complete(null);
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        ws.sendText("go", true);
        try {
            all.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // Fall through to the count, which names how many were lost.
        }
        assertEquals(threads * each, heard.size(), "messages that arrived");
        ws.sendClose(1000, "done");
        reg.unregister();
    }

    @Test
    void aSocketFromAnotherOriginIsClosedBeforeItReadsAnything() throws Exception {
        ServiceRegistration<SocketEndpoint> reg = context()
                .registerService(
                        SocketEndpoint.class,
                        new SocketEndpoint() {
                            @Override
                            public void onOpen(Socket socket) {
                                socket.send("every participant's URL");
                            }

                            @Override
                            public void onMessage(Socket socket, String message) {}
                        },
                        props(SocketEndpoint.PATH, "monitor-like"));
        AdminHttp admin = new AdminHttp(URI.create(host.url()));
        admin.login("admin", PASSWORD);
        String cookie = "cohort_admin=" + admin.cookie("cohort_admin");
        URI own = URI.create(host.url());
        String ownOrigin = "http://" + own.getHost() + ":" + own.getPort();
        // A same-site page on another port is another origin too.
        for (String evil : List.of("http://evil.example", "http://" + own.getHost() + ":1", "null")) {
            Heard heard = listen("ws/monitor-like", cookie, evil);
            assertEquals(4403, heard.closed.get(5, TimeUnit.SECONDS), evil);
            assertEquals(List.of(), heard.messages, evil);
        }
        Heard ok = listen("ws/monitor-like", cookie, ownOrigin);
        assertEquals("every participant's URL", ok.first.get(5, TimeUnit.SECONDS));
        ok.socket.sendClose(1000, "done");
        reg.unregister();
    }

    record Heard(
            WebSocket socket,
            List<String> messages,
            CompletableFuture<String> first,
            CompletableFuture<Integer> closed) {}

    static Heard listen(String path, String cookie, String origin) throws Exception {
        List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .header("Cookie", cookie)
                .header("Origin", origin)
                .buildAsync(URI.create(host.url().replace("http", "ws") + path), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        messages.add(data.toString());
                        first.complete(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        return new Heard(ws, messages, first, closed);
    }

    @Test
    void anAdminSocketRefusesAnonymousConnections() throws Exception {
        ServiceRegistration<SocketEndpoint> reg = context()
                .registerService(
                        SocketEndpoint.class,
                        (socket, message) -> socket.send("secret"),
                        props(SocketEndpoint.PATH, "admin-feed"));
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(host.url().replace("http", "ws") + "ws/admin-feed"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        assertEquals(4401, closed.get(5, TimeUnit.SECONDS));
        reg.unregister();
    }

    /** A plugin's description of its page, in its bundle where the host looks (ApiDescription.FRAGMENT). */
    static final String FRAGMENT = """
            paths:
              /hello:
                get:
                  summary: The Hello tab.
                  responses:
                    "200":
                      description: The page's model.
                      content: {application/json: {schema: {type: object, properties: {page: {type: object}}}}}
              /status:
                get:
                  summary: A plugin trying to describe a host route.
                  responses: {"200": {description: Never merged.}}
            """;

    @Test
    void aPluginsApiDescriptionIsServedExactlyWhileItIsStarted() throws Exception {
        Path jar = TestBundles.jar(
                home.resolve("described-tab.jar"),
                Map.of(
                        "Bundle-SymbolicName",
                        "io.example.described",
                        "Bundle-Activator",
                        TabActivator.class.getName(),
                        "Import-Package",
                        "io.cohort.api.web,org.osgi.framework"),
                List.of(TabActivator.class),
                Map.of(
                        "templates/hello.peb",
                        "{% extends \"layout.peb\" %}{% block content %}Hello tab{% endblock %}",
                        "OSGI-INF/cohort/openapi.yaml",
                        FRAGMENT));
        Bundle plugin = context().installBundle(jar.toUri().toString());
        try {
            // Installed, not started: not described.
            assertFalse(description().path("paths").has("/hello"));
            plugin.start();
            com.fasterxml.jackson.databind.JsonNode paths = description().path("paths");
            assertEquals(
                    "The Hello tab.",
                    paths.path("/hello").path("get").path("summary").asText());
            assertEquals(
                    "io.example.described",
                    paths.path("/hello").path("x-cohort-plugin").asText());
            // The host's own route keeps its description; the clash is named on the docs page.
            assertFalse(
                    paths.path("/status").has("x-cohort-plugin"),
                    paths.path("/status").toString());
            String docs = send("GET", "/api/docs", null).body();
            assertTrue(
                    docs.contains("<code>GET /api/hello</code><br><small>plugin io.example.described</small>"), docs);
            assertTrue(
                    docs.contains("io.example.described (OSGI-INF/cohort/openapi.yaml): path /status is already"
                            + " described by the host; left out"),
                    docs);
            // The described route is the page's JSON twin, answered by the host.
            HttpResponse<String> twin = send("GET", "/api/hello", null);
            assertEquals(200, twin.statusCode());
            assertEquals("{\"page\":{}}", twin.body());

            plugin.stop();
            assertFalse(description().path("paths").has("/hello"));
            assertFalse(send("GET", "/api/docs", null).body().contains("/api/hello"));
            plugin.start();
            assertTrue(description().path("paths").has("/hello"));
        } finally {
            plugin.uninstall();
        }
        assertFalse(description().path("paths").has("/hello"));
    }

    @Test
    void aBrokenDescriptionIsLeftOutAndNamedWithoutBreakingTheRest() throws Exception {
        Path jar = TestBundles.jar(
                home.resolve("broken-description.jar"),
                Map.of("Bundle-SymbolicName", "io.example.broken"),
                List.of(),
                Map.of("OSGI-INF/cohort/openapi.yaml", "paths:\n  /broken:\n    fetch: {summary: x}\n"));
        Bundle plugin = context().installBundle(jar.toUri().toString());
        try {
            plugin.start();
            assertFalse(description().path("paths").has("/broken"));
            assertTrue(description().path("paths").has("/status"));
            String docs = send("GET", "/api/docs", null).body();
            assertTrue(
                    docs.contains("io.example.broken (OSGI-INF/cohort/openapi.yaml): path /broken: &#39;fetch&#39;"
                            + " is not an HTTP method"),
                    docs);
        } finally {
            plugin.uninstall();
        }
    }

    @Test
    void aPagesJsonTwinLeavesOutWhatIsForItsTemplateAlone() throws Exception {
        ServiceRegistration<AdminPage> reg = context()
                .registerService(
                        AdminPage.class,
                        request -> View.of("templates/thing.peb", Map.of("word", "hi", "_drawing", "0,0 10,10")),
                        props(AdminPage.PATH, "/drawn"));
        try {
            HttpResponse<String> twin = send("GET", "/api/drawn", null);
            assertEquals(200, twin.statusCode());
            assertEquals("{\"page\":{\"word\":\"hi\"}}", twin.body());
        } finally {
            reg.unregister();
        }
    }

    static com.fasterxml.jackson.databind.JsonNode description() throws Exception {
        HttpResponse<String> r = send("GET", "/api/openapi.json", null);
        assertEquals(200, r.statusCode(), r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    @Test
    void aBundlesStaticFilesAreServedWhileItContributesToTheWebWithOrWithoutAnAdminPage() throws Exception {
        Path jar = TestBundles.jar(
                home.resolve("widget.jar"),
                Map.of("Bundle-SymbolicName", "io.example.widget"),
                List.of(),
                Map.of("static/widget.js", "console.log('widget');"));
        Bundle plugin = context().installBundle(jar.toUri().toString());
        String file = "/static/plugins/io.example.widget/widget.js";
        try {
            plugin.start();
            assertEquals(404, send("GET", file, null).statusCode(), "a bundle that contributes nothing to the web");
            // A participant page's widget only: no admin page.
            ServiceRegistration<ParticipantPageContribution> widget = plugin.getBundleContext()
                    .registerService(
                            ParticipantPageContribution.class,
                            new ParticipantPageContribution() {
                                @Override
                                public String head(ParticipantPage page) {
                                    return "";
                                }

                                @Override
                                public String body(ParticipantPage page) {
                                    return "<script src=\"" + file + "\"></script>";
                                }
                            },
                            null);
            HttpResponse<String> served = send("GET", file, null);
            assertEquals(200, served.statusCode());
            assertEquals("console.log('widget');", served.body());
            assertTrue(served.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
            assertEquals(
                    404,
                    send("GET", "/static/plugins/io.example.widget/missing.js", null)
                            .statusCode());
            widget.unregister();
            assertEquals(404, send("GET", file, null).statusCode(), "its contribution gone");
        } finally {
            plugin.uninstall();
        }
    }
}
