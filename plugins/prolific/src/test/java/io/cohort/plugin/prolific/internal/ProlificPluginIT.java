package io.cohort.plugin.prolific.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.CohortExam;
import io.cohort.testkit.DescribedAnswer;
import io.cohort.testkit.prolific.ProlificEmulator;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The built bundle in a running host beside the MTurk plugin, configured through ConfigAdmin to call the testkit's
 * Prolific emulator: a study made from the admin tab, a participant who takes it on the emulator's side, arrives at
 * {@code /prolific/start}, does the study and is sent back with the completion code; approved and bonused through
 * the provider, a repeated bonus paid once; then the bundle stopped, its routes and banner gone, the MTurk plugin
 * and the host still serving. Failsafe passes the jars as {@code plugin.jar} and {@code mturk.jar}.
 */
@RunWith(PaxExam.class)
public class ProlificPluginIT {

    private static final String EXPERIMENT = """
            name: prolific-study
            title: A study from Prolific
            version: "1.0"
            pages:
              - name: consent
                kind: form
                template: consent.peb
                fields:
                  - {name: agree, type: boolean, label: "I agree", required: true}
            """;

    @Inject
    private BundleContext context;

    private final CohortHost cohort = CohortHost.builder()
            .experiment(
                    "prolific-study",
                    Map.of(
                            "experiment.yaml",
                            EXPERIMENT,
                            "consent.peb",
                            "{% extends \"participant.peb\" %}{% block content %}<h1>Consent</h1>{% endblock %}"))
            .build()
            .in(() -> context);

    private ProlificEmulator emulator;
    private AdminHttp admin;
    private AdminHttp visitor;

    @Configuration
    public Option[] config() {
        // The emulator runs in the test's JVM: its package comes from the class path like the testkit's.
        return CohortHost.examOptions("io.cohort.testkit.prolific;version=" + CohortExam.osgiVersion());
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        emulator = ProlificEmulator.start();
        admin = cohort.admin();
        visitor = cohort.visitor();
    }

