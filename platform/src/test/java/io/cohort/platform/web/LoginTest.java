package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logging in and out as people (and attackers) do it, over HTTP, behind a trusted proxy at 127.0.0.1. */
class LoginTest {

    static final String PASSWORD = "login-secret";

    @TempDir
    static Path home;

    static InProcessNode node;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        node = InProcessNode.start(
                home,
                Map.of(
                        "COHORT_DB_URL",
                        db,
                        "COHORT_ADMIN_PASSWORD",
                        PASSWORD,
                        "COHORT_HTTP_TRUSTEDPROXIES",
                        "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    /** A browser behind our proxy, which says who it is in X-Forwarded-For. */
    static AdminHttp from(String client) {
        return new AdminHttp(URI.create(node.url())).header("X-Forwarded-For", client);
    }

    @Test
    void wrongPasswordsFromOneClientDoNotLockOutAnother() {
        AdminHttp attacker = from("203.0.113.5");
        for (int i = 0; i < LoginThrottle.FREE_TRIES + 1; i++) {
            attacker.login("admin", "wrong-" + i);
        }
        AdminHttp.Response blocked = attacker.login("admin", PASSWORD);
        assertEquals(429, blocked.status(), "the guessing client waits, even with the right password");
        assertTrue(blocked.header("Retry-After") != null);
        // The lab's admin, elsewhere, comes in.
        AdminHttp.Response admin = from("198.51.100.7").login("admin", PASSWORD);
        assertEquals(302, admin.status(), admin.toString());
        assertEquals("/admin/", admin.redirectPath());
        // A forged X-Forwarded-For before our proxy's own entry changes nothing: the proxy appends the real one.
        AdminHttp.Response forged = new AdminHttp(URI.create(node.url()))
                .header("X-Forwarded-For", "198.51.100.7, 203.0.113.5")
                .login("admin", PASSWORD);
        assertEquals(429, forged.status());
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        ClientAddress none = new ClientAddress("");
        assertEquals("127.0.0.1", none.of("127.0.0.1", "203.0.113.5"));
        ClientAddress proxied = new ClientAddress("10.0.0.2, 10.0.0.3");
        assertEquals("203.0.113.5", proxied.of("10.0.0.2", "198.51.100.1, 203.0.113.5, 10.0.0.3"));
        assertEquals("192.0.2.9", proxied.of("192.0.2.9", "203.0.113.5"), "not from a proxy: the header is ignored");
    }

    @Test
    void theThrottleForgetsAndKeepsNothingForever() {
        MutableClock clock = new MutableClock();
        LoginThrottle throttle = new LoginThrottle(clock);
        for (int i = 0; i < 8; i++) {
            throttle.failed("admin", "203.0.113.5");
        }
        assertTrue(throttle.waitSeconds("admin", "203.0.113.5") > 0);
        assertEquals(0, throttle.waitSeconds("admin", "198.51.100.7"));
        clock.now = clock.now.plus(Duration.ofMinutes(61));
        assertEquals(0, throttle.waitSeconds("admin", "203.0.113.5"), "an hour later the count is forgotten");
        throttle.failed("someone", "192.0.2.1");
        assertEquals(2, throttle.size(), "the old entries went; only the new failure's two counts are kept");
    }

    @Test
    void logoutWithoutItsTokenLeavesTheLoginAsItWas() {
        AdminHttp admin = from("198.51.100.20");
        assertEquals(302, admin.login("admin", PASSWORD).status());
        AdminHttp.Response forged = admin.postFormAsIs("/logout", Map.of());
        assertEquals(403, forged.status());
        assertTrue(forged.setCookie("cohort_admin").isEmpty(), "the cookie is not cleared: " + forged);
        assertEquals(200, admin.get("/admin/").status(), "still logged in");
        AdminHttp.Response out = admin.logout();
        assertEquals(302, out.status());
        assertTrue(out.setCookie("cohort_admin").orElseThrow().toLowerCase().contains("max-age=0"), out.toString());
    }

    @Test
    void aLoginEndsSevenDaysAfterItBeganHoweverBusy() throws Exception {
        AdminHttp admin = from("198.51.100.30");
        assertEquals(302, admin.login("admin", PASSWORD).status());
        assertEquals(200, admin.get("/admin/").status());
        try (Connection c = DriverManager.getConnection(db)) {
            c.createStatement()
                    .executeUpdate("UPDATE cohort.admin_session SET created_at = now() - interval '169 hours'"
                            + " WHERE ip = '198.51.100.30'");
        }
        AdminHttp.Response after = admin.get("/admin/");
        assertEquals(302, after.status(), "sent to the login page");
        assertTrue(after.redirectPath().startsWith("/login"), after.redirectPath());
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
