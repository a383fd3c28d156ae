package io.cohort.distribution;

import static io.cohort.distribution.Players.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.RunningCohort;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * Issue 3's study in four headless Chromium windows against the built distribution: the admin creates a
 * prisoner's-dilemma session and a Stroop session through the New-session form, two participants play the
 * prisoner's dilemma to its end page while the admin's monitor follows them without reloading, a third does the
 * Stroop task, and the admin's message, reload, advance and redirect (clicked on the session page) reach that
 * participant's open page.
 */
class LiveStudyIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Not the experiment's defaults (3/0/5/1, 10 cents), so the figures prove the session's settings were used. */
    private static final Map<String, int[]> PAYOFF =
            Map.of("CC", new int[] {4, 4}, "CD", new int[] {0, 6}, "DC", new int[] {6, 0}, "DD", new int[] {1, 1});

    private static final int CENTS_PER_POINT = 7;
    private static final String PD_SETTINGS =
            "{\"payoff\": {\"CC\": [4, 4], \"CD\": [0, 6], \"DC\": [6, 0]," + " \"DD\": [1, 1]}, \"centsPerPoint\": 7}";
    /** Each round's choices of P1 and P2: CC, DC, DD. */
    private static final String[][] CHOICES = {{"cooperate", "cooperate"}, {"defect", "cooperate"}, {"defect", "defect"}
    };

    private static final int STROOP_TRIALS = 4;
    /** Markup in a message must arrive as text; the comma must not cut it short. */
    private static final String MESSAGE = "Please <b>focus</b>, & answer quickly";

    @Test
    void fourBrowsersRunALiveStudy() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        try (RunningCohort cohort = RunningCohort.in(distribution)
                        .home(homeWithDemos(distribution))
                        .start();
                Browser p1 = participantBrowser();
                Browser p2 = participantBrowser();
                Browser p3 = participantBrowser();
                Browser admin = Browser.start()) {
            Eventually.within(
                    Duration.ofSeconds(20),
                    "the prisoner's dilemma bundle's experiment is registered",
                    () -> cohort.stdout() + cohort.stderr(),
                    log -> log.contains("Experiment 'prisoners-dilemma' from bundle"));
            String base = cohort.url().toString();

            // 1. The admin logs in, creates both sessions with the form and opens the prisoner's dilemma's monitor.
            admin.open(base + "/login");
            admin.find("input[name=username]").sendKeys("admin");
            admin.find("input[name=password]").sendKeys(cohort.adminPassword());
            admin.find("form.login button[type=submit]").click();
            until(
                    admin,
                    "the admin lands on the dashboard",
                    d -> d.getCurrentUrl().endsWith("/admin/"));

            String pd = createSession(admin, base, "prisoners-dilemma", 2, PD_SETTINGS, "PD live");
            assertEquals(List.of("P1", "P2"), monitorCells(admin, "name"));
            String stroop =
                    createSession(admin, base, "stroop", 1, "{\"trials\": " + STROOP_TRIALS + "}", "Stroop live");
            List<String> stroopIds = monitorIds(admin);
            assertEquals(1, stroopIds.size());
            String stroopUrl = participantUrl(admin, stroopIds.get(0));

            admin.open(base + "/admin/sessions/" + pd);
            until(
                    admin,
                    "the monitor's socket is live",
                    d -> admin.find("#live").getText().equals("live"));
            List<String> ids = monitorIds(admin);
            assertEquals(2, ids.size());
            String id1 = ids.get(0);
            String id2 = ids.get(1);
            js(admin, "window.__same = 1;");
            String monitorUrl = admin.driver().getCurrentUrl();

            // 2 and 3. Both play three rounds; the monitor's page cell follows P1 live.
            List<String> p1Pages = new ArrayList<>();
            p1.open(participantUrl(admin, id1));
            p2.open(participantUrl(admin, id2));
            awaitPage(p1, "welcome");
            awaitPage(p2, "welcome");
            p1Pages.add(awaitMonitorPage(admin, id1, "0 welcome"));
            assertTrue(
                    p1.find("main").getText().contains("worth 7 cents"),
                    p1.find("main").getText());
            next(p1);
            next(p2);
            awaitPage(p1, "decide-1");
            awaitPage(p2, "decide-1");
            p1Pages.add(awaitMonitorPage(admin, id1, "1 decide-1"));

            int[] totals = new int[2];
            Browser[] players = {p1, p2};
            for (int round = 1; round <= 3; round++) {
                String[] choice = CHOICES[round - 1];
                // P1 arrives first in rounds 1 and 3, P2 in round 2: each gets released by the other.
                int first = round == 2 ? 1 : 0;
                int second = 1 - first;
                choose(players[first], round, choice[first]);
                awaitPage(players[first], "wait-" + round);
                assertEquals(
                        "Waiting for your partner", players[first].find("h1").getText());
                until(
                        players[first],
                        "the wait page's socket is open",
                        d -> isTrue(js(players[first], "return window.__socketOpen === true")));
                if (first == 0) {
                    p1Pages.add(awaitMonitorPage(admin, id1, (3 * round - 1) + " wait-" + round));
                }
                choose(players[second], round, choice[second]);
                awaitPage(players[second], "result-" + round);
                awaitPage(players[first], "result-" + round);
                assertTrue(
                        received(players[first]).contains("wait-" + round + " advance"),
                        "released from wait-" + round + " over the socket: " + received(players[first]));
                p1Pages.add(awaitMonitorPage(admin, id1, (3 * round) + " result-" + round));

                for (int player = 0; player < 2; player++) {
                    int points = PAYOFF.get(letter(choice[player]) + letter(choice[1 - player]))[0];
                    totals[player] += points;
                    Browser b = players[player];
                    String who = "P" + (player + 1) + " round " + round;
                    assertEquals(choice[player], b.find("#own-choice").getText(), who);
                    assertEquals(choice[1 - player], b.find("#partner-choice").getText(), who);
                    assertEquals(String.valueOf(points), b.find("#payoff").getText(), who);
                    assertEquals(
                            String.valueOf(totals[player]), b.find("#total").getText(), who);
                }
                next(p1);
                next(p2);
                String after = round < 3 ? "decide-" + (round + 1) : "end";
                awaitPage(p1, after);
                awaitPage(p2, after);
                p1Pages.add(awaitMonitorPage(admin, id1, (3 * round + 1) + " " + after));
            }

            // CC, DC, DD with 4/6/1: P1 4 + 6 + 1, P2 4 + 0 + 1.
            assertEquals(11, totals[0]);
            assertEquals(5, totals[1]);
            JsonNode api = apiSession(cohort, pd);
            for (int player = 0; player < 2; player++) {
                Browser b = players[player];
                String id = ids.get(player);
                long cents = (long) totals[player] * CENTS_PER_POINT;
                String dollars = String.format("%d.%02d", cents / 100, cents % 100);
                assertEquals("The game is over", b.find("h1").getText());
                assertEquals(String.valueOf(totals[player]), b.find("#total").getText());
                assertEquals(dollars, b.find("#bonus").getText());
                until(
                        admin,
                        "the monitor's bonus cell of P" + (player + 1),
                        d -> monitorCell(admin, id, "bonus").equals(dollars));
                assertEquals(dollars, participantRow(api, id).path("bonus").asText(), api.toString());
                assertEquals(10, participantRow(api, id).path("pageIndex").asInt());
                assertEquals("end", participantRow(api, id).path("page").asText());
            }
            assertEquals(
                    List.of(
                            "0 welcome",
                            "1 decide-1",
                            "2 wait-1",
                            "3 result-1",
                            "4 decide-2",
                            "6 result-2",
                            "7 decide-3",
                            "8 wait-3",
                            "9 result-3",
                            "10 end"),
                    p1Pages);
            assertEquals(monitorUrl, admin.driver().getCurrentUrl());
            assertEquals(1L, js(admin, "return window.__same;"), "the monitor page was never reloaded");
            assertTrue(
                    received(p2).contains("wait-2 advance"),
                    "P2 released from wait-2 over the socket: " + received(p2));

            // 4 and 5. The Stroop participant does the task, and the admin's actions from the Stroop session's page
            // reach their page: a message and a reload on the consent page, an advance from the debrief page to the
            // end page, and a redirect from there.
            admin.open(base + "/admin/sessions/" + stroop);
            String sid = stroopIds.get(0);
            p3.open(stroopUrl);
            awaitPage(p3, "consent");
            awaitSocket(p3);

            act(admin, sid, "message", "Send message", "text", MESSAGE);
            until(p3, "the message banner shows", d -> p3.find("#cohort-banner").isDisplayed());
            assertEquals(MESSAGE, p3.find("#cohort-banner-text").getText());
            assertTrue(
                    p3.driver()
                            .findElements(By.cssSelector("#cohort-banner-text b"))
                            .isEmpty(),
                    "the message is text, not markup");

            js(p3, "window.__marker = 1;");
            act(admin, sid, "reload", "Reload their pages", null, null);
            until(
                    p3,
                    "the page reloaded",
                    d -> isTrue(js(
                            p3,
                            "return window.__marker === undefined"
                                    + " && document.readyState === 'complete' && !!window.cohort")));
            awaitPage(p3, "consent");
            assertEquals("Consent", p3.find("h1").getText());
            assertTrue(!p3.find("#cohort-banner").isDisplayed(), "a new page, without the old banner");

            p3.find("#f-agree").click();
            next(p3);
            awaitPage(p3, "instructions");
            assertTrue(
                    p3.find("main").getText().contains("There are " + STROOP_TRIALS + " words"),
                    p3.find("main").getText());
            next(p3);
            awaitPage(p3, "task");
            for (int trial = 1; trial <= STROOP_TRIALS; trial++) {
                String number = Integer.toString(trial);
                String key = until(p3, "Stroop trial " + trial, d -> {
                    WebElement stimulus = p3.find("#stimulus");
                    String expected = stimulus.getAttribute("data-expected");
                    return number.equals(stimulus.getAttribute("data-trial")) && !expected.isEmpty() ? expected : null;
                });
                new Actions(p3.driver()).sendKeys(key).perform();
            }
            awaitPage(p3, "debrief");
            assertEquals("100%", p3.find("#accuracy").getText());
            AdminHttp.Response export = cohort.api().get("/api/sessions/" + stroop + "/export.json");
            assertEquals(200, export.status(), export.body());
            List<JsonNode> trials = new ArrayList<>();
            JSON.readTree(export.body()).path(0).path("history").forEach(h -> {
                if (h.path("key").asText().equals("trials")) {
                    trials.add(h.path("value"));
                }
            });
            assertEquals(STROOP_TRIALS, trials.size(), export.body());
            for (int i = 0; i < STROOP_TRIALS; i++) {
                assertEquals(i + 1, trials.get(i).path("trial").asInt(), trials.toString());
                assertTrue(trials.get(i).path("correct").asBoolean(), trials.toString());
            }
            awaitSocket(p3);

            act(admin, sid, "advance", "Advance a page", null, null);
            awaitPage(p3, "end");
            assertEquals("STROOP-2026", p3.find("#completion-code").getText());
            until(
                    admin,
                    "the monitor shows the Stroop participant completed",
                    d -> monitorCell(admin, sid, "status").equals("COMPLETED")
                            && monitorCell(admin, sid, "page").equals("4 end"));
            awaitSocket(p3);

            String healthz = base + "/healthz";
            act(admin, sid, "redirect", "Redirect", "url", healthz);
            until(p3, "the participant is redirected", d -> d.getCurrentUrl().equals(healthz));
            assertEquals("ok", p3.find("body").getText());
        }
    }

    // ---- the admin

    /** Fills the New-session form and returns the new session's id (the page it lands on). */
    private static String createSession(
            Browser admin, String base, String experiment, int participants, String settings, String name) {
        admin.open(base + "/admin/sessions");
        new Select(admin.find("#experiment")).selectByValue(experiment);
        WebElement count = admin.find("#new-session input[name=participants]");
        count.clear();
        count.sendKeys(Integer.toString(participants));
        WebElement json = admin.find("#settings");
        json.clear();
        json.sendKeys(settings);
        admin.find("#new-session input[name=name]").sendKeys(name);
        admin.find("#new-session button[type=submit]").click();
        String page = until(admin, "the new " + experiment + " session's page", d -> {
            List<WebElement> error = d.findElements(By.id("error"));
            if (!error.isEmpty()) {
                throw new AssertionError("New session refused: " + error.get(0).getText());
            }
            return d.getCurrentUrl().matches(".*/admin/sessions/[^/?]+$") ? d.getCurrentUrl() : null;
        });
        assertEquals(name, admin.find("h1").getText());
        return page.substring(page.lastIndexOf('/') + 1);
    }

    /**
     * Selects one participant on the session page and clicks an action's button, as a lab admin does; waits for the
     * new page (the form posts and comes back) with the action's notice.
     */
    private static void act(
            Browser admin, String participant, String action, String button, String input, String value) {
        admin.find("input[name=participants][value='" + participant + "']").click();
        if (input != null) {
            admin.find("#actions input[name=" + input + "]").sendKeys(value);
        }
        js(admin, "window.__before = 1;");
        admin.driver()
                .findElement(By.xpath("//button[text()='" + button + "']"))
                .click();
        until(
                admin,
                "the notice of " + action,
                d -> isTrue(js(
                                admin,
                                "return window.__before === undefined" + " && document.readyState === 'complete'"))
                        && d.findElements(By.id("notice")).stream()
                                .anyMatch(e -> e.getText().equals(action + ": done for 1 participant")));
    }

    private static List<String> monitorIds(Browser admin) {
        return admin.driver().findElements(By.cssSelector("#monitor tbody tr")).stream()
                .map(tr -> tr.getAttribute("data-participant"))
                .toList();
    }

    private static List<String> monitorCells(Browser admin, String column) {
        return admin.driver().findElements(By.cssSelector("#monitor tbody [data-col=" + column + "]")).stream()
                .map(WebElement::getText)
                .toList();
    }

    private static String monitorCell(Browser admin, String participant, String column) {
        return admin.find("#monitor tr[data-participant='" + participant + "'] [data-col=" + column + "]")
                .getText();
    }

    /** Waits until the monitor's page cell of {@code participant} reads {@code page} ("index name") and returns it. */
    private static String awaitMonitorPage(Browser admin, String participant, String page) {
        return until(
                admin,
                "the monitor shows " + participant + " on " + page,
                d -> monitorCell(admin, participant, "page").equals(page) ? page : null);
    }

    private static String participantUrl(Browser admin, String participant) {
        return admin.find("#monitor tr[data-participant='" + participant + "'] [data-col=url] a")
                .getDomProperty("href");
    }

    private static JsonNode apiSession(RunningCohort cohort, String session) throws IOException {
        AdminHttp.Response r = cohort.api().get("/api/sessions/" + session);
        assertEquals(200, r.status(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode participantRow(JsonNode session, String id) {
        for (JsonNode row : session.path("participants")) {
            if (id.equals(row.path("id").asText())) {
                return row;
            }
        }
        throw new AssertionError("no participant " + id + " in " + session);
    }
}
