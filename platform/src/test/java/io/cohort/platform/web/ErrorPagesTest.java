package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed requests as a stranger would send them: each gets Cohort's own 4xx page with an id, no internals. */
class ErrorPagesTest {

    static final String TOKEN = "errors-token";
    static final String PASSWORD = "errors-secret";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path home;

    static InProcessNode node;

    @BeforeAll
    static void start() throws Exception {
        node = InProcessNode.start(
                home,
                Map.of(
                        "COHORT_DB_URL",
                        TestDatabase.create(),
                        "COHORT_API_TOKEN",
                        TOKEN,
                        "COHORT_ADMIN_PASSWORD",
                        PASSWORD));
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    static HttpResponse<String> post(String path, byte[] body, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path.substring(1)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Cohort's page: the status asked, an error id, and nothing of Java or Jetty. */
    static void assertOwnPage(HttpResponse<String> r, int status, String says) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("Error id <code>"), r.body());
        assertTrue(r.body().contains(says), r.body());
        for (String internal : new String[] {"org.eclipse", "at java.", "Exception", "jetty", "Caused by"}) {
            assertFalse(r.body().contains(internal), internal + " shown: " + r.body());
        }
        assertTrue(r.headers().firstValue("Server").isEmpty(), "no version banner");
    }

    @Test
    void invalidUtf8IsA400() throws Exception {
        assertOwnPage(
                post("/login", "username=%FF%FE%FD&password=x".getBytes(StandardCharsets.US_ASCII), null),
                400,
                "could not be read");
    }

    @Test
    void aFormOver16MegabytesIsRefusedWithoutAStack() throws Exception {
        byte[] big = ("username=admin&password=" + "x".repeat(16_500_000)).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> r = post("/login", big, null);
        assertTrue(r.statusCode() == 400 || r.statusCode() == 413, r.statusCode() + " " + r.body());
        assertOwnPage(r, r.statusCode(), "could not be read");
    }

    @Test
    void aFormOverOneHundredThousandKeysIsRefusedAsJsonWhenAsked() throws Exception {
        StringBuilder form = new StringBuilder("username=admin");
        for (int i = 0; i < 100_010; i++) {
            form.append("&k").append(i).append("=1");
        }
        HttpResponse<String> r =
                post("/login", form.toString().getBytes(StandardCharsets.US_ASCII), "application/json");
        assertTrue(r.statusCode() == 400 || r.statusCode() == 413, r.statusCode() + " " + r.body());
        assertTrue(
                r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                r.headers().toString());
        assertTrue(
                r.body().matches("\\{\"error\":\"The request could not be read: .*\",\"id\":\"[a-z0-9]{10}\"}"),
                r.body());
    }

    @Test
    void aNulCharacterIsRefusedNamingTheField() throws Exception {
        HttpResponse<String> r =
                post("/login", "username=ad%00min&password=x".getBytes(StandardCharsets.US_ASCII), null);
        assertOwnPage(r, 400, "The field 'username' contains a NUL character");
    }

    @Test
    void numbersTooBigForALongAndUnknownBundlesAreNot500() throws Exception {
        AdminHttp api = new AdminHttp(URI.create(node.url())).bearer(TOKEN);
        AdminHttp.Response overflow = api.post("/api/plugins/99999999999999999999999/stop");
        assertEquals(400, overflow.status(), overflow.toString());
        assertTrue(overflow.body().contains("A whole number was expected"), overflow.body());
        AdminHttp admin = new AdminHttp(URI.create(node.url()));
        admin.login("admin", PASSWORD);
        AdminHttp.Response unknown = admin.get("/admin/plugins/424242/config/io.cohort.mturk");
        assertEquals(404, unknown.status(), unknown.toString());
        assertTrue(unknown.body().contains("There is no plugin (bundle) with id 424242."), unknown.body());
    }

    @Test
    void nextThatClimbsAboveTheRootIsIgnored() {
        assertEquals("/admin/", Security.safeNext("/admin/../../etc/passwd"));
        assertEquals("/admin/", Security.safeNext("/%2e%2e/%2e%2e/x"));
        assertEquals("/admin/", Security.safeNext("/\\\\evil.example"));
        assertEquals("/admin/sessions/s1", Security.safeNext("/admin/sessions/s1"));
    }

    @Test
    void cohortsPagesCarryAStrictPolicyAndExperimentPagesNoReferrer() throws Exception {
        HttpResponse<String> login = HTTP.send(
                HttpRequest.newBuilder(URI.create(node.url() + "login")).build(), HttpResponse.BodyHandlers.ofString());
        String csp = login.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals(
                "nosniff", login.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(
                "same-origin", login.headers().firstValue("Referrer-Policy").orElse(""));
        assertTrue(login.headers().firstValue("Strict-Transport-Security").isEmpty(), "no HSTS over plain http");
        assertTrue(login.headers().firstValue("Server").isEmpty());
        assertFalse(login.body().contains("<script>"), "no inline script on Cohort's pages");
        HttpResponse<String> participant = HTTP.send(
                HttpRequest.newBuilder(URI.create(node.url() + "p/nobody/nothing/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(participant.headers().firstValue("Content-Security-Policy").isEmpty(), "the lab's pages are theirs");
        assertEquals(
                "no-referrer",
                participant.headers().firstValue("Referrer-Policy").orElse(""));
    }

    @Test
    void aRedirectNeverNamesTheHostTheRequestClaimed() throws Exception {
        URI url = URI.create(node.url());
        try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
            socket.getOutputStream()
                    .write(("GET /admin/sessions HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 302"), answer);
            assertTrue(answer.contains("\r\nLocation: /login?next="), answer);
            assertFalse(answer.contains("evil.example"), answer);
        }
    }

    @Test
    void behindHttpsCookiesAreSecureAndHstsIsSent(@TempDir Path other) throws Exception {
        try (InProcessNode https = InProcessNode.start(
                other,
                Map.of(
                        "COHORT_DB_URL",
                        TestDatabase.create(),
                        "COHORT_ADMIN_PASSWORD",
                        PASSWORD,
                        "COHORT_HTTP_PUBLIC_URL",
                        "https://study.example.org"))) {
            AdminHttp admin = new AdminHttp(URI.create(https.url()));
            AdminHttp.Response in = admin.login("admin", PASSWORD);
            assertTrue(in.setCookie("cohort_admin").orElseThrow().contains("Secure"), in.toString());
            assertEquals("max-age=31536000", in.header("Strict-Transport-Security"));
        }
    }
}
