package io.cohort.distribution;

import static io.cohort.distribution.Players.awaitPage;
import static io.cohort.distribution.Players.choose;
import static io.cohort.distribution.Players.next;
import static io.cohort.distribution.Players.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.RunningCohort;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;

/**
 * A lab's first hour, as a new research assistant lives it: {@code bin/cohort run --demo} with a home outside the
 * install and on a port of its own; the one-time link to choose the admin password; a session with a bad setting
 * refused, a good one played by two MTurk workers to the end page; approvals whose preview predicts the balance the
 * emulator then reports; a second bonus only on purpose; a hook that throws; the Stroop trials as a table.
 */
class FirstHourIT {

    private static final String PASSWORD = "first hour 2026";
    private static final Pattern AFTER = Pattern.compile("<td class=\"after\">\\$([0-9.,-]+)</td>");

    @Test
    void aLabsFirstHour() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        int mturkPort = RunningCohort.freePort();
        // The builder's home is a new folder outside the install: nothing is copied into it.
        RunningCohort.Builder builder = RunningCohort.fromSystemProperty()
                .withoutAdminAccount()
                .arguments("--demo")
                .env("COHORT_DEMO_MTURK_PORT", Integer.toString(mturkPort))
                .env("COHORT_DEMO_PROLIFIC_PORT", Integer.toString(RunningCohort.freePort()));
        Path home = builder.home();
        assertFalse(Files.exists(home.resolve("experiments")), "the home holds no experiments of its own");
        try (RunningCohort cohort = builder.start();
                Browser admin = Browser.start();
                Browser w1 = Players.participantBrowser();
                Browser w2 = Players.participantBrowser();
                MTurkClient requester = MTurkClient.builder()
                        .endpointOverride(URI.create("http://127.0.0.1:" + mturkPort))
                        .region(Region.US_EAST_1)
                        .httpClient(UrlConnectionHttpClient.create())
                        .credentialsProvider(
                                StaticCredentialsProvider.create(AwsBasicCredentials.create("DEMO", "DEMO")))
                        .build()) {
            assertTrue(cohort.port() != 8080, "not the default port");
            String base = "http://127.0.0.1:" + cohort.port();

            // First login: the one-time link asks for the password, kept hashed; the next login needs it.
            String link =
                    cohort.awaitStdout(Pattern.compile("choose the admin password at: (\\S+)"), Duration.ofSeconds(20));
            admin.open(link);
            admin.find("input[name=password]").sendKeys(PASSWORD);
            admin.find("input[name=repeat]").sendKeys(PASSWORD);
            admin.find("form.login button").click();
            until(
                    admin,
                    "the dashboard after choosing the password",
                    d -> d.getCurrentUrl().endsWith("/admin/"));
            AdminHttp http = cohort.http();
            assertEquals(200, http.get("/static/cohort/favicon.svg").status(), "a favicon");
            assertEquals(302, http.login("admin", PASSWORD).status(), "another client logs in with it");

            // The install's plugins and demos load into this home: the MTurk plugin (pointed at the emulator by
            // --demo), the prisoner's dilemma bundle, the Stroop folder.
            Eventually.within(
                    Duration.ofSeconds(30),
                    "the MTurk plugin shows its mode",
                    () -> http.get("/admin/").body(),
                    page -> page.contains("mturk: SANDBOX"));
            // The Plugins page: the lab's plugins first; the framework's own under a collapsed "System" part, with
            // no configuration forms whose values Cohort sets itself.
            String plugins = http.get("/admin/plugins").body();
            int system = plugins.indexOf("<details id=\"system-bundles\">");
            assertTrue(system > 0 && plugins.indexOf("io.cohort.plugin.mturk") < system, plugins);
            assertTrue(plugins.indexOf("org.apache.felix.fileinstall") > system, plugins);
            assertFalse(plugins.contains("/config/org.apache.felix.fileinstall"), plugins);

            admin.open(base + "/admin/sessions");
            Select experiment = new Select(admin.find("#experiment"));
            assertTrue(
                    experiment.getOptions().stream()
                            .anyMatch(o -> o.getAttribute("value").equals("stroop")),
                    "the install's Stroop folder");
            experiment.selectByValue("prisoners-dilemma");

            // A bad setting is refused, naming the key; nothing is created.
            admin.find("input[name=participants]").clear();
            admin.find("input[name=participants]").sendKeys("0");
            setField(admin, "setting.prisoners-dilemma.centsPerPoint", "500");
            admin.find("#new-session button[type=submit]").click();
            admin.awaitText("settings: 'centsPerPoint' 500 is more than the maximum 100");
            assertEquals(0, MTurkLab.read(cohort.api().get("/api/sessions")).size(), "no session was made");
            new Select(admin.find("#experiment")).selectByValue("prisoners-dilemma");
            setField(admin, "setting.prisoners-dilemma.centsPerPoint", "7");
            admin.find("input[name=name]").sendKeys("pd on mturk");
            admin.find("#new-session button[type=submit]").click();
            until(admin, "the new session's page", d -> d.getCurrentUrl().matches(".*/admin/sessions/[a-z0-9]+"));
            String session = admin.driver().getCurrentUrl().replaceAll(".*/", "");

            // Times are the admin's own, to the second, with "… ago"; the datetime attribute stays UTC.
            ((org.openqa.selenium.chrome.ChromeDriver) admin.driver())
                    .executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Tokyo"));
            admin.driver().navigate().refresh();
            var created = admin.awaitElement("p time[datetime]");
            java.time.Instant utc = java.time.Instant.parse(created.getAttribute("datetime"));
            String tokyo = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                    .format(utc.atZone(java.time.ZoneId.of("Asia/Tokyo")));
            until(
                    admin,
                    "the creation time in the admin's zone",
                    d -> created.getText().startsWith(tokyo));
            assertTrue(created.getText().contains("ago)"), created.getText());

            // Two workers take the HIT on the emulator's worker site and play to the end page.
            String hit = postHit(http, requester, session);
            String[] workers = {"AFIRSTHOURONE1", "AFIRSTHOURTWO2"};
            Browser[] players = {w1, w2};
            for (int i = 0; i < 2; i++) {
                players[i].open("http://127.0.0.1:" + mturkPort + "/worker/");
                players[i].find("input[name=workerId]").sendKeys(workers[i]);
                players[i].find("form[action='/worker/signin'] button").click();
                String accept = "form[action='/worker/hits/" + hit + "/accept'] button";
                until(
                        players[i],
                        "the HIT on the worker site",
                        d -> !d.findElements(By.cssSelector(accept)).isEmpty());
                players[i].find(accept).click();
                awaitPage(players[i], "welcome");
                assertTrue(
                        players[i].driver().getCurrentUrl().startsWith(base + "/p/" + session + "/"),
                        "the HIT points at this node's real address: "
                                + players[i].driver().getCurrentUrl());
            }
            for (Browser b : players) {
                next(b);
            }
            for (int round = 1; round <= 3; round++) {
                for (Browser b : players) {
                    awaitPage(b, "decide-" + round);
                    choose(b, round, "cooperate");
                }
                for (Browser b : players) {
                    awaitPage(b, "result-" + round);
                    next(b);
                }
            }
            for (Browser b : players) {
                awaitPage(b, "end");
            }
            // Reaching the end page is finishing: COMPLETED before anyone clicks anything more.
            for (JsonNode p :
                    MTurkLab.read(cohort.api().get("/api/sessions/" + session)).path("participants")) {
                assertEquals("COMPLETED", p.path("status").asText(), p.toString());
            }
            for (Browser b : players) {
                b.find("main #mturk-submit button").click();
                until(
                        b,
                        "the emulator took the submission",
                        d -> d.findElements(By.tagName("h1")).stream()
                                .anyMatch(h -> h.getText().equals("Submitted")));
            }

            // The HIT table counts both handed-in assignments as done right away (MTurk's own count waits for review).
            String hitRows = http.get("/admin/mturk/hits").body();
            assertTrue(hitRows.contains("<td class=\"hit-completed\">2</td>"), hitRows);

            // Approving: the preview's "balance after" is the balance the emulator reports after the batch.
            http.get("/admin/payments");
            AdminHttp.Response preview =
                    http.postForm("/admin/payments/preview", Map.of("action", "approve-submitted"));
            assertEquals(200, preview.status(), preview.toString());
            Matcher after = AFTER.matcher(preview.body());
            assertTrue(after.find(), preview.body());
            pay(cohort, http, Map.of("action", "approve-submitted"));
            assertEquals(
                    new BigDecimal(after.group(1).replace(",", "")),
                    new BigDecimal(requester.getAccountBalance(b -> {}).availableBalance()),
                    "the preview predicted the balance");

            // Bonus all (auto) pays each once; a second bonus needs the explicit tick, with its own reason.
            pay(cohort, http, Map.of("action", "bonus-auto", "reason", "Your winnings", "min", "0.01", "max", "5"));
            var taken = requester
                    .listAssignmentsForHIT(b -> b.hitId(hit))
                    .assignments()
                    .get(0);
            String assignment = taken.assignmentId();
            String worker = taken.workerId();
            Map<String, String> extra = Map.of(
                    "action", "file",
                    "kind", "bonus",
                    "rows", worker + "," + assignment + ",0.25,For the extra round",
                    "min", "0.01",
                    "max", "5");
            AdminHttp.Response refused = http.postForm("/admin/payments/preview", extra);
            assertEquals(422, refused.status(), refused.toString());
            assertTrue(refused.body().contains("tick &quot;additional bonus&quot;"), refused.body());
            Map<String, String> ticked = new java.util.HashMap<>(extra);
            ticked.put("additional", "true");
            AdminHttp.Response marked = http.postForm("/admin/payments/preview", ticked);
            assertEquals(200, marked.status(), marked.toString());
            assertTrue(marked.body().contains("<strong class=\"additional\">additional bonus</strong>"), marked.body());
            pay(cohort, http, ticked);
            assertEquals(
                    2,
                    requester
                            .listBonusPayments(b -> b.assignmentId(assignment))
                            .bonusPayments()
                            .size(),
                    "the first bonus and the additional one");

            // "Approved" means what a lab means: the workers approved, bonused since or not, get the qualification.
            String type = requester
                    .createQualificationType(b -> b.name("played-pd-first-hour")
                            .description("Played the prisoner's dilemma")
                            .qualificationTypeStatus("Active"))
                    .qualificationType()
                    .qualificationTypeId();
            http.get("/admin/mturk/qualifications");
            AdminHttp.Response assigned = http.postForm(
                    "/admin/mturk/qualifications/assign",
                    Map.of("typeId", type, "value", "1", "sessionId", session, "status", "APPROVED"));
            assertEquals(3, assigned.status() / 100, assigned.toString());
            assertEquals(
                    2,
                    requester
                            .listWorkersWithQualificationType(b -> b.qualificationTypeId(type))
                            .qualifications()
                            .size(),
                    "both bonused workers count as approved");

            // A hook that throws: the participant sees a calm page, the admin's row shows the error, live.
            JsonNode broken = MTurkLab.read(cohort.api()
                    .postForm(
                            "/api/sessions",
                            Map.of(
                                    "experiment",
                                    "prisoners-dilemma",
                                    "participants",
                                    "2",
                                    "settings",
                                    "{\"payoff\": {\"CC\": [3, 3]}}")));
            String brokenId = broken.path("session").path("id").asText();
            admin.open(base + "/admin/sessions/" + brokenId);
            for (int i = 0; i < 2; i++) {
                players[i].open(
                        base + broken.path("participants").get(i).path("url").asText());
                awaitPage(players[i], "welcome");
                next(players[i]);
                awaitPage(players[i], "decide-1");
            }
            choose(w1, 1, "cooperate");
            awaitPage(w1, "wait-1");
            choose(w2, 1, "defect");
            w2.awaitText("Something went wrong; the experimenter has been told. Your answers so far are saved.");
            assertFalse(w2.driver().getPageSource().contains("HTTP ERROR"), "never a bare 500");
            String p2 = broken.path("participants").get(1).path("id").asText();
            String cell = "tr[data-participant='" + p2 + "'] td[data-col=error]";
            until(
                    admin,
                    "the error on the admin's row",
                    d -> d.findElement(By.cssSelector(cell)).getText().contains("payoff.CD must be two whole numbers"));
            assertTrue(
                    admin.find(cell).getText().contains("Payoffs.java:"),
                    admin.find(cell).getText());

            // The Stroop demo's 24 trials download as a table of 24 rows.
            JsonNode stroop = MTurkLab.read(
                    cohort.api().postForm("/api/sessions", Map.of("experiment", "stroop", "participants", "1")));
            Browser s = w1;
            s.open(base + stroop.path("participants").get(0).path("url").asText());
            awaitPage(s, "consent");
            s.find("#f-agree").click();
            next(s);
            awaitPage(s, "instructions");
            next(s);
            awaitPage(s, "task");
            for (int trial = 1; trial <= 24; trial++) {
                String number = Integer.toString(trial);
                String key = s.await(10, d -> {
                    var stimulus = s.find("#stimulus");
                    String expected = stimulus.getAttribute("data-expected");
                    return number.equals(stimulus.getAttribute("data-trial")) && !expected.isEmpty() ? expected : null;
                });
                new Actions(s.driver()).sendKeys(key).perform();
            }
            awaitPage(s, "debrief");
            AdminHttp.Response trials = cohort.api()
                    .get("/api/sessions/" + stroop.path("session").path("id").asText() + "/records/trials.csv");
            assertEquals(200, trials.status(), trials.toString());
            List<String> lines = trials.body().lines().toList();
            assertEquals(25, lines.size(), "a header and 24 trials: " + trials.body());
            assertTrue(
                    lines.get(0).startsWith("session,participant,label,condition,code_version,record,time,trial,"),
                    lines.get(0));
        }
    }

    @Test
    void aSecondInstanceOnABusyPortSaysSoAndTouchesNothing() throws Exception {
        RunningCohort first = RunningCohort.fromSystemProperty()
                .env("LAB_MIRROR_URL", "postgres://lab:hunter2secret@db.lab/cohort")
                .start();
        try (first) {
            // The Status page masks secrets by value too: a password inside a URL, the API token.
            String status = first.admin().get("/admin/status").body();
            assertTrue(status.contains("postgres://lab:••••••@db.lab/cohort"), status);
            assertFalse(status.contains("hunter2secret") || status.contains(first.apiToken()), status);
            String rows = first.sql("SELECT (SELECT count(*) FROM cohort.audit_log) || '/'"
                    + " || (SELECT count(*) FROM cohort.scheduled_tasks) || '/'"
                    + " || (SELECT count(*) FROM cohort.task) || '/' || (SELECT count(*) FROM cohort.session)");
            RunningCohort.Exit second = RunningCohort.fromSystemProperty()
                    .env("COHORT_PORT", Integer.toString(first.port()))
                    .env("COHORT_DB_URL", first.databaseUrl())
                    .runToExit(Duration.ofSeconds(60));
            assertEquals(2, second.code(), second.stdout() + second.stderr());
            assertEquals(
                    List.of("cohort: port " + first.port() + " is in use; set COHORT_PORT"),
                    second.stderrLines(),
                    "one line, no stack trace");
            assertEquals(
                    rows,
                    first.sql("SELECT (SELECT count(*) FROM cohort.audit_log) || '/'"
                            + " || (SELECT count(*) FROM cohort.scheduled_tasks) || '/'"
                            + " || (SELECT count(*) FROM cohort.task) || '/' || (SELECT count(*) FROM cohort.session)"),
                    "the other instance's database is untouched");
            assertTrue(first.isAlive());
        }
        // A quiet start and stop: the console has the address and nothing a lab need not act on; the full log is
        // in data/logs/cohort.log.
        assertEquals(
                List.of(),
                first.console().lines().toList(),
                "no banner, no replay notices, no deprecation notes, no WARN on a clean stop");
        List<String> said = first.stdout().lines().toList();
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).startsWith("Cohort is running at http://127.0.0.1:" + first.port()), said.get(0));
        String log = Files.readString(first.home().resolve("data/logs/cohort.log"));
        assertTrue(log.contains("Pippo started") && log.contains(" INFO "), "the full log is in the file");
    }

    private static void setField(Browser b, String name, String value) {
        var input = b.find("[name='" + name + "']");
        input.clear();
        input.sendKeys(value);
    }

    /** Posts a one-HIT, two-assignment study from the MTurk tab; returns the HIT's ID as the emulator knows it. */
    private static String postHit(AdminHttp http, MTurkClient requester, String session) {
        http.get("/admin/mturk");
        AdminHttp.Response r = http.postForm("/admin/mturk/post", MTurkLab.hitForm(session, "0.50", 2));
        assertEquals(3, r.status() / 100, "posting a HIT: " + r);
        return requester.listHITs(b -> b.maxResults(10)).hiTs().get(0).hitId();
    }

    /** Confirms a batch action from the Payments tab and waits until its batch finished. */
    private static void pay(RunningCohort cohort, AdminHttp http, Map<String, String> form) {
        AdminHttp.Response confirmed = http.postForm("/admin/payments/commit", form);
        assertEquals(3, confirmed.status() / 100, confirmed.toString());
        long batch = Long.parseLong(confirmed.redirectPath().replaceAll(".*/", ""));
        JsonNode done = Eventually.within(
                        Duration.ofSeconds(30),
                        "payment batch " + batch + " finishes",
                        () -> MTurkLab.read(cohort.api().get("/api/payments/batches/" + batch)),
                        b -> !b.path("batch").path("finished").isNull())
                .value();
        assertEquals(0, done.path("batch").path("failed").asInt(), done.toString());
        // The batch page speaks dollars like every other page.
        String page = http.get(confirmed.redirectPath()).body();
        assertTrue(page.matches("(?s).*Balance before <span class=\"before\">\\$[0-9]+\\.[0-9]{2}</span>.*"), page);
    }
}
