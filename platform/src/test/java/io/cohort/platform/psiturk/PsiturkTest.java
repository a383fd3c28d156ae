package io.cohort.platform.psiturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebDriver;
import org.osgi.framework.BundleContext;

/**
 * A psiTurk project, copied unmodified into {@code experiments/}, run on Cohort: in headless Chromium in debug mode,
 * over psiTurk's HTTP routes as MTurk workers, its data in Cohort's records and in psiTurk-shaped exports.
 */
class PsiturkTest {

    static final String PASSWORD = "correct horse battery";
    static final String TOKEN = "psiturk-test-token";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static InProcessNode node;
    static String db;
    static AdminHttp admin;
    static Session session;
    static final HttpClient HTTP =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        Path source = Path.of(PsiturkTest.class
                        .getResource("/psiturk/colours/config.txt")
                        .toURI())
                .getParent();
        copy(source, home.resolve("experiments/colours"));
        db = TestDatabase.create();
        node = InProcessNode.start(
                home, Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN, "COHORT_ADMIN_PASSWORD", PASSWORD));
        admin = new AdminHttp(URI.create(node.url()));
        assertEquals(302, admin.login("admin", PASSWORD).status());
        session = service(Sessions.class).create(new NewSession("colours", 0, null, null, List.of(), false, "test"));
        // Debug ids are made up by anyone: only a session marked as testing takes them.
        service(Sessions.class).setTesting(session.id(), true, "test");
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static <T> T service(Class<T> type) {
        BundleContext c = node.context();
        return c.getService(c.getServiceReference(type));
    }

    static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path.substring(1)));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String path, String type, String body, String cookie)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path.substring(1)))
                .header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String form(String uniqueId) {
        return "uniqueId=" + URLEncoder.encode(uniqueId, StandardCharsets.UTF_8);
    }

    /** The cookie /exp handed out, as a Cookie header. */
    static String cookie(HttpResponse<String> exp) {
        return exp.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("cohort_psiturk_"))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no participant cookie in " + exp.headers()));
    }

    /** A sandbox worker who accepted the HIT, as Cohort's MTurk route makes them on accept. */
    static Participant sandboxWorker(String workerId, String assignmentId, String hitId, Session in) {
        return service(Participants.class)
                .add(
                        in.id(),
                        workerId,
                        new Participants.CrowdArrival("mturk", workerId, assignmentId, hitId, CrowdMode.SANDBOX),
                        "mturk");
    }

    static Participant participant(String name) {
        return service(Participants.class).ofSession(session.id()).stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no participant " + name));
    }

    static String exp(String hitId, String assignmentId, String workerId, String mode) {
        return "/exp?hitId=" + hitId + "&assignmentId=" + assignmentId + "&workerId=" + workerId + "&mode=" + mode;
    }

    static int workerStatus(String workerId) throws Exception {
        return JSON.readTree(
                        get("/check_worker_status?workerId=" + workerId, null).body())
                .get("status")
                .asInt();
    }

    static List<CSVRecord> csv(String path) throws Exception {
        AdminHttp api = new AdminHttp(URI.create(node.url())).bearer(TOKEN);
        AdminHttp.Response r = api.get(path);
        assertEquals(200, r.status(), path + ": " + r.body());
        return CSVFormat.DEFAULT.parse(new java.io.StringReader(r.body())).getRecords();
    }

    @Test
    void aMarketsTestModeIsPsiturksSandbox() {
        // psiTurk knows debug, sandbox and live: a market's test set-up pays no money, so it is its sandbox.
        assertEquals("debug", PsiturkWeb.psiturkMode(null));
        assertEquals("sandbox", PsiturkWeb.psiturkMode(CrowdMode.SANDBOX));
        assertEquals("sandbox", PsiturkWeb.psiturkMode(CrowdMode.TEST));
        assertEquals("live", PsiturkWeb.psiturkMode(CrowdMode.LIVE));
    }

    @Test
    void aDebugRunInChromiumEndsCompletedWithItsDataInRecordsAndPsiturkFiles() throws Exception {
        assumeTrue(Browser.available(), "Debian chromium and chromium-driver are not installed");
        String uniqueId = "debugWKR1:debugASN1";
        try (Browser browser = Browser.start()) {
            WebDriver d = browser.driver();
            browser.open(node.url() + "ad?hitId=debugHIT1&assignmentId=debugASN1&workerId=debugWKR1&mode=debug");
            browser.awaitElement("#accepted");
            String ad = d.getWindowHandle();
            browser.find("#begin").click();
            String popup = browser.await(
                    10,
                    w -> w.getWindowHandles().stream()
                            .filter(h -> !h.equals(ad))
                            .findFirst()
                            .orElse(null));
            d.switchTo().window(popup);
            browser.awaitElement("#consent");
            // psiTurk's insert_mode: the consent link carries the mode though the template does not write it.
            assertTrue(browser.find("#agree").getAttribute("href").endsWith("workerId=debugWKR1&mode=debug"));
            browser.find("#agree").click();
            browser.awaitElement("#instructions-1").isDisplayed();
            browser.find("#next").click();
            browser.awaitElement("#instructions-2");
            browser.find("#back").click();
            browser.awaitElement("#instructions-1");
            browser.find("#next").click();
            browser.awaitElement("#start").click();
            browser.awaitElement("#stage");
            assertEquals("red", browser.find("#patch").getText());
            browser.find("#yes").click(); // red: correct
            assertEquals("blue", browser.find("#patch").getText());
            browser.find("#no").click(); // blue: correct
            browser.find("#no").click(); // red: wrong
            browser.awaitElement("#age").sendKeys("34");
            browser.find("#comments").sendKeys("fine <b>thanks</b>");
            browser.find("#finish").click();
            browser.awaitText("All done (debug)");
        }
        Participant p = participant(uniqueId);
        assertEquals(ParticipantStatus.COMPLETED, p.status());
        assertEquals(PsiturkStatus.COMPLETED.code(), workerStatus("debugWKR1"));
        // Cohort's bonus rule: 10 cents for each of the two correct trials.
        assertEquals(20, p.bonusCents());

        JsonNode datastring = JSON.readTree(datastring(uniqueId));
        JsonNode trials = datastring.get("data");
        // Begin, Next, Prev, Next, Finish; three test trials; the questionnaire's begin and submit.
        assertEquals(10, trials.size());
        assertEquals("34", datastring.get("questiondata").get("age").asText());

        // Cohort's records: one trialdata row per trial, in order; questions as fields.
        List<String> recorded = records(p.id(), "trialdata");
        assertEquals(trials.size(), recorded.size());
        for (int i = 0; i < trials.size(); i++) {
            assertEquals(trials.get(i), JSON.readTree(recorded.get(i)));
        }
        assertEquals(
                "\"34\"",
                service(io.cohort.api.data.ParticipantData.class)
                        .current(p.id())
                        .get("age"));
        assertEquals(
                "\"fine <b>thanks</b>\"",
                service(io.cohort.api.data.ParticipantData.class)
                        .current(p.id())
                        .get("comments"));
        assertEquals(
                datastring.get("eventdata").size(), records(p.id(), "eventdata").size());

        // The data browser's table of the trials.
        List<CSVRecord> table = csv("/api/sessions/" + session.id() + "/records/trialdata.csv");
        assertEquals(List.of("session", "participant"), table.get(0).toList().subList(0, 2));
        List<CSVRecord> mine =
                table.stream().filter(r -> r.get(1).equals(p.id())).toList();
        assertEquals(10, mine.size(), "one row per trial");
        assertEquals("2-1".length(), mine.get(0).get(3).length(), "the condition, as condition-counterbalance");

        // psiTurk's own files, rows as the browser recorded them.
        List<CSVRecord> trialdata = csv("/api/sessions/" + session.id() + "/psiturk/trialdata.csv").stream()
                .filter(r -> r.get(0).equals(uniqueId))
                .toList();
        assertEquals(10, trialdata.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(
                    trials.get(i).get("current_trial").asText(),
                    trialdata.get(i).get(1));
            assertEquals(
                    trials.get(i).get("dateTime").asText(), trialdata.get(i).get(2));
            assertEquals(
                    trials.get(i).get("trialdata"),
                    JSON.readTree(trialdata.get(i).get(3)));
        }
        assertEquals("TEST", JSON.readTree(trialdata.get(5).get(3)).get("phase").asText());
        assertEquals(
                "blue", JSON.readTree(trialdata.get(6).get(3)).get("colour").asText());
        Map<String, String> questions = new TreeMap<>();
        csv("/api/sessions/" + session.id() + "/psiturk/questiondata.csv").stream()
                .filter(r -> r.get(0).equals(uniqueId))
                .forEach(r -> questions.put(r.get(1), r.get(2)));
        assertEquals(Map.of("age", "34", "comments", "fine <b>thanks</b>"), questions);
        List<CSVRecord> events = csv("/api/sessions/" + session.id() + "/psiturk/eventdata.csv").stream()
                .filter(r -> r.get(0).equals(uniqueId))
                .toList();
        assertEquals(datastring.get("eventdata").size(), events.size());
        assertEquals("initialized", events.get(0).get(1));

        // Coming back with another assignment after completing: psiTurk's refusal, on the project's error page.
        HttpResponse<String> again = get(exp("debugHIT2", "debugASN2", "debugWKR1", "debug"), null);
        assertEquals(403, again.statusCode());
        assertTrue(again.body().contains("You have already done this experiment"), again.body());
        assertTrue(again.body().contains("<span id=\"errornum\">1010</span>"), again.body());
    }

    @Test
    void conditionsAndCounterbalanceOverSixtyParticipantsAreBalancedAsPsiturkBalancesThem() throws Exception {
        Pattern assigned = Pattern.compile("data-condition=\"(\\d+)\" data-counterbalance=\"(\\d+)\"");
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = get(exp("debugBAL", "debugBA" + i, "debugBW" + i, "debug"), null);
            assertEquals(200, r.statusCode(), r.body());
            Matcher m = assigned.matcher(r.body());
            assertTrue(m.find(), r.body());
            counts.merge(m.group(1) + "/" + m.group(2), 1, Integer::sum);
        }
        // num_conds = 3, num_counters = 2: six pairs, the least-filled one each time.
        assertEquals(6, counts.size(), counts.toString());
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            assertTrue(e.getValue() >= 9 && e.getValue() <= 11, counts.toString());
        }
        // psiTurk's balance counts everyone of the code version and mode who started lately or finished, this test's
        // sixty and any debug participant before them: no pair is ahead of another by more than one.
        List<Integer> all = column("SELECT count(*) FROM cohort.participant WHERE experiment = 'colours'"
                        + " AND mode IS NULL AND condition IS NOT NULL GROUP BY condition")
                .stream()
                .map(Integer::valueOf)
                .toList();
        assertEquals(6, all.size(), all.toString());
        assertTrue(java.util.Collections.max(all) - java.util.Collections.min(all) <= 1, all.toString());
    }

    @Test
    void aQuitMidwayIsQuitEarlyAndAStrangerCanNeitherSaveNorQuitForAWorker() throws Exception {
        // What Cohort's MTurk route makes when a worker accepts the HIT.
        Participant made = sandboxWorker("WQUIT1", "AQUIT1", "HQUIT1", session);
        HttpResponse<String> link = get("/p/" + session.id() + "/" + made.token() + "/", null);
        assertEquals(303, link.statusCode());
        String ad = link.headers().firstValue("Location").orElseThrow();
        assertEquals("/ad?hitId=HQUIT1&assignmentId=AQUIT1&workerId=WQUIT1&mode=sandbox", ad);
        HttpResponse<String> adPage = get(ad, null);
        assertTrue(adPage.body().contains("workerId=WQUIT1&mode=sandbox'"), adPage.body());

        HttpResponse<String> exp = get(exp("HQUIT1", "AQUIT1", "WQUIT1", "sandbox"), null);
        assertEquals(200, exp.statusCode(), exp.body());
        String cookie = cookie(exp);
        String uniqueId = "WQUIT1:AQUIT1";
        assertEquals(PsiturkStatus.ALLOCATED.code(), workerStatus("WQUIT1"));

        // A stranger who knows the ids, without the participant's cookie.
        assertEquals(
                403,
                send("POST", "/inexp", "application/x-www-form-urlencoded", form(uniqueId), null)
                        .statusCode());
        assertEquals(
                403,
                send("PUT", "/sync/" + uniqueId, "application/json", "{\"data\":[]}", null)
                        .statusCode());
        assertEquals(
                403,
                send("POST", "/quitter", "application/x-www-form-urlencoded", form(uniqueId), null)
                        .statusCode());
        assertEquals(ParticipantStatus.STARTED, participant("WQUIT1").status());

        assertEquals(
                200,
                send("POST", "/inexp", "application/x-www-form-urlencoded", form(uniqueId), cookie)
                        .statusCode());
        assertEquals(PsiturkStatus.STARTED.code(), workerStatus("WQUIT1"));
        HttpResponse<String> quit =
                send("POST", "/quitter", "application/x-www-form-urlencoded", form(uniqueId), cookie);
        assertEquals(
                "marked as quitter", JSON.readTree(quit.body()).get("status").asText());
        assertEquals(ParticipantStatus.QUIT_EARLY, participant("WQUIT1").status());
        assertEquals(PsiturkStatus.QUITEARLY.code(), workerStatus("WQUIT1"));
        // The participants table shows psiTurk's name for it beside Cohort's.
        JsonNode table = JSON.readTree(new AdminHttp(URI.create(node.url()))
                .bearer(TOKEN)
                .get("/api/participants?status=QUIT_EARLY")
                .body());
        JsonNode row = null;
        for (JsonNode r : table.get("rows")) {
            row = r.get("name").asText().equals("WQUIT1") ? r : row;
        }
        assertEquals("QUITEARLY", row.get("psiturkStatus").asText(), table.toString());
        assertTrue(admin.get("/admin/participants?status=QUIT_EARLY").body().contains("psiTurk: QUITEARLY"));

        // Coming back to the task after quitting: psiTurk's "already started".
        HttpResponse<String> back = get(exp("HQUIT1", "AQUIT1", "WQUIT1", "sandbox"), cookie);
        assertEquals(403, back.statusCode());
        assertTrue(back.body().contains("<span id=\"errornum\">1008</span>"), back.body());
    }

    @Test
    void aSandboxWorkerWhoFinishesIsSentToCohortsEndPageAndCannotTakeItAgain() throws Exception {
        Participant made = sandboxWorker("WDONE1", "ADONE1", "HDONE1", session);
        HttpResponse<String> exp = get(exp("HDONE1", "ADONE1", "WDONE1", "sandbox"), null);
        String cookie = cookie(exp);
        String uniqueId = "WDONE1:ADONE1";
        send("POST", "/inexp", "application/x-www-form-urlencoded", form(uniqueId), cookie);
        String blob = "{\"condition\":0,\"counterbalance\":0,\"currenttrial\":1,\"bonus\":5,"
                + "\"data\":[{\"uniqueid\":\"" + uniqueId + "\",\"current_trial\":0,\"dateTime\":1,"
                + "\"trialdata\":{\"correct\":true}}],\"questiondata\":{\"status\":\"x\"},\"eventdata\":[]}";
        assertEquals(
                200,
                send("PUT", "/sync/" + uniqueId, "application/json", blob, cookie)
                        .statusCode());
        // Saving the same blob again appends nothing twice.
        assertEquals(
                200,
                send("PUT", "/sync/" + uniqueId, "application/json", blob, cookie)
                        .statusCode());
        assertEquals(1, records(made.id(), "trialdata").size());
        // "status" is Cohort's own field: the answer is kept beside it, not over it.
        assertEquals(
                "\"x\"",
                service(io.cohort.api.data.ParticipantData.class)
                        .current(made.id())
                        .get("questiondata.status"));
        assertEquals(
                JSON.readTree(blob),
                JSON.readTree(get("/sync/" + uniqueId, cookie).body()));

        HttpResponse<String> complete = get("/complete?uniqueId=" + uniqueId + "&mode=sandbox", cookie);
        assertEquals(302, complete.statusCode(), complete.body());
        assertEquals(
                "/p/" + session.id() + "/" + made.token() + "/",
                URI.create(complete.headers().firstValue("Location").orElseThrow())
                        .getPath());
        Participant done = participant("WDONE1");
        assertEquals(ParticipantStatus.COMPLETED, done.status());
        // The page claimed a bonus of 5 dollars; the rule over the records gives 10 cents.
        assertEquals(10, done.bonusCents());
        // psiTurk's ad server calls: submitted, as the MTurk plugin's button would record it.
        assertEquals(403, get("/worker_submitted?uniqueId=" + uniqueId, null).statusCode(), "not without the cookie");
        assertEquals(200, get("/worker_submitted?uniqueId=" + uniqueId, cookie).statusCode());
        assertEquals(ParticipantStatus.SUBMITTED, participant("WDONE1").status());
        assertEquals(PsiturkStatus.SUBMITTED.code(), workerStatus("WDONE1"));
        // Cohort's end page (where the MTurk plugin's submit button is), not psiTurk's ad again.
        HttpResponse<String> end = get("/p/" + session.id() + "/" + made.token() + "/", null);
        assertEquals(200, end.statusCode());
        assertTrue(end.body().contains("You have finished this study"), end.body());

        HttpResponse<String> repeat = get("/ad?hitId=HDONE2&assignmentId=ADONE2&workerId=WDONE1&mode=sandbox", null);
        assertEquals(403, repeat.statusCode());
        assertTrue(repeat.body().contains("You have already done this experiment"), repeat.body());
    }

    @Test
    void theAdminChoosesWhichPsiturkSessionTheSiteRootServes() throws Exception {
        AdminHttp api = new AdminHttp(URI.create(node.url())).bearer(TOKEN);
        assertEquals(
                200, api.post("/api/sessions/" + session.id() + "/psiturk-root").status());
        Session other =
                service(Sessions.class).create(new NewSession("colours", 1, null, "second", List.of(), false, "t"));
        Participant p = service(Participants.class).ofSession(other.id()).get(0);
        String link = "/p/" + other.id() + "/" + p.token() + "/";
        // The newer session is not the one chosen: its participants are told it is not open.
        assertEquals(503, get(link, null).statusCode());
        assertTrue(admin.get("/admin/sessions/" + other.id()).body().contains("id=\"psiturk-root\">Another"));

        assertEquals(
                200, api.post("/api/sessions/" + other.id() + "/psiturk-root").status());
        HttpResponse<String> entered = get(link, null);
        assertEquals(303, entered.statusCode());
        assertTrue(
                entered.headers().firstValue("Location").orElseThrow().startsWith("/ad?"),
                entered.headers().toString());
        assertTrue(admin.get("/admin/sessions/" + other.id()).body().contains("This session is served at the site"));

        assertEquals(
                200, api.post("/api/sessions/" + session.id() + "/psiturk-root").status());
        assertEquals(503, get(link, null).statusCode(), "back to the first session");
    }

    @Test
    void customRoutesAreListedAndACallToOneIsShownToTheAdmin() throws Exception {
        String page = admin.get("/admin/sessions/" + session.id()).body();
        assertTrue(page.contains("/my_custom_view"), "the session page lists custom.py's routes");
        sandboxWorker("WCUST1", "ACUST1", "HCUST1", session);
        String cookie = cookie(get(exp("HCUST1", "ACUST1", "WCUST1", "sandbox"), null));
        HttpResponse<String> custom = get("/my_custom_view?uniqueId=WCUST1:ACUST1", cookie);
        assertEquals(404, custom.statusCode());
        assertTrue(admin.get("/admin/sessions/" + session.id()).body().contains("/my_custom_view, a custom.py route"));
    }

    @Test
    void aMalformedConfigAndABrokenTemplateAreReportedWithFileAndLineAndTheHostKeepsServing() throws Exception {
        Path badConfig = Files.createDirectories(home.resolve("experiments/bad-config"));
        Files.writeString(
                badConfig.resolve("config.txt"),
                "[Task Parameters]\nexperiment_code_version = 1\n" + "num_conds = two\nthis line has no equals sign\n");
        Path badTemplate = Files.createDirectories(home.resolve("experiments/bad-template/templates"));
        Files.writeString(badTemplate.getParent().resolve("config.txt"), "[HIT Configuration]\ntitle = Broken\n");
        Files.writeString(badTemplate.resolve("exp.html"), "<p>one</p>\n{% if uniqueId %}\n<p>never closed</p>\n");
        String sessions = "";
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            sessions = admin.get("/admin/sessions").body();
            if (sessions.contains("bad-template/templates/exp.html")) {
                break;
            }
            Thread.sleep(200);
        }
        assertTrue(sessions.contains("experiments/bad-config/config.txt:3: num_conds"), sessions);
        assertTrue(sessions.contains("experiments/bad-config/config.txt:4:"), sessions);
        assertTrue(sessions.contains("experiments/bad-template/templates/exp.html:2: "), sessions);
        assertEquals(200, get("/healthz", null).statusCode());
        // A made-up id is refused, and echoed on the error page escaped, never as markup.
        HttpResponse<String> forged =
                get("/consent?hitId=%3Cscript%3Ealert(1)%3C/script%3E&assignmentId=A&workerId=W", null);
        assertEquals(400, forged.statusCode());
        assertTrue(forged.body().contains("(HIT &lt;script&gt;alert(1)&lt;/script&gt;)"), forged.body());
        // The good project still serves.
        assertEquals(
                200,
                get("/ad?hitId=debugH&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&mode=debug", null)
                        .statusCode());
    }

    static String datastring(String uniqueId) throws Exception {
        List<String> found = column("SELECT datastring FROM cohort.psiturk_participant WHERE unique_id = ?", uniqueId);
        assertEquals(1, found.size());
        return found.get(0);
    }

    static List<String> records(String participantId, String key) throws Exception {
        return column(
                "SELECT value::text FROM cohort.field_value WHERE participant_id = ? AND key = ? AND record ORDER BY id",
                participantId,
                key);
    }

    /** The first column of every row the query gives. */
    static List<String> column(String sql, String... args) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }
}