    @After
    public void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        cohort.stop();
    }

    @Test
    public void aStudyIsTakenFinishedApprovedAndBonusedOnceThenThePluginStops() throws Exception {
        cohort.configure(
                "io.cohort.prolific",
                Map.of(
                        "token", emulator.token(),
                        "workspace", emulator.workspaceId(),
                        "apiUrl", emulator.baseUrl().toString(),
                        "publicUrl", cohort.host().url(),
                        "bonusSettleMinutes", 0,
                        "ratePerSecond", 100.0));
        Session session = cohort.service(Sessions.class)
                .create(new NewSession("prolific-study", 0, null, "From Prolific", List.of(), false, "ProlificIT"));
        Participants participants = cohort.service(Participants.class);
        Bundle mturk = cohort.install(System.getProperty("mturk.jar"));
        Bundle plugin = cohort.install(System.getProperty("plugin.jar"));

        // The tab and the banner: test mode, the emulator's balance.
        AdminHttp.Response tab = CohortHost.waitFor(
                admin, "/admin/prolific", r -> r.status() == 200 && r.body().contains("balance"));
        assertTrue(tab.body(), tab.body().contains("Mode: <strong>test</strong>"));
        assertTrue(tab.body(), tab.body().contains("<strong id=\"prolific-balance\">10000.00</strong>"));
        String banner = admin.get("/admin/").body();
        assertTrue(banner, banner.contains("prolific: TEST") && banner.contains("mturk: SANDBOX"));

        // Make a study with the tab's form: published on Prolific with our start URL and two completion codes.
        Map<String, String> form = studyForm(session.id(), "it-study-1");
        AdminHttp.Response made = admin.postForm("/admin/prolific/create", form);
        assertEquals(made.toString(), 302, made.status());
        String page = admin.get("/admin/prolific").body();
        Matcher done = Pattern.compile("Made study ([0-9a-f]+) \\(A short study\\) for session " + session.id()
                        + ", 3 places at 1\\.50 GBP, published\\.")
                .matcher(page);
        assertTrue(page, done.find());
        String studyId = done.group(1);
        // The same form sent again (a double click, a resent POST) makes no second study.
        assertEquals(302, admin.postForm("/admin/prolific/create", form).status());
        assertEquals(1, count(admin.get("/admin/prolific").body(), "class=\"study-id\""));
        assertTrue(page, page.contains("<td class=\"study-status\">open</td>"));
        assertTrue(DescribedAnswer.problems(
                        admin.get("/api/openapi.json").body(),
                        "GET",
                        "/prolific",
                        admin.get("/api/prolific").body())
                .isEmpty());

        // A participant takes it on Prolific's side and arrives with the three parameters filled in.
        String pid = "5f0c4e0b1e8e3a2b9c7d6e5f";
        URI startUrl = URI.create(emulator.takeStudy(pid, studyId));
        String start = startUrl.getRawPath() + "?" + startUrl.getRawQuery();
        assertTrue(start, start.startsWith("/prolific/start?PROLIFIC_PID=" + pid + "&STUDY_ID=" + studyId));
        AdminHttp.Response arrived = visitor.get(start);
        assertEquals(arrived.toString(), 303, arrived.status());
        List<Participant> came = participants.ofWorker("prolific", pid);
        assertEquals(1, came.size());
        Participant p = came.get(0);
        assertEquals(studyId, p.hitId());
        assertEquals(CrowdMode.TEST, p.mode());
        String submissionId = p.assignmentId();
        assertTrue(start, start.endsWith("&SESSION_ID=" + submissionId));
        String pages = "/p/" + session.id() + "/" + p.token() + "/";
        assertEquals(pages, arrived.redirectPath());
        assertEquals(pages, visitor.get(start).redirectPath()); // the same link again resumes

        // Checked parameters; someone else's submission id is refused.
        AdminHttp.Response bad = visitor.get(
                "/prolific/start?PROLIFIC_PID=" + pid + "&STUDY_ID=" + studyId + "&SESSION_ID=%3Cscript%3E");
        assertEquals(400, bad.status());
        assertTrue(bad.body(), bad.body().contains("SESSION_ID"));
        assertEquals(
                400,
                visitor.get("/prolific/start?PROLIFIC_PID=someoneelse&STUDY_ID=" + studyId + "&SESSION_ID="
                                + submissionId)
                        .status());
        assertEquals(
                404,
                visitor.get("/prolific/start?PROLIFIC_PID=" + pid + "&STUDY_ID=nosuchstudy&SESSION_ID=abc")
                        .status());

        // Through the study; the end page's button sends them to the completion URL with the study's code.
        assertFalse(visitor.get(pages).body().contains("/prolific/finish"));
        assertEquals(
                303,
                visitor.postFormAsIs(pages, Map.of("_page", "0", "agree", "true"))
                        .status());
        String end = visitor.get(pages).body();
        assertTrue(end, end.contains("action=\"/prolific/finish\""));
        assertEquals(
                403,
                visitor.postFormAsIs("/prolific/finish", Map.of("sessionId", session.id(), "token", "not-the-token"))
                        .status());
        AdminHttp.Response finished =
                visitor.postFormAsIs("/prolific/finish", Map.of("sessionId", session.id(), "token", p.token()));
        assertEquals(finished.toString(), 303, finished.status());
        URI completion = URI.create(finished.location());
        assertEquals(emulator.baseUrl().getPort(), completion.getPort());
        assertEquals("/submissions/complete", completion.getPath());
        String code = completion.getQuery().replace("cc=", "");
        emulator.complete(pid, studyId, code);
        assertEquals(
                ParticipantStatus.SUBMITTED,
                participants.find(p.id()).orElseThrow().status());
        assertEquals("AWAITING REVIEW", emulator.submissionStatus(submissionId));

        // Approve and bonus through the provider, as the ledger does; a repeat changes nothing.
        CrowdProvider provider = cohort.service(CrowdProvider.class, "(cohort.crowd.provider=prolific)");
        Submission before = provider.submission(submissionId).orElseThrow();
        assertEquals(SubmissionStatus.SUBMITTED, before.status());
        long available = emulator.availableBalanceCents();
        provider.approve(submissionId, null);
        provider.approve(submissionId, null);
        assertEquals("APPROVED", emulator.submissionStatus(submissionId));
        provider.bonus(pid, submissionId, 125, "Thank you", "it-bonus-1");
        provider.bonus(pid, submissionId, 125, "Thank you", "it-bonus-1");
        assertEquals(List.of(125L), emulator.bonusesPaid(pid));
        assertEquals(1, provider.bonuses(submissionId).size());
        // Reward and fees were reserved at publishing; the bonus and its fee come off at once.
        assertEquals(available - 125 - 42, emulator.availableBalanceCents()); // 33.33 % of 125, rounded

        // Stopped: its routes, tab, banner and description are gone; MTurk and the host still serve.
        plugin.stop();
        assertEquals(404, visitor.get(start).status());
        assertEquals(404, admin.get("/admin/prolific").status());
        String after = admin.get("/admin/").body();
        assertFalse(after, after.contains("prolific: TEST"));
        assertTrue(after, after.contains("mturk: SANDBOX"));
        assertFalse(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/prolific"));
        assertEquals(200, admin.get("/admin/mturk").status());
        assertEquals(Bundle.ACTIVE, mturk.getState());
        assertEquals(200, visitor.get("/healthz").status());
    }

    private static Map<String, String> studyForm(String sessionId, String token) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("sessionId", sessionId);
        form.put("title", "A short study");
        form.put("description", "Answer one question <for testing>.");
        form.put("reward", "1.50");
        form.put("estimatedMinutes", "5");
        form.put("maximalMinutes", "20");
        form.put("places", "3");
        return form;
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
