package io.cohort.plugin.mturk.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.Host;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.DescribedAnswer;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.RequestErrorException;

/**
 * The built bundle in a running host, configured through ConfigAdmin to call the testkit's emulator: a HIT posted
 * from the admin tab (a logged-in admin, CSRF token and all), a worker previewing and accepting it through
 * {@code /mturk/start}, a repeat refused, the study done through the participant pages and submitted back to
 * MTurk; then the bundle stopped, its routes gone and the host still answering. And the qualifications and workers
 * pages: a type created and searched, assigned to a worker and to a session's workers by status (scores read back
 * through the SDK), workers notified and one blocked. Failsafe passes the jar as {@code plugin.jar}.
 */
@RunWith(PaxExam.class)
public class MTurkPluginIT {

    private static final long WAIT_MILLIS = 15_000;
    private static final String PASSWORD = "mturk-it-password";
    private static final String EXPERIMENT = """
            name: mturk-study
            title: A study from MTurk
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
            .mturk()
            .experiment(
                    "mturk-study",
                    Map.of(
                            "experiment.yaml",
                            EXPERIMENT,
                            "consent.peb",
                            "{% extends \"participant.peb\" %}{% block content %}<h1>Consent</h1>{% endblock %}"))
            .build()
            .in(() -> context);

    private Host host;
    private MTurkEmulator emulator;
    private AdminHttp admin;
    private AdminHttp worker;

    @Configuration
    public Option[] config() {
        // The emulator runs in the test's JVM: its package comes from the class path like the testkit's.
        // So does the SDK client that reads back what MTurk holds: only the packages the test names are exported
        // (the plugin imports none of them: it carries its own copy).
        return CohortHost.examOptions(CohortHost.MTURK_SDK_PACKAGES);
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        host = cohort.host();
        emulator = cohort.mturkEmulator();
        admin = cohort.admin();
        worker = cohort.visitor();
    }

    @After
    public void stop() throws Exception {
        cohort.stop();
    }

    @Test
    public void postAcceptCompleteSubmitThenStop() throws Exception {
        Session session = sessionOnEmulator("From MTurk");
        Participants participants = cohort.service(Participants.class);

        Bundle plugin = context.installBundle("file:" + System.getProperty("plugin.jar"));
        try {
            plugin.start();

            // The tab, with its mode and the host's banner of the provider's mode on every admin page.
            AdminHttp.Response tab = CohortHost.waitFor(
                    admin, "/admin/mturk", r -> r.status() == 200 && r.body().contains("Balance"));
            assertTrue(tab.body(), tab.body().contains("Mode: <strong>sandbox</strong>"));
            assertTrue(tab.body(), tab.body().contains("Balance: <strong id=\"mturk-balance\">$10000.00</strong>"));
            assertTrue(tab.body(), tab.body().contains("<option value=\"" + session.id() + "\""));
            assertTrue(admin.get("/admin/").body().contains("mturk: SANDBOX"));

            // Post a HIT with the tab's form (AdminHttp sends the page's CSRF token, as the browser would).
            Map<String, String> form = hitForm(session.id(), "it-post-1", 3);
            form.put("minApprovalRate", "95");
            String hitId = postHit(form);
            String page;
            String rows = admin.get("/admin/mturk/hits").body();
            assertTrue(rows, rows.contains("<td class=\"hit-id\">" + hitId + "</td>"));
            assertTrue(rows, rows.contains("<td class=\"hit-available\">3</td>"));

            // Extend from the tab: the row's form carries a fresh token.
            AdminHttp.Response extended = admin.postForm(
                    "/admin/mturk/extend",
                    Map.of("hitId", hitId, "token", "it-extend-1", "seconds", "600", "assignments", "2"));
            assertEquals(302, extended.status());
            page = admin.get("/admin/mturk").body();
            assertTrue(page, page.contains("Extended HIT " + hitId + " by 600 seconds and 2 assignments: now 5"));

            // The tab in the API: described while the plugin runs, each twin answering the documented fields.
            String description = admin.get("/api/openapi.json").body();
            for (String twin : List.of("/mturk", "/mturk/hits", "/mturk/qualifications", "/mturk/workers")) {
                AdminHttp.Response json = admin.get("/api" + twin);
                assertEquals(json.toString(), 200, json.status());
                assertEquals(
                        twin + " answered " + json.body(),
                        List.of(),
                        DescribedAnswer.problems(description, "GET", twin, json.body()));
            }
            assertTrue(DescribedAnswer.describes(description, "/mturk/workers/block"));
            String hitsJson = admin.get("/api/mturk/hits").body();
            assertTrue(hitsJson, hitsJson.contains("\"id\":\"" + hitId + "\""));

            // A form field out of range names the field and posts nothing.
            form.put("token", "it-post-2");
            form.put("reward", "0.401");
            AdminHttp.Response refused = admin.postForm("/admin/mturk/post", form);
            assertEquals(200, refused.status());
            assertTrue(refused.body(), refused.body().contains("reward: &#39;0.401&#39; is not an amount"));
            assertEquals(1, count(admin.get("/admin/mturk/hits").body(), "class=\"hit-id\""));

            // Preview: the ad.
            AdminHttp.Response ad = worker.get("/mturk/start?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=" + hitId);
            assertEquals(200, ad.status());
            assertTrue(ad.body(), ad.body().contains("A one-page study &lt;for testing&gt;."));
            assertTrue(ad.body(), ad.body().contains("$0.40"));
            assertTrue(ad.body(), ad.body().contains("20 minutes"));
            assertEquals(
                    404,
                    worker.get("/mturk/start?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=NOSUCHHIT")
                            .status());

            // Accept: a participant with the worker, assignment, HIT and mode, sent to their pages.
            String assignmentId = emulator.accept(hitId, "AWORKERONE");
            String turkSubmitTo = emulator.endpoint().toString();
            String accept = acceptUrl(hitId, assignmentId, "AWORKERONE", turkSubmitTo);
            AdminHttp.Response arrived = worker.get(accept);
            assertEquals(arrived.toString(), 303, arrived.status());
            List<Participant> taken = participants.ofWorker("mturk", "AWORKERONE");
            assertEquals(1, taken.size());
            Participant p = taken.get(0);
            assertEquals(session.id(), p.sessionId());
            assertEquals(assignmentId, p.assignmentId());
            assertEquals(hitId, p.hitId());
            assertEquals(CrowdMode.SANDBOX, p.mode());
            String pages = "/p/" + session.id() + "/" + p.token() + "/";
            assertEquals(pages, arrived.redirectPath());
            assertEquals(pages, worker.get(accept).redirectPath()); // the same accept again resumes

            // Bad parameters name the field; another assignment of the same worker is refused.
            AdminHttp.Response bad =
                    worker.get(acceptUrl(hitId, "ANOTHERASSIGNMENT", "AWORKERONE", "javascript:alert(1)"));
            assertEquals(400, bad.status());
            assertTrue(bad.body(), bad.body().contains("turkSubmitTo"));
            AdminHttp.Response again = worker.get(acceptUrl(hitId, "ANOTHERASSIGNMENT", "AWORKERONE", turkSubmitTo));
            assertEquals(403, again.status());
            assertTrue(again.body(), again.body().contains("data-rule=\"already started\""));
            assertEquals(1, participants.ofWorker("mturk", "AWORKERONE").size());

            // Through the study to its end page, which carries the submit button for MTurk workers only.
            assertFalse(worker.get(pages).body().contains("action=\"/mturk/submit\""));
            assertEquals(
                    303,
                    worker.postFormAsIs(pages, Map.of("_page", "0", "agree", "true"))
                            .status());
            String end = worker.get(pages).body();
            assertTrue(end, end.contains("action=\"/mturk/submit\""));
            assertTrue(end, end.contains("name=\"token\" value=\"" + p.token() + "\""));
            assertEquals(
                    ParticipantStatus.COMPLETED,
                    participants.find(p.id()).orElseThrow().status());

            // Submit: SUBMITTED, and the form that hands the assignment back to MTurk.
            assertEquals(
                    403,
                    worker.postFormAsIs("/mturk/submit", Map.of("sessionId", session.id(), "token", "not-the-token"))
                            .status());
            AdminHttp.Response submit =
                    worker.postFormAsIs("/mturk/submit", Map.of("sessionId", session.id(), "token", p.token()));
            assertEquals(200, submit.status());
            assertTrue(submit.body(), submit.body().contains("action=\"" + turkSubmitTo + "/mturk/externalSubmit\""));
            assertTrue(submit.body(), submit.body().contains("name=\"assignmentId\" value=\"" + assignmentId + "\""));
            assertTrue(submit.body(), submit.body().contains("name=\"completed\" value=\"true\""));
            assertEquals(
                    ParticipantStatus.SUBMITTED,
                    participants.find(p.id()).orElseThrow().status());

            // Having completed, the worker is refused by the next HIT of the study too.
            AdminHttp.Response completed = worker.get(acceptUrl(hitId, "THIRDASSIGNMENT", "AWORKERONE", turkSubmitTo));
            assertTrue(completed.body(), completed.body().contains("data-rule=\"completed\""));

            // Someone who came by URL gets no MTurk button on the same end page.
            Participant byUrl = participants.ofSession(session.id()).stream()
                    .filter(x -> x.provider() == null)
                    .findFirst()
                    .orElseThrow();
            String urlPages = "/p/" + session.id() + "/" + byUrl.token() + "/";
            assertEquals(
                    303,
                    worker.postFormAsIs(urlPages, Map.of("_page", "0", "agree", "true"))
                            .status());
            String urlEnd = worker.get(urlPages).body();
            assertTrue(urlEnd, urlEnd.contains("<h1") && !urlEnd.contains("/mturk/submit"));

            // A worker who left early is refused as such; a HIT that allows repeats takes everyone back.
            String second = emulator.accept(hitId, "AWORKERTWO");
            assertEquals(
                    303,
                    worker.get(acceptUrl(hitId, second, "AWORKERTWO", turkSubmitTo))
                            .status());
            participants.setStatus(
                    participants.ofWorker("mturk", "AWORKERTWO").get(0).id(),
                    ParticipantStatus.QUIT_EARLY,
                    "MTurkPluginIT");
            assertTrue(worker.get(acceptUrl(hitId, "FOURTHASSIGNMENT", "AWORKERTWO", turkSubmitTo))
                    .body()
                    .contains("data-rule=\"quit early\""));
            form.put("token", "it-post-3");
            form.put("reward", "0.10");
            form.put("allowRepeats", "true");
            admin.get("/admin/mturk");
            String repeatable = postHit(form);
            String again2 = emulator.accept(repeatable, "AWORKERONE");
            assertEquals(
                    303,
                    worker.get(acceptUrl(repeatable, again2, "AWORKERONE", turkSubmitTo))
                            .status());
            assertEquals(2, participants.ofWorker("mturk", "AWORKERONE").size());

            // Not deletable while a worker is at it; expiring is.
            assertEquals(
                    302,
                    admin.postForm("/admin/mturk/delete", Map.of("hitId", hitId))
                            .status());
            page = admin.get("/admin/mturk").body();
            assertTrue(page, page.contains("MTurk refused: This HIT is currently in the state"));
            assertEquals(
                    302,
                    admin.postForm("/admin/mturk/expire", Map.of("hitId", hitId))
                            .status());
            assertTrue(admin.get("/admin/mturk").body().contains("Expired HIT " + hitId + "."));
            assertTrue(admin.get("/admin/mturk/qualifications").body().contains("Qualification types"));
            assertTrue(admin.get("/admin/mturk/workers").body().contains("Block a worker"));

            plugin.stop();
            assertFalse(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/mturk"));
            assertEquals(404, worker.get(accept).status());
            AdminHttp.Response dashboard = admin.get("/admin/");
            assertEquals(200, dashboard.status());
            assertFalse(dashboard.body().contains("mturk: SANDBOX"));
            assertEquals(404, admin.get("/admin/mturk").status());
        } finally {
            plugin.uninstall();
        }
        assertEquals(200, worker.get("/healthz").status());
    }

    @Test
    public void qualifyNotifyAndBlockWorkers() throws Exception {
        Session session = sessionOnEmulator("Qualified");
        Participants participants = cohort.service(Participants.class);
        Bundle plugin = context.installBundle("file:" + System.getProperty("plugin.jar"));
        try (MTurkClient observer = MTurkClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(emulator.endpoint())
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(CohortHost.MTURK_KEY, CohortHost.MTURK_SECRET)))
                .build()) {
            plugin.start();
            CohortHost.waitFor(
                    admin, "/admin/mturk", r -> r.status() == 200 && r.body().contains("Balance"));

            // Three workers of the session: ONE and TWO completed and submitted, THREE quit before submitting.
            String hitId = postHit(hitForm(session.id(), "it-quals-1", 3));
            for (String id : List.of("AWORKERONE", "AWORKERTWO", "AWORKERTHREE")) {
                String assignment = emulator.accept(hitId, id);
                assertEquals(
                        303,
                        worker.get(acceptUrl(
                                        hitId,
                                        assignment,
                                        id,
                                        emulator.endpoint().toString()))
                                .status());
                Participant p = participants.ofWorker("mturk", id).get(0);
                if (id.equals("AWORKERTHREE")) {
                    participants.setStatus(p.id(), ParticipantStatus.QUIT_EARLY, "MTurkPluginIT");
                } else {
                    emulator.submit(assignment, "<answer/>");
                    participants.setStatus(p.id(), ParticipantStatus.COMPLETED, "MTurkPluginIT");
                }
            }

            // Create: the page names the new type (escaped); a second type, and a duplicate name refused.
            String qualifications = "/admin/mturk/qualifications";
            admin.get(qualifications);
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/create",
                                    Map.of(
                                            "name",
                                            "Trained & ready",
                                            "description",
                                            "Passed <the> training",
                                            "keywords",
                                            "training"))
                            .status());
            String page = admin.get(qualifications).body();
            Matcher created = Pattern.compile("Created qualification type Trained &amp; ready \\(([A-Z0-9]+)\\)\\.")
                    .matcher(page);
            assertTrue(page, created.find());
            String typeId = created.group(1);
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/create",
                                    Map.of("name", "Pilot done", "description", "Took the pilot"))
                            .status());
            assertTrue(admin.get(qualifications).body().contains("Created qualification type Pilot done ("));
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/create",
                                    Map.of("name", "Trained & ready", "description", "Again"))
                            .status());
            page = admin.get(qualifications).body();
            assertTrue(
                    page, page.contains("MTurk refused: You have already created a QualificationType with this name."));
            assertTrue(page, page.contains("(AWS.MechanicalTurk.QualificationTypeAlreadyExists)"));
            assertEquals(2, count(page, "class=\"qualification-id\""));

            // The search box finds it by its description, and only it.
            String found = admin.get(qualifications + "?q=TRAINING").body();
            assertEquals(found, 1, count(found, "class=\"qualification-id\""));
            assertTrue(
                    found,
                    found.contains("<td class=\"qualification-id\">" + typeId + "</td><td>Trained &amp; ready"
                            + "</td><td>Passed &lt;the&gt; training</td>"));
            assertTrue(found, found.contains("name=\"q\" value=\"TRAINING\""));
            String none = admin.get(qualifications + "?q=" + URLEncoder.encode("<nothing>", StandardCharsets.UTF_8))
                    .body();
            assertTrue(none, none.contains("None matching “&lt;nothing&gt;”."));

            // Assign to one worker typed in (told by email), then to the session's completed workers.
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/assign",
                                    Map.of("typeId", typeId, "value", "3", "workerIds", "AOUTSIDER", "notify", "true"))
                            .status());
            page = admin.get(qualifications).body();
            assertTrue(page, page.contains("Assigned qualification " + typeId + " = 3 to 1 worker: AOUTSIDER."));
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/assign",
                                    Map.of(
                                            "typeId",
                                            typeId,
                                            "value",
                                            "7",
                                            "sessionId",
                                            session.id(),
                                            "status",
                                            "COMPLETED"))
                            .status());
            page = admin.get(qualifications).body();
            assertTrue(
                    page,
                    page.contains("Assigned qualification " + typeId + " = 7 to 2 workers: AWORKERONE, AWORKERTWO."));
            // A value that is not a number is named and assigns nothing.
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/assign",
                                    Map.of("typeId", typeId, "value", "seven", "workerIds", "AWORKERTHREE"))
                            .status());
            page = admin.get(qualifications).body();
            assertTrue(page, page.contains("value: &#39;seven&#39; is not a whole number"));
            assertEquals(Integer.valueOf(3), score(observer, typeId, "AOUTSIDER"));
            assertEquals(Integer.valueOf(7), score(observer, typeId, "AWORKERONE"));
            assertEquals(Integer.valueOf(7), score(observer, typeId, "AWORKERTWO"));
            assertEquals(null, score(observer, typeId, "AWORKERTHREE"));

            // MTurk refusing midway: the page says who has the new value and who not.
            emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "AssociateQualificationWithWorker", 2);
            assertEquals(
                    302,
                    admin.postForm(
                                    qualifications + "/assign",
                                    Map.of(
                                            "typeId",
                                            typeId,
                                            "value",
                                            "9",
                                            "workerIds",
                                            "AWORKERONE AWORKERTWO AOUTSIDER"))
                            .status());
            emulator.inject(MTurkEmulator.Fault.SERVICE_FAULT, "AssociateQualificationWithWorker", 0);
            page = admin.get(qualifications).body();
            assertTrue(
                    page,
                    page.contains("class=\"error\">Assigned qualification " + typeId + " = 9 to 1 of 3"
                            + " workers: AWORKERONE. Not assigned: AWORKERTWO, AOUTSIDER, as MTurk refused AWORKERTWO:"
                            + " Service is temporarily unavailable."));
            assertEquals(Integer.valueOf(9), score(observer, typeId, "AWORKERONE"));
            assertEquals(Integer.valueOf(7), score(observer, typeId, "AWORKERTWO"));
            assertEquals(Integer.valueOf(3), score(observer, typeId, "AOUTSIDER"));

            // Notify the session's workers: the two who submitted are reached, the one who never did is named.
            String workers = "/admin/mturk/workers";
            admin.get(workers);
            assertEquals(
                    302,
                    admin.postForm(
                                    workers + "/notify",
                                    Map.of(
                                            "sessionId",
                                            session.id(),
                                            "status",
                                            "any",
                                            "subject",
                                            "A follow-up",
                                            "message",
                                            "A new study is up."))
                            .status());
            page = admin.get(workers).body();
            assertTrue(
                    page,
                    page.contains("class=\"error\">Notified 2 of 3 workers. Not reached: AWORKERTHREE (Cannot send"
                            + " notification because you have never worked with worker AWORKERTHREE.)."));
            List<MTurkEmulator.Notification> sent = emulator.notifications();
            assertEquals(
                    List.of("AOUTSIDER", "AWORKERONE", "AWORKERTWO"),
                    sent.stream().map(MTurkEmulator.Notification::workerId).toList());
            assertTrue(sent.get(0).subject(), sent.get(0).subject().contains("Trained & ready"));
            assertEquals(
                    new MTurkEmulator.Notification("AWORKERTWO", "A follow-up", "A new study is up."), sent.get(2));

            // Block one worker: refused by the next HIT, which another worker still takes.
            assertEquals(
                    302,
                    admin.postForm(workers + "/block", Map.of("workerId", " AWORKERTWO ", "reason", "Random answers"))
                            .status());
            page = admin.get(workers).body();
            assertTrue(page, page.contains("class=\"notice\">Blocked worker AWORKERTWO."));
            assertEquals(
                    302,
                    admin.postForm(workers + "/block", Map.of("workerId", "AWORKERONE", "reason", " "))
                            .status());
            page = admin.get(workers).body();
            assertTrue(page, page.contains("reason: missing"));
            admin.get("/admin/mturk");
            String next = postHit(hitForm(session.id(), "it-quals-2", 2));
            String refusal = refusal(() -> emulator.accept(next, "AWORKERTWO"));
            assertTrue(refusal, refusal.contains("Worker AWORKERTWO is blocked by this requester: Random answers"));
            emulator.accept(next, "AWORKERONE");
            assertEquals(
                    1,
                    observer.getHIT(r -> r.hitId(next))
                            .hit()
                            .numberOfAssignmentsPending()
                            .intValue());
        } finally {
            plugin.uninstall();
        }
    }

    /** The worker's score of the type on MTurk, or null when they hold none. */
    private static Integer score(MTurkClient observer, String typeId, String workerId) {
        try {
            return observer.getQualificationScore(
                            r -> r.qualificationTypeId(typeId).workerId(workerId))
                    .qualification()
                    .integerValue();
        } catch (RequestErrorException e) {
            assertEquals(e.toString(), "AWS.MechanicalTurk.QualificationDoesNotExist", e.turkErrorCode());
            return null;
        }
    }

    /** The message the emulator refuses a worker's action with (its error class is the testkit's own). */
    private static String refusal(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    /** The plugin configured to call the emulator, and a session of the study named {@code name}. */
    private Session sessionOnEmulator(String name) throws Exception {
        cohort.configureMTurk();
        return cohort.service(Sessions.class)
                .create(new NewSession("mturk-study", 1, null, name, List.of(), false, "MTurkPluginIT"));
    }

    /** The tab's form for a HIT of the session. */
    private static Map<String, String> hitForm(String sessionId, String token, int assignments) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("sessionId", sessionId);
        form.put("title", "Answer one question");
        form.put("description", "A one-page study <for testing>.");
        form.put("keywords", "test");
        form.put("reward", "0.40");
        form.put("durationMinutes", "20");
        form.put("lifetimeHours", "2");
        form.put("autoApprovalHours", "24");
        form.put("maxAssignments", Integer.toString(assignments));
        return form;
    }

    /** Posts the form from the tab (the admin fetched a page for its CSRF token) and returns the HIT the page names. */
    private String postHit(Map<String, String> form) {
        AdminHttp.Response posted = admin.postForm("/admin/mturk/post", form);
        assertEquals(posted.toString(), 302, posted.status());
        String page = admin.get("/admin/mturk").body();
        Matcher done = Pattern.compile(
                        "Posted HIT ([A-Z0-9]+) \\(Answer one question\\) for session " + form.get("sessionId"))
                .matcher(page);
        assertTrue(page, done.find());
        return done.group(1);
    }

    private static String acceptUrl(String hitId, String assignmentId, String workerId, String turkSubmitTo) {
        return "/mturk/start?hitId=" + hitId + "&assignmentId=" + assignmentId + "&workerId=" + workerId
                + "&turkSubmitTo=" + URLEncoder.encode(turkSubmitTo, StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }
}
