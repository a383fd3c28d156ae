package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.Config;
import io.cohort.platform.ConfigException;
import io.cohort.platform.InProcessNode;
import io.cohort.platform.TestExperiments;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * {@code admin.enabled=false}: a node that serves participants behind the proxy while the admin runs on a node only
 * the lab can reach. Its admin pages, admin API, logins and admin sockets answer as if they did not exist.
 */
class ParticipantOnlyNodeTest {

    static final String TOKEN = "participant-only-token";

    @TempDir
    static Path home;

    static InProcessNode node;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        TestExperiments.formPages(home, "note", "<p id=\"only\">here</p>", "only");
        node = InProcessNode.start(
                home,
                Map.of(
                        "COHORT_DB_URL",
                        TestDatabase.create(),
                        "COHORT_API_TOKEN",
                        TOKEN,
                        "COHORT_ADMIN_PASSWORD",
                        "a password",
                        "COHORT_ADMIN_ENABLED",
                        "false"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    static int status(String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(node.url() + path))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theAdminIsNotServedAndParticipantsAre() throws Exception {
        for (String path : List.of("admin/", "admin/sessions", "api/sessions", "api/openapi.json", "login")) {
            assertEquals(404, status(path), path);
        }
        AdminHttp admin = new AdminHttp(URI.create(node.url()));
        assertEquals(
                404,
                admin.postFormAsIs("/login", Map.of("username", "admin", "password", "a password"))
                        .status(),
                "no login here");
        assertEquals(200, status("healthz"));
        BundleContext c = node.context();
        Session s = c.getService(c.getServiceReference(Sessions.class))
                .create(new NewSession("note", 1, null, null, List.of(), false, "test"));
        Participant p = c.getService(c.getServiceReference(Participants.class))
                .ofSession(s.id())
                .get(0);
        HttpResponse<String> page = HTTP.send(
                HttpRequest.newBuilder(URI.create(node.url() + "p/" + s.id() + "/" + p.token() + "/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<p id=\"only\">here</p>"), page.body());
        // The live monitor's socket (an admin socket) is refused as for no login.
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        HTTP.newWebSocketBuilder()
                .header("Origin", node.url().replaceAll("/$", ""))
                .buildAsync(URI.create(node.url().replace("http", "ws") + "ws/monitor"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        assertEquals(4401, closed.get(5, TimeUnit.SECONDS));
    }

    @Test
    void theSwitchIsTrueOrFalseAndNotAnAccount() {
        Config off = Config.load(home, home, Map.of("COHORT_ADMIN_ENABLED", "false", "COHORT_ADMIN_PASSWORD", "pw"));
        assertFalse(off.adminEnabled());
        assertEquals(Map.of("admin", "pw"), off.adminAccounts(), "no account named 'enabled'");
        ConfigException e = assertThrows(
                ConfigException.class, () -> Config.load(home, home, Map.of("COHORT_ADMIN_ENABLED", "sometimes")));
        assertEquals("admin.enabled: 'sometimes' is not true or false", e.getMessage());
    }
}
