package io.cohort.platform.participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.ParticipantPageContribution;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.Browser;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** A plugin's widget arrives on, and leaves, a participant page that is already open, with no reload. */
class LiveContributionsTest {

    @TempDir
    static Path home;

    static InProcessNode node;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        Path survey = Files.createDirectories(home.resolve("experiments/survey"));
        Files.writeString(survey.resolve("experiment.yaml"), """
                name: survey
                version: "1"
                pages:
                  - {name: intro, kind: form, template: intro.peb}
                """);
        Files.writeString(
                survey.resolve("intro.peb"),
                "{% extends \"participant.peb\" %}{% block content %}<h1 id=\"intro\">Hi</h1>{% endblock %}");
        db = TestDatabase.create();
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", db));
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    <T> T service(Class<T> type) {
        BundleContext c = node.context();
        return c.getService(c.getServiceReference(type));
    }

    /** A widget that says whose page it is on, runs a script, and cleans up after itself when taken out. */
    static final class Widget implements ParticipantPageContribution {
        @Override
        public String head(ParticipantPage page) {
            return "<style id=\"widget-style\">#widget { color: rgb(1, 2, 3); }</style>";
        }

        @Override
        public String body(ParticipantPage page) {
            return "<p id=\"widget\" data-token=\"" + page.token() + "\">on " + page.pageName() + "</p><script>"
                    + "document.body.setAttribute('data-widget-ran', String(Number(document.body.getAttribute("
                    + "'data-widget-ran') || 0) + 1));"
                    + "document.addEventListener('cohort:contribution-removed', function (e) {"
                    + " document.body.setAttribute('data-widget-removed', e.detail.id); });</script>";
        }
    }

    @Test
    void anOpenPageGainsAndLosesAWidgetWithoutAReload() throws Exception {
        assumeTrue(Browser.available(), "Debian chromium and chromium-driver are not installed");
        String session = service(Sessions.class)
                .create(new NewSession("survey", 1, null, "live", List.of(), false, "test"))
                .id();
        Participant p = service(Participants.class).ofSession(session).get(0);
        try (Browser browser = Browser.start()) {
            browser.open(node.url() + "p/" + session + "/" + p.token() + "/");
            browser.awaitElement("#intro");
            JavascriptExecutor js = (JavascriptExecutor) browser.driver();
            js.executeScript("window.notReloaded = true;");
            // The socket is open (the participant shows online) before the widget is registered.
            browser.await(10, d -> online(p.id()));
            assertTrue(browser.driver().findElements(By.id("widget")).isEmpty());

            ServiceRegistration<ParticipantPageContribution> widget =
                    node.context().registerService(ParticipantPageContribution.class, new Widget(), null);
            String id = String.valueOf(widget.getReference().getProperty("service.id"));
            assertEquals("on intro", browser.awaitElement("#widget").getText());
            assertEquals(p.token(), browser.find("#widget").getAttribute("data-token"));
            assertEquals("1", browser.await(10, d -> body(js, "data-widget-ran")));
            assertEquals("rgba(1, 2, 3, 1)", browser.find("#widget").getCssValue("color"));
            assertEquals(
                    id,
                    browser.find("[data-contribution] #widget")
                            .findElement(By.xpath(".."))
                            .getAttribute("data-contribution"));

            widget.unregister();
            browser.await(10, d -> d.findElements(By.id("widget")).isEmpty());
            assertEquals(id, browser.await(10, d -> body(js, "data-widget-removed")));
            assertTrue(browser.driver().findElements(By.id("widget-style")).isEmpty(), "its head part went too");
            assertEquals(Boolean.TRUE, js.executeScript("return window.notReloaded === true;"));

            // A page loaded while it is registered has it from the start, and loses it the same way.
            ServiceRegistration<ParticipantPageContribution> again =
                    node.context().registerService(ParticipantPageContribution.class, new Widget(), null);
            browser.open(node.url() + "p/" + session + "/" + p.token() + "/");
            assertEquals("on intro", browser.awaitElement("#widget").getText());
            assertEquals(p.token(), browser.find("#widget").getAttribute("data-token"));
            assertEquals("1", body(js, "data-widget-ran"));
            browser.await(10, d -> online(p.id()));
            again.unregister();
            browser.await(10, d -> d.findElements(By.id("widget")).isEmpty());
            assertTrue(browser.driver().findElements(By.id("widget-style")).isEmpty());
        }
    }

    @Test
    void aBundleReachesItsOwnNodeThroughCohortNodeUrl() throws Exception {
        String own = node.context().getProperty("cohort.node.url");
        assertEquals("http://127.0.0.1:" + node.host().port(), own);
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(own + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    static String body(JavascriptExecutor js, String attribute) {
        return (String) js.executeScript("return document.body.getAttribute(arguments[0]);", attribute);
    }

    static boolean online(String participantId) {
        try (var c = java.sql.DriverManager.getConnection(db);
                var rs = c.createStatement()
                        .executeQuery("SELECT online FROM cohort.participant WHERE id = '" + participantId + "'")) {
            return rs.next() && rs.getBoolean(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
