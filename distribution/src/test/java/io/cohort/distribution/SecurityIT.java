package io.cohort.distribution;

import static io.cohort.distribution.StartupRefusals.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard in front of /admin and /api on a running node: logins, CSRF, cookies, throttling, logout, and the
 * start-up rules for nodes with no admin account. The throttling test runs last: it locks out 127.0.0.1 for a
 * moment, and every client here comes from there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

    private static final List<String> ADMIN_PAGES = List.of(
            "/admin/",
            "/admin/plugins",
            "/admin/status",
            "/admin/dump",
            "/admin/hello",
            "/admin/plugins/1/config/some.pid");
    private static final List<String> ADMIN_POSTS = List.of(
            "/admin/plugins/upload",
            "/admin/plugins/1/stop",
            "/admin/plugins/1/start",
            "/admin/plugins/1/uninstall",
            "/admin/plugins/1/config/some.pid",
            "/admin/status/logins/abc/revoke",
            "/admin/hello");
    private static final List<String> API_GETS = List.of("/api/plugins", "/api/status");
    private static final List<String> API_POSTS =
            List.of("/api/plugins/1/stop", "/api/plugins/1/start", "/api/plugins/1/uninstall");

    private static RunningCohort cohort;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        cohort = RunningCohort.fromSystemProperty().start();
    }

    @AfterAll
    static void stop() {
        if (cohort != null) {
            cohort.close();
        }
    }

    @Test
    @Order(1)
    void everyAdminRouteWantsALogin() {
        AdminHttp anonymous = cohort.http();
        for (String path : ADMIN_PAGES) {
            AdminHttp.Response r = anonymous.get(path);
            assertEquals(302, r.status(), "GET " + path);
            assertTrue(r.redirectPath().startsWith("/login?next="), "GET " + path + " -> " + r.location());
        }
        for (String path : ADMIN_POSTS) {
            assertEquals(401, anonymous.postFormAsIs(path, Map.of()).status(), "POST " + path);
        }
        for (String path : API_GETS) {
            AdminHttp.Response r = anonymous.get(path);
            assertEquals(401, r.status(), "GET " + path);
            assertTrue(r.header("content-type").startsWith("application/json"), "GET " + path + ": " + r);
            assertTrue(r.body().contains("\"error\""), r.body());
        }
        for (String path : API_POSTS) {
            assertEquals(401, anonymous.post(path).status(), "POST " + path);
        }
        AdminHttp wrongToken = cohort.http().bearer("not-the-token");
        assertEquals(401, wrongToken.get("/api/plugins").status());
        assertEquals(
                401, wrongToken.postFormAsIs("/admin/plugins/1/stop", Map.of()).status());
        assertEquals(302, wrongToken.get("/admin/plugins").status());

        assertEquals(200, cohort.api().get("/api/status").status(), "the right token opens /api");
        assertEquals(200, cohort.api().get("/admin/plugins").status(), "and /admin");
        assertEquals(200, cohort.http().get("/healthz").status(), "/healthz needs no login");
    }

    @Test
    @Order(2)
    void aPostWithoutItsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        Path jar = FixtureBundles.plain(work.resolve("csrf-target.jar"), "io.cohort.fixture.csrf");
        Files.move(jar, cohort.deployDir().resolve("csrf-target.jar"), StandardCopyOption.ATOMIC_MOVE);
        Plugins plugins = new Plugins(cohort.api());
        long id = Eventually.within(
                        Duration.ofSeconds(30),
                        "the target bundle ACTIVE",
                        () -> plugins.bySymbolicName("io.cohort.fixture.csrf"),
                        p -> p.isPresent() && p.get().state().equals("ACTIVE"))
                .value()
                .get()
                .id();
        AdminHttp admin = cohort.admin();
        String stop = "/admin/plugins/" + id + "/stop";

        AdminHttp.Response missing = admin.postFormAsIs(stop, Map.of());
        assertEquals(403, missing.status(), missing.toString());
        AdminHttp.Response wrong = admin.postFormAsIs(stop, Map.of("_csrf", "forged"));
        assertEquals(403, wrong.status(), wrong.toString());
        AdminHttp other = cohort.admin();
        AdminHttp.Response foreign = admin.postFormAsIs(stop, Map.of("_csrf", other.csrf()));
        assertEquals(403, foreign.status(), "another login's token: " + foreign);
        assertEquals(
                "ACTIVE", plugins.bySymbolicName("io.cohort.fixture.csrf").get().state(), "nothing was stopped");

        AdminHttp.Response done = admin.postForm(stop, Map.of());
        assertEquals(302, done.status(), done.toString());
        assertEquals(
                "RESOLVED",
                plugins.bySymbolicName("io.cohort.fixture.csrf").get().state());
    }

    @Test
    @Order(3)
    void cookiesAreHttpOnlyAndStrict() {
        AdminHttp http = cohort.http();
        String loginCsrf = http.get("/login").setCookie("cohort_login_csrf").orElseThrow();
        assertTrue(loginCsrf.contains("HttpOnly"), loginCsrf);
        AdminHttp.Response login = http.login("admin", cohort.adminPassword());
        assertEquals(302, login.status(), login.toString());
        assertEquals("/admin/", login.redirectPath());
        String session = login.setCookie("cohort_admin").orElseThrow();
        assertTrue(session.contains("HttpOnly"), session);
        assertTrue(session.contains("SameSite=Strict"), session);
        assertTrue(session.contains("Path=/"), session);
    }

    @Test
    @Order(4)
    void aWrongPasswordIs401AndLogoutEndsTheLogin() {
        AdminHttp http = cohort.http();
        AdminHttp.Response wrong = http.login("admin", "wrong-" + cohort.adminPassword());
        assertEquals(401, wrong.status());
        assertTrue(wrong.body().contains("Wrong user name or password."));
        assertFalse(wrong.setCookie("cohort_admin").isPresent());

        AdminHttp admin = cohort.admin();
        String cookie = admin.cookie("cohort_admin");
        assertNotNull(cookie);
        assertEquals(200, admin.get("/admin/plugins").status());
        AdminHttp.Response out = admin.logout();
        assertEquals(302, out.status(), out.toString());
        assertEquals("/login", out.redirectPath());
        assertNull(admin.cookie("cohort_admin"), "logout clears the cookie");

        AdminHttp replay = cohort.http().cookie("cohort_admin", cookie);
        assertEquals(302, replay.get("/admin/plugins").status(), "the old cookie no longer logs in");
        assertEquals(401, replay.get("/api/plugins").status());
    }

    @Test
    @Order(99)
    void fiveWrongPasswordsMakeTheNextTryWait() throws Exception {
        AdminHttp http = cohort.http();
        for (int i = 1; i <= 5; i++) {
            assertEquals(401, http.login("admin", "guess-" + i).status(), "wrong password " + i);
        }
        AdminHttp.Response sixth = http.login("admin", cohort.adminPassword());
        assertEquals(429, sixth.status(), "even the right password waits: " + sixth);
        long retryAfter = Long.parseLong(sixth.header("retry-after"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        assertFalse(sixth.setCookie("cohort_admin").isPresent());
        assertEquals(429, cohort.http().login("someone-else", "x").status(), "the address is slowed down too");

        Thread.sleep(retryAfter * 1000 + 300);
        AdminHttp.Response later = http.login("admin", cohort.adminPassword());
        assertEquals(302, later.status(), "after the wait the right password works: " + later);
        assertEquals(200, http.get("/admin/").status());
    }

    @Test
    @Order(10)
    void withNoAccountOnAPublicAddressStartUpIsRefused() {
        RunningCohort.Exit exit = RunningCohort.fromSystemProperty()
                .withoutAdminAccount()
                .properties("http.host=0.0.0.0\n")
                .runToExit(Duration.ofSeconds(60));
        String line = assertRefused(exit, "http.host");
        assertTrue(line.contains("no admin account"), line);
    }

    @Test
    @Order(11)
    void withNoAccountOnLoopbackTheOneTimeLinkChoosesThePasswordOnce() {
        try (RunningCohort open =
                RunningCohort.fromSystemProperty().withoutAdminAccount().start()) {
            URI link = URI.create(
                    open.awaitStdout(Pattern.compile("choose the admin password at: (\\S+)"), Duration.ofSeconds(10)));
            assertEquals(open.port(), link.getPort());
            String pathAndQuery = link.getRawPath() + "?" + link.getRawQuery();
            assertTrue(open.http().get("/login").body().contains("No admin account is configured"));

            AdminHttp first = open.http();
            AdminHttp.Response tooShort = first.choosePassword(pathAndQuery, "short", "short");
            assertEquals(422, tooShort.status(), tooShort.toString());
            assertTrue(tooShort.body().contains("password: at least 10 characters"), tooShort.body());
            AdminHttp.Response differ = first.choosePassword(pathAndQuery, "correct horse 1", "correct horse 2");
            assertEquals(422, differ.status());
            assertTrue(differ.body().contains("repeat: the two passwords differ"), differ.body());

            AdminHttp.Response chosen = first.choosePassword(pathAndQuery, "correct horse 1", "correct horse 1");
            assertEquals(302, chosen.status(), chosen.toString());
            assertEquals("/admin/", chosen.redirectPath());
            assertTrue(chosen.setCookie("cohort_admin").orElseThrow().contains("HttpOnly"));
            AdminHttp.Response dashboard = first.get("/admin/");
            assertEquals(200, dashboard.status());
            assertTrue(dashboard.body().contains("<span>admin</span>"), "logged in as admin");

            AdminHttp second = open.http();
            AdminHttp.Response again = second.choosePassword(pathAndQuery, "taken over 12", "taken over 12");
            assertEquals(403, again.status(), "the link works once: " + again);
            assertFalse(again.setCookie("cohort_admin").isPresent());
            assertEquals(302, second.get("/admin/").status());

            // Another browser logs in with the chosen password: it is in the database, hashed, nothing restarted.
            assertEquals(302, open.http().login("admin", "correct horse 1").status());
            assertEquals(401, open.http().login("admin", "taken over 12").status());
            assertFalse(open.http().get("/login").body().contains("No admin account is configured"));
            String stored = open.sql("SELECT password_hash FROM cohort.admin_account WHERE name = 'admin'");
            assertTrue(stored.startsWith("$2a$10$") && !stored.contains("correct horse"), stored);
        }
    }
}
