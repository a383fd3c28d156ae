package io.cohort.plugin.simulation.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SessionTab;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.DescribedAnswer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openqa.selenium.WindowType;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The plugin ({@code plugin.jar}) in a running host with both demos: Stroop as the distribution ships it
 * ({@code stroop.dir}) and the prisoner's dilemma bundle ({@code pd.jar}). Bots added through the Bots tab play
 * sessions of each to the end from the server; simulated sessions of each play to the end in Chromium through the
 * demos' simulate.js. Results are read back over HTTP (the session's monitor rows and exports).
 */
@RunWith(PaxExam.class)
public class SimulationPluginIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MILLIS = 30_000;

    @Inject
    private BundleContext context;

    private final CohortHost cohort =
            CohortHost.builder().experiment("stroop", stroop()).build().in(() -> context);

    private AdminHttp admin;
    private Bundle simulation;

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions(
                "org.openqa.selenium", "com.fasterxml.jackson.databind", "com.fasterxml.jackson.core");
    }

    /** The Stroop demo's files as the distribution ships them. */
    static Map<String, String> stroop() {
        Path dir = Path.of(System.getProperty("stroop.dir"));
        Map<String, String> files = new HashMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString(), Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        admin = cohort.admin();
        cohort.install(System.getProperty("pd.jar"));
        simulation = cohort.install(System.getProperty("plugin.jar"));
        cohort.service(SessionTab.class, "(cohort.session.tab=bots)");
    }

    @After
    public void stop() throws Exception {
        cohort.stop();
    }

    @Test
    public void botsPlayEachDemoToTheEndFromTheServerAndTheHostServesOnWhenThePluginStops() throws Exception {
        Session stroop = session("stroop", 0, "{\"trials\": 2}", false);
        Session pd = session("prisoners-dilemma", 0, null, false);
        String added = addBots(stroop, "2");
        assertTrue(added, added.contains("2 bot(s) added"));
        addBots(pd, "2");
        // The tab's JSON twin lists the runs.
        JsonNode tab = get("/api/sessions/" + pd.id() + "/bots");
        assertEquals(tab.toString(), 2, tab.at("/page/runs").size());
        assertEquals(tab.toString(), "bot 1", tab.at("/page/runs/0/bot").asText());

        JsonNode stroopRows = allAtTheEnd(stroop.id(), 2);
        for (JsonNode row : stroopRows) {
            assertEquals("bot", row.path("mode").asText());
        }
        JsonNode stroopExport = exportOnceBotsStopped(stroop.id(), 2);
        for (JsonNode run : stroopExport.at("/tables/bot_runs")) {
            assertTrue(run.toString(), run.path("error").isNull());
            assertEquals(run.toString(), 4, run.path("pages").asInt());
        }
        for (JsonNode p : stroopExport.get("participants")) {
            assertEquals("bot", p.path("mode").asText());
            assertEquals(true, p.at("/fields/agree").asBoolean());
            assertEquals(1.0, p.at("/fields/accuracy").asDouble(), 0);
            long trials = 0;
            for (JsonNode h : p.get("history")) {
                trials += h.path("key").asText().equals("trials") ? 1 : 0;
            }
            assertEquals(2, trials);
        }

        allAtTheEnd(pd.id(), 2);
        JsonNode pdExport = exportOnceBotsStopped(pd.id(), 2);
        String described = get("/api/sessions/" + pd.id() + "/bots").toString();
        assertTrue(described, described.contains("\"state\":\"finished\""));
        assertEquals(
                List.of(),
                DescribedAnswer.problems(
                        admin.get("/api/openapi.json").body(), "GET", "/sessions/{id}/bots", described));
        for (JsonNode run : pdExport.at("/tables/bot_runs")) {
            assertTrue(run.toString(), run.path("error").isNull());
            // welcome, three decisions and three results; a wait page a partner already released is never seen.
            int pages = run.path("pages").asInt();
            assertTrue(run.toString(), pages >= 7 && pages <= 10);
        }
        for (JsonNode p : pdExport.get("participants")) {
            assertTrue(p.toString(), p.at("/fields/total_payoff").isNumber());
            assertTrue(
                    p.toString(),
                    List.of("cooperate", "defect")
                            .contains(p.at("/fields/choice_3").asText()));
        }
        // Bots can be left out of the export; the runs table then has nothing of theirs either.
        JsonNode people = get("/api/sessions/" + pd.id() + "/export.json?tables=include&bots=exclude");
        assertEquals(0, people.get("participants").size());
        assertEquals(0, people.at("/tables/bot_runs").size());

        // A bad count is refused, naming it, and adds no one.
        String refused = addBots(stroop, "lots");
        assertTrue(refused, refused.contains("is not a whole number of bots"));
        assertTrue(refused, refused.contains("lots"));
        assertEquals(
                2, cohort.service(Participants.class).ofSession(stroop.id()).size());

        // Stopped: its table leaves the exports, and the host serves on.
        simulation.stop();
        AdminHttp.Response gone = admin.get("/api/sessions/" + stroop.id() + "/tables/bot_runs.csv");
        assertEquals(404, gone.status());
        assertEquals(
                200, admin.get("/api/sessions/" + stroop.id() + "/export.csv").status());
        assertEquals(200, admin.get("/admin/").status());
        assertEquals(404, admin.get("/admin/sessions/" + stroop.id() + "/bots").status());
    }

    @Test
    public void aFailingBotSaysWhereAndWhy() throws Exception {
        Session stroop = session("stroop", 0, "{\"trials\": 2}", false);
        // Paused: every page answers 503, which the bot reports with the page it was loading.
        cohort.service(Sessions.class).setActive(stroop.id(), false, "it");
        addBots(stroop, "1");
        JsonNode run = exportOnceBotsStopped(stroop.id(), 1).at("/tables/bot_runs/0");
        String error = run.path("error").asText();
        assertTrue(error, error.startsWith("loading the page: GET /p/" + stroop.id() + "/"));
        assertTrue(error, error.contains(" answered 503: "));
        assertEquals(0, run.path("pages").asInt());
    }

    @Test
    public void simulatedSessionsOfEachDemoPlayThemselvesInABrowser() throws Exception {
        assumeTrue("Debian chromium and chromium-driver are not installed", Browser.available());
        Session stroop = session("stroop", 1, "{\"trials\": 2}", true);
        Session pd = session("prisoners-dilemma", 2, null, true);
        // Not simulated: the page gets no simulate.js.
        Session plain = session("stroop", 1, null, false);
        Participants participants = cohort.service(Participants.class);
        try (Browser browser = Browser.start()) {
            browser.open(url(participants.ofSession(plain.id()).get(0)));
            browser.awaitElement("#f-agree");
            assertFalse(browser.driver().getPageSource().contains("simulate.js"));

            browser.open(url(participants.ofSession(stroop.id()).get(0)));
            browser.await(20, d -> d.getPageSource().contains("id=\"completion-code\""));
            List<Participant> pair = participants.ofSession(pd.id());
            browser.open(url(pair.get(0)));
            browser.driver().switchTo().newWindow(WindowType.TAB);
            browser.open(url(pair.get(1)));
            allAtTheEnd(pd.id(), 2);
        }
        JsonNode pdExport = get("/api/sessions/" + pd.id() + "/export.json");
        for (JsonNode p : pdExport) {
            assertTrue(p.toString(), p.at("/fields/total_payoff").isNumber());
        }
        JsonNode played = allAtTheEnd(stroop.id(), 1).get(0);
        assertEquals("COMPLETED", played.path("status").asText());
        JsonNode fields = get("/api/sessions/" + stroop.id() + "/export.json").at("/0/fields");
        assertEquals(1.0, fields.path("accuracy").asDouble(), 0);
        assertEquals("Simulated by simulate.js", fields.path("comments").asText());
    }

    private String url(Participant p) {
        return cohort.url()
                .resolve("/p/" + p.sessionId() + "/" + p.token() + "/")
                .toString();
    }

    private Session session(String experiment, int participants, String settings, boolean simulate) throws Exception {
        return cohort.service(Sessions.class)
                .create(new NewSession(experiment, participants, settings, null, List.of(), simulate, "it"));
    }

    /** The Bots tab's form, posted as an admin's browser posts it; answers the page it shows. */
    private String addBots(Session session, String n) {
        AdminHttp.Response r = admin.postForm("/admin/sessions/" + session.id() + "/bots", Map.of("n", n));
        assertEquals(r.body(), 200, r.status());
        return r.body();
    }

    private JsonNode get(String path) throws Exception {
        AdminHttp.Response r = admin.get(path);
        assertEquals(r.body(), 200, r.status());
        return JSON.readTree(r.body());
    }

    /** The session's monitor rows once every one is past the last page or on the experiment's own end page. */
    private JsonNode allAtTheEnd(String sessionId, int count) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        JsonNode rows = null;
        while (System.currentTimeMillis() < deadline) {
            rows = get("/api/sessions/" + sessionId).get("participants");
            boolean done = rows.size() == count;
            for (JsonNode row : rows) {
                done &= row.path("page").asText().equals("end");
            }
            if (done) {
                return rows;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not all at the end: " + rows);
    }

    /** The session's export with its tables, once every bot run has finished (or failed). */
    private JsonNode exportOnceBotsStopped(String sessionId, int count) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        JsonNode export = null;
        while (System.currentTimeMillis() < deadline) {
            export = get("/api/sessions/" + sessionId + "/export.json?tables=include");
            JsonNode runs = export.at("/tables/bot_runs");
            boolean stopped = runs.size() == count;
            for (JsonNode run : runs) {
                stopped &= !run.path("finished").isNull();
            }
            if (stopped) {
                return export;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("bots still running: " + export);
    }
}
