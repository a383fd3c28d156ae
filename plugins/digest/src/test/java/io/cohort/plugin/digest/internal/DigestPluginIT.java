package io.cohort.plugin.digest.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SessionTab;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.DescribedAnswer;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The built bundle ({@code plugin.jar}) in a running host: its Digest tab answers for a session of a folder
 * experiment (no hooks, so the default digest), as a page in the session's tab bar and as JSON; stopped, the tab
 * is gone and the host still serves. The probe cannot see the plugin's classes: names are literals.
 */
@RunWith(PaxExam.class)
public class DigestPluginIT {

    private static final String EXPERIMENT = """
            name: digest-study
            title: A study with no digest of its own
            version: "1.0"
            pages:
              - {name: intro, kind: form, template: page.peb}
              - {name: outro, kind: form, template: page.peb}
            """;

    @Inject
    private BundleContext context;

    private final CohortHost cohort = CohortHost.builder()
            .experiment(
                    "digest-study",
                    Map.of(
                            "experiment.yaml",
                            EXPERIMENT,
                            "page.peb",
                            "{% extends \"participant.peb\" %}{% block content %}<p>page</p>{% endblock %}"))
            .build()
            .in(() -> context);

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions();
    }

    @Before
    public void start() throws Exception {
        cohort.start();
    }

    @After
    public void stop() throws Exception {
        cohort.stop();
    }

    @Test
    public void theTabAnswersForASessionWhileStartedAndIsGoneWhenStopped() throws Exception {
        Session session = cohort.service(Sessions.class)
                .create(new NewSession(
                        "digest-study", 3, null, null, List.of("ann", "bob", "cy"), false, "DigestPluginIT"));
        AdminHttp admin = cohort.admin();
        String page = "/admin/sessions/" + session.id() + "/digest";
        assertEquals(404, admin.get(page).status());

        Bundle plugin = cohort.install(System.getProperty("plugin.jar"));
        cohort.service(SessionTab.class, "(" + SessionTab.PATH + "=digest)");

        AdminHttp.Response html = admin.get(page);
        assertEquals(html.body(), 200, html.status());
        assertTrue(html.body(), html.body().contains("digest-study has no digest of its own"));
        // the session's tab bar, this tab current; a chart per default entry, its labels the pages
        assertTrue(
                html.body(),
                html.body().contains("href=\"/admin/sessions/" + session.id() + "/digest\" class=\"current\""));
        assertTrue(html.body(), html.body().contains("<title>Participants by page</title>"));
        assertTrue(html.body(), html.body().contains("text-anchor=\"middle\">intro</text>"));
        assertTrue(
                "the session's page lists the tab",
                admin.get("/admin/sessions/" + session.id()).body().contains(">Digest</a>"));

        // (the probe has no JSON library: the twin's text is checked as the host writes it)
        AdminHttp.Response twin = admin.get("/api/sessions/" + session.id() + "/digest");
        assertEquals(twin.body(), 200, twin.status());
        String json = twin.body();
        assertTrue(json, json.contains("\"own\":false"));
        assertTrue(json, json.contains("\"Participants by status\":{\"ALLOCATED\":3}"));
        assertTrue(json, json.contains("\"Participants by page\":{\"intro\":3,\"outro\":0}"));
        assertTrue(json, json.contains("\"Median seconds per page\":{\"intro\":null,\"outro\":null}"));
        assertFalse("the template's own values stay out of the twin", json.contains("_sections"));
        assertEquals(
                List.of(),
                DescribedAnswer.problems(admin.get("/api/openapi.json").body(), "GET", "/sessions/{id}/digest", json));

        plugin.stop();
        assertEquals(404, admin.get(page).status());
        assertEquals(404, admin.get("/api/sessions/" + session.id() + "/digest").status());
        assertFalse(admin.get("/admin/sessions/" + session.id()).body().contains(">Digest</a>"));
        assertEquals(200, admin.get("/healthz").status());
        assertEquals(200, admin.get("/admin/sessions/" + session.id()).status());
    }
}
