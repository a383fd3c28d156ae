package io.cohort.plugin.campaigns.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.Task;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.api.schedule.TaskRun;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.platform.Host;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.CohortExam;
import io.cohort.testkit.DescribedAnswer;
import io.cohort.testkit.mturk.MTurkEmulator;
import io.cohort.testkit.prolific.ProlificEmulator;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
import software.amazon.awssdk.services.mturk.model.HIT;

/**
 * Both bundles in a running host: the MTurk plugin (its built jar, {@code mturk.jar}) configured to call the
 * testkit's emulator, and this plugin ({@code plugin.jar}). Campaigns are started from the tab over HTTP, which
 * gives each its task; the host's scheduler runs the rounds (the first at once, the next when the test says
 * {@code runNow}). Workers are played through the emulator, the MTurk plugin's {@code /mturk/start} and the
 * participant pages. What MTurk holds is read back with the SDK.
 */
@RunWith(PaxExam.class)
public class CampaignsPluginIT {

    private static final long WAIT_MILLIS = 15_000;
    private static final String PASSWORD = "campaigns-it-password";
    private static final String KEY = CohortHost.MTURK_KEY;
    private static final String SECRET = CohortHost.MTURK_SECRET;
    private static final String EXPERIMENT = """
            name: campaign-study
            title: A study recruited by a campaign
            version: "2.1"
            settings: {rounds: 3}
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
                    "campaign-study",
                    Map.of(
                            "experiment.yaml",
                            EXPERIMENT,
                            "consent.peb",
                            "{% extends \"participant.peb\" %}{% block content %}<h1>Consent</h1>{% endblock %}"))
            .build()
            .in(() -> context);

    private Host host;
    private MTurkEmulator emulator;
    private MTurkClient observer;
    private AdminHttp admin;
    private AdminHttp worker;
    private final List<Bundle> plugins = new ArrayList<>();
    private int workers;

    @Configuration
    public Option[] config() {
        // The emulator and the SDK client that reads back what MTurk holds run in the test's JVM (the MTurk plugin
        // carries its own copy of the SDK).
        List<String> packages = new ArrayList<>(List.of(CohortHost.MTURK_SDK_PACKAGES));
        packages.add("io.cohort.testkit.prolific;version=" + CohortExam.osgiVersion());
        return CohortHost.examOptions(packages.toArray(String[]::new));
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        host = cohort.host();
        emulator = cohort.mturkEmulator();
        admin = cohort.admin();
        worker = cohort.visitor();
        observer = MTurkClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(emulator.endpoint())
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
                .build();
        cohort.configureMTurk();
        for (String jar : List.of(System.getProperty("mturk.jar"), System.getProperty("plugin.jar"))) {
            plugins.add(cohort.install(jar));
        }
        cohort.service(CrowdProvider.class);
        cohort.service(TaskHandler.class, "(" + TaskHandler.TYPE + "=campaign.round)");
    }

    @After
    public void stop() throws Exception {
        if (observer != null) {
            observer.close();
        }
        cohort.stop();
    }

    @Test
    public void roundsPostWhatIsMissingUntilTheGoalIsMet() throws Exception {
        // Goal 20, 12 per round, HITs of at most 9: the first round (run by the tab at once) posts 9 + 3.
        long id = create(campaignForm("20", "12", "9"));
        String session = sessionOf(id);
        assertEquals(List.of(9, 3), sizes(hits()));
        assertOpenAtMostNeeded(session, 20);

        // Six complete, one gives the HIT back, one takes it and never comes (abandoned when its time is up).
        HIT a = hits().get(0);
        HIT b = hits().get(1);
        for (int i = 0; i < 6; i++) {
            complete(a.hitId());
        }
        emulator.giveBack(emulator.accept(a.hitId(), nextWorker()), lastWorker());
        emulator.accept(a.hitId(), nextWorker());
        complete(b.hitId());
        complete(b.hitId());
        emulator.advanceClock(Duration.ofMinutes(21));
        // 8 completed, 4 slots free (3 of A, 1 of B): 20 - 8 - 4 = 8 in one HIT.
        String second = round(id);
        assertTrue(
                second, second.contains("8 of 20 completed, 4 in flight: round 2 posted 8 assignment(s) in 1 HIT(s)"));
        assertEquals(List.of(9, 3, 8), sizes(hits()));
        assertOpenAtMostNeeded(session, 20);

        // A and B fill up; of C's 8, five complete, one is taken by a worker who never starts, one by a worker who
        // starts and quits, one stays free. 17 completed; C holds two stale slots: without expiring it the
        // campaign would count 3 in flight and post nothing, stuck 3 short (psiTurk #508).
        HIT c = hits().get(2);
        for (int i = 0; i < 3; i++) {
            complete(a.hitId());
        }
        complete(b.hitId());
        for (int i = 0; i < 5; i++) {
            complete(c.hitId());
        }
        emulator.accept(c.hitId(), nextWorker());
        Participant quitter = start(c.hitId());
        participants().setStatus(quitter.id(), ParticipantStatus.QUIT_EARLY, "CampaignsPluginIT");
        String third = round(id);
        assertTrue(third, third.contains("17 of 20 completed, 0 in flight, 1 HIT(s) with stale slots expired"));
        assertTrue(third, third.contains("round 3 posted 3 assignment(s) in 1 HIT(s)"));
        HIT expired = observer.getHIT(r -> r.hitId(c.hitId())).hit();
        assertEquals(0, expired.numberOfAssignmentsAvailable().intValue());
        assertEquals(2, expired.numberOfAssignmentsPending().intValue());
        assertEquals(List.of(9, 3, 8, 3), sizes(hits()));
        assertOpenAtMostNeeded(session, 20);

        // Nothing missing: a round now posts nothing.
        String idle = round(id);
        assertTrue(idle, idle.contains("17 of 20 completed, 3 in flight: nothing to post"));
        assertEquals(4, hits().size());

        // The last three complete: met, and the campaign stops.
        HIT d = hits().get(3);
        for (int i = 0; i < 3; i++) {
            complete(d.hitId());
        }
        String last = round(id);
        assertTrue(last, last.contains("20 of 20 completed, 0 in flight: goal met"));
        assertEquals(
                20,
                participants().ofSession(session).stream()
                        .filter(p -> p.status() == ParticipantStatus.SUBMITTED)
                        .count());
        assertEquals(4, hits().size());
        assertTrue(hits().stream().allMatch(h -> h.numberOfAssignmentsAvailable() == 0));
        assertTrue(scheduler().find("campaign-" + id).isEmpty());
        String after = roundWithoutTask(id);
        assertTrue(after, after.contains("is met: nothing to do"));

        // The tab: met, 20 of 20, and the money: 23 assignments at $0.40 plus MTurk's 20 % ($0.08 each).
        String page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(page, page.contains("State: <strong class=\"campaign-state\">met</strong>"));
        assertTrue(page, page.contains("<strong id=\"campaign-completed\">20</strong> of"));
        assertTrue(page, page.contains("<strong id=\"campaign-spent\">$11.04</strong>"));
        assertTrue(page, page.contains("<polyline class=\"completed\" points=\"0.0,200.0 "));
        String list = admin.get("/admin/campaigns").body();
        assertTrue(list, list.contains("<td class=\"campaign-state\">met</td>"));

        // The tab in the API: each twin answers the documented fields, and the chart's drawing stays on the page.
        String description = admin.get("/api/openapi.json").body();
        for (String twin : List.of("/campaigns", "/campaigns/" + id, "/campaigns/" + id + "/chart")) {
            AdminHttp.Response json = admin.get("/api" + twin);
            assertEquals(json.toString(), 200, json.status());
            assertEquals(
                    twin + " answered " + json.body(),
                    List.of(),
                    DescribedAnswer.problems(description, "GET", twin.replace("/" + id, "/{id}"), json.body()));
        }
        String campaignJson = admin.get("/api/campaigns/" + id).body();
        assertTrue(campaignJson, campaignJson.contains("\"spent\":\"11.04\""));
        assertFalse(campaignJson, campaignJson.contains("0.0,200.0") || campaignJson.contains("_chart"));
        assertTrue(list, list.contains("<td class=\"campaign-completed\">20 / 20</td>"));

        // A goal raised after it was met: recruiting again, with a task again, for the one more wanted.
        int runs = scheduler().history("campaign-" + id, 1000).size();
        assertEquals(
                302,
                admin.postForm("/admin/campaigns/" + id + "/goal", Map.of("goal", "21"))
                        .status());
        TaskRun again = awaitRuns("campaign-" + id, runs + 1);
        assertTrue(again.message(), again.message().contains("20 of 21 completed, 0 in flight: round 4 posted 1"));
        assertEquals(List.of(9, 3, 8, 3, 1), sizes(hits()));
    }

    @Test
    public void aRoundThatFailedAfterPostingDoesNotPostAgain() throws Exception {
        // MTurk creates the HIT, then answers 500: the first round fails not knowing the HIT exists.
        emulator.inject(MTurkEmulator.Fault.COMMIT_THEN_FAIL, "CreateHIT");
        admin.get("/admin/campaigns");
        AdminHttp.Response created = admin.postForm("/admin/campaigns/create", campaignForm("5", "5", "9"));
        assertEquals(created.toString(), 302, created.status());
        long id = Long.parseLong(created.redirectPath().replaceAll(".*/", ""));
        TaskRun failed = awaitRuns("campaign-" + id, 1);
        assertEquals("FAILED", failed.outcome());
        assertTrue(failed.message(), failed.message().contains("Service is temporarily unavailable"));
        String page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(page, page.contains("not posted yet × 5"));
        assertTrue(page, page.contains("<td>planned</td>"));
        assertEquals(1, hits().size());

        // The next round finishes the planned one with the same token: the HIT MTurk holds, none posted again.
        String next = round(id);
        assertTrue(next, next.contains("0 of 5 completed, 5 in flight, finished round(s) [1]: nothing to post"));
        List<HIT> hits = hits();
        assertEquals(1, hits.size());
        page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(
                page, page.contains("<span class=\"round-hit\">" + hits.get(0).hitId() + " × 5</span>"));
        assertTrue(page, page.contains("<td>recorded</td>"));
    }

    @Test
    public void onProlificRoundsAddPlacesToTheCampaignsOneStudy() throws Exception {
        // Prolific has no limit per posting: the real plugin (its jar) against the testkit's emulator, beside MTurk.
        ProlificEmulator prolific = ProlificEmulator.start();
        Bundle plugin = context.installBundle("file:" + System.getProperty("prolific.jar"));
        try {
            configureProlific(prolific);
            plugin.start();
            cohort.service(CrowdProvider.class, "(" + CrowdProvider.NAME + "=prolific)");

            // Goal 10, 4 a round, batch size 3: the batch size is not used, the first round makes one study of 4.
            Map<String, String> form = campaignForm("10", "4", "3");
            form.put("provider", "prolific");
            form.put("mode", "TEST");
            long id = create(form);
            String session = sessionOf(id);
            List<ProlificEmulator.StudyView> studies = prolific.studies();
            assertEquals(1, studies.size());
            String study = studies.get(0).id();
            assertEquals("ACTIVE", studies.get(0).status());
            assertEquals(4, places(prolific, study));
            assertEquals(0, hits().size()); // nothing went to MTurk

            // Nobody came yet: 4 in flight, so the next round adds 4 places to that study instead of making one.
            String second = round(id);
            assertTrue(second, second.contains("0 of 10 completed, 4 in flight: round 2 added 4 place(s) to " + study));
            assertEquals(8, places(prolific, study));

            // Three take it on Prolific, do the study and finish with the completion code: 3 done, 5 free.
            for (int i = 0; i < 3; i++) {
                completeOnProlific(prolific, study, String.format("5f0c4e0b1e8e3a2b9c7d6e%02d", i));
            }
            // Prolific commits the new total, then answers 500: the round fails, and the next round's retry with
            // its token sets the same total instead of adding again.
            prolific.inject(ProlificEmulator.Fault.COMMIT_THEN_FAIL, "update-study");
            String task = "campaign-" + id;
            int runs = scheduler().history(task, 1000).size();
            scheduler().runNow(task, "CampaignsPluginIT");
            TaskRun failed = awaitRuns(task, runs + 1);
            assertEquals(failed.message(), "FAILED", failed.outcome());
            assertEquals(10, places(prolific, study));
            String finished = round(id);
            assertTrue(finished, finished.contains("3 of 10 completed, 7 in flight"));
            assertEquals(10, places(prolific, study));
            assertEquals(1, prolific.studies().size());

            // The study stopped at Prolific: the next places are a new study.
            admin.get("/admin/prolific");
            assertEquals(
                    302,
                    admin.postForm("/admin/prolific/stop", Map.of("studyId", study))
                            .status());
            String fresh = round(id);
            assertTrue(fresh, fresh.contains("3 of 10 completed, 0 in flight: round 4 posted 4"));
            assertEquals(
                    List.of(10, 4),
                    prolific.studies().stream()
                            .map(ProlificEmulator.StudyView::totalAvailablePlaces)
                            .toList());

            // The page lists the additions with the study they grew.
            String page = admin.get("/admin/campaigns/" + id).body();
            assertTrue(page, page.contains("<span class=\"round-hit\">" + study + " × 4 (added)</span>"));
            assertTrue(admin.get("/admin/campaigns").body().contains("<td>test</td>"));
            assertTrue(page, page.contains(session));
        } finally {
            plugin.uninstall();
            prolific.close();
        }
    }

    /** A participant takes the study on Prolific, arrives at /prolific/start, does it and finishes with the code. */
    private void completeOnProlific(ProlificEmulator prolific, String study, String pid) {
        URI start = URI.create(prolific.takeStudy(pid, study));
        AdminHttp.Response arrived = worker.get(start.getRawPath() + "?" + start.getRawQuery());
        assertEquals(arrived.toString(), 303, arrived.status());
        Participant p = participants().ofWorker("prolific", pid).get(0);
        String pages = "/p/" + p.sessionId() + "/" + p.token() + "/";
        assertEquals(
                303,
                worker.postFormAsIs(pages, Map.of("_page", "0", "agree", "true"))
                        .status());
        AdminHttp.Response finished =
                worker.postFormAsIs("/prolific/finish", Map.of("sessionId", p.sessionId(), "token", p.token()));
        assertEquals(finished.toString(), 303, finished.status());
        String code = URI.create(finished.location()).getQuery().replace("cc=", "");
        prolific.complete(pid, study, code);
    }

    private static int places(ProlificEmulator prolific, String study) {
        return prolific.studies().stream()
                .filter(s -> s.id().equals(study))
                .findFirst()
                .orElseThrow()
                .totalAvailablePlaces();
    }

    private void configureProlific(ProlificEmulator prolific) throws Exception {
        cohort.configure(
                "io.cohort.prolific",
                Map.of(
                        "token", prolific.token(),
                        "workspace", prolific.workspaceId(),
                        "apiUrl", prolific.baseUrl().toString(),
                        "publicUrl", host.url(),
                        "ratePerSecond", 100.0,
                        "retries", 0));
    }

    @Test
    public void badInputIsRefusedNamingTheField() throws Exception {
        Sessions sessions = cohort.service(Sessions.class);
        int sessionsBefore = sessions.list().size();
        admin.get("/admin/campaigns");
        // Each case: one field of a good form changed, and the message the form comes back with.
        String[][] cases = {
            {"batchSize", "0", "batchSize: 0 is not between 1 and 100"},
            {"batchSize", "101", "batchSize: 101 is not between 1 and 100"},
            {"goal", "0", "goal: 0 is not between 1 and 1000000"},
            {"perRound", "0", "perRound: 0 is not between 1 and 1000000"},
            {"reward", "forty cents", "reward: &#39;forty cents&#39; is not an amount in dollars such as 0.50"},
            {"mode", "LIVE", "mode: the mturk provider is in SANDBOX mode, not LIVE; change its configuration first"},
            {"experiment", "no-such-study", "experiment: there is no experiment &#39;no-such-study&#39;"},
            {"codeVersion", "2.0", "codeVersion: the installed campaign-study is version 2.1, not 2.0"},
            {"settings", "{\"roundz\": 3}", "settings: &#39;roundz&#39; is not a setting of campaign-study"}
        };
        for (String[] bad : cases) {
            Map<String, String> form = campaignForm("20", "8", "9");
            form.put(bad[0], bad[1]);
            AdminHttp.Response refused = admin.postForm("/admin/campaigns/create", form);
            assertEquals(200, refused.status());
            assertTrue(refused.body(), refused.body().contains("class=\"error\">" + bad[2]));
            assertTrue(
                    refused.body(),
                    refused.body()
                            .contains("name=\"title\" required maxlength=\"128\""
                                    + " value=\"Answer one question\"")); // the form again, as typed
        }
        assertTrue(admin.get("/admin/campaigns").body().contains("No campaigns yet."));
        assertEquals(sessionsBefore, sessions.list().size());
        assertEquals(0, hits().size());

        // A goal below what is completed already is refused and changes nothing.
        Map<String, String> withSettings = campaignForm("3", "1", "9");
        withSettings.put("settings", "{\"rounds\": 5}");
        withSettings.put("codeVersion", "2.1");
        long id = create(withSettings);
        assertTrue(
                "the campaign's session has the settings it was given",
                cohort.service(Sessions.class)
                        .find(sessionOf(id))
                        .orElseThrow()
                        .settings()
                        .replace(" ", "")
                        .contains("\"rounds\":5"));
        String session = sessionOf(id);
        for (String name : List.of("first", "second")) {
            Participant p = participants().add(session, name, null, "CampaignsPluginIT");
            participants().setStatus(p.id(), ParticipantStatus.COMPLETED, "CampaignsPluginIT");
        }
        assertEquals(
                302,
                admin.postForm("/admin/campaigns/" + id + "/goal", Map.of("goal", "1"))
                        .status());
        String page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(page, page.contains("class=\"error\">goal: 1 is below the 2 participants already completed"));
        assertTrue(page, page.contains("<strong id=\"campaign-goal\">3</strong>"));
        assertEquals(
                302,
                admin.postForm("/admin/campaigns/" + id + "/goal", Map.of("goal", "2"))
                        .status());
        page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(page, page.contains("Goal of campaign " + id + " is now 2."));

        // Cancel: the HIT stops taking workers and the campaign is listed with its outcome.
        assertEquals(
                302,
                admin.postForm("/admin/campaigns/" + id + "/cancel", Map.of()).status());
        page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(page, page.contains("Cancelled campaign " + id + "."));
        assertEquals(0, hits().get(0).numberOfAssignmentsAvailable().intValue());
        String list = admin.get("/admin/campaigns").body();
        assertTrue(list.contains("<td class=\"campaign-state\">cancelled</td>"));
        assertTrue(
                "nothing is in flight once cancelled: " + list,
                list.contains("<td class=\"campaign-in-flight\">0</td>"));
        assertTrue(page, page.contains("<strong id=\"campaign-in-flight\">0</strong>"));
        assertTrue(scheduler().find("campaign-" + id).isEmpty());
        String after = roundWithoutTask(id);
        assertTrue(after, after.contains("is cancelled: nothing to do"));

        // The plugin stopped: its tab is gone, the host goes on.
        Bundle campaigns = plugins.get(1);
        assertTrue(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/campaigns/{id}/goal"));
        campaigns.stop();
        assertFalse(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/campaigns/{id}/goal"));
        assertEquals(404, admin.get("/admin/campaigns").status());
        assertEquals(200, admin.get("/admin/").status());
        assertEquals(200, worker.get("/healthz").status());
    }

    // ---- the tab

    private static Map<String, String> campaignForm(String goal, String perRound, String batchSize) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("experiment", "campaign-study");
        form.put("mode", "SANDBOX");
        form.put("goal", goal);
        form.put("reward", "0.40");
        form.put("durationMinutes", "20");
        form.put("lifetimeHours", "24");
        form.put("perRound", perRound);
        form.put("minutesBetweenRounds", "30");
        form.put("batchSize", batchSize);
        form.put("title", "Answer one question");
        form.put("description", "A one-page study <for testing>.");
        form.put("keywords", "test");
        return form;
    }

    /** Starts it from the tab and returns its id once its first round (run by the scheduler at once) is over. */
    private long create(Map<String, String> form) {
        admin.get("/admin/campaigns");
        AdminHttp.Response created = admin.postForm("/admin/campaigns/create", form);
        assertEquals(created.toString(), 302, created.status());
        long id = Long.parseLong(created.redirectPath().replaceAll(".*/", ""));
        String page = admin.get("/admin/campaigns/" + id).body();
        assertTrue(
                page,
                page.contains("Started campaign " + id + ". Its rounds run every 30 minutes; the first one now."));
        Task task = scheduler().find("campaign-" + id).orElseThrow();
        assertEquals("campaign.round", task.type());
        assertEquals(new Schedule(null, 1800L), task.schedule());
        assertEquals("{\"campaign\": " + id + "}", task.data().replace(" ", "").replace(":", ": "));
        TaskRun first = awaitRuns("campaign-" + id, 1);
        assertEquals(first.message(), "OK", first.outcome());
        return id;
    }

    private String sessionOf(long id) {
        Matcher session = Pattern.compile("id=\"campaign-session\" href=\"/admin/sessions/([^\"]+)\"")
                .matcher(admin.get("/admin/campaigns/" + id).body());
        assertTrue(session.find());
        return session.group(1);
    }

    /** One round, run now by the scheduler; what it did. */
    private String round(long id) {
        String task = "campaign-" + id;
        int before = scheduler().history(task, 1000).size();
        scheduler().runNow(task, "CampaignsPluginIT");
        TaskRun run = awaitRuns(task, before + 1);
        assertEquals(run.message(), "OK", run.outcome());
        return run.message();
    }

    /** A round through the task handler itself, for a campaign that has no task any more. */
    private String roundWithoutTask(long id) throws Exception {
        return cohort.service(TaskHandler.class, "(" + TaskHandler.TYPE + "=campaign.round)")
                .run("campaign-" + id, "{\"campaign\": " + id + "}");
    }

    /** The task's latest run once it has {@code count} runs and the latest has ended. */
    private TaskRun awaitRuns(String task, int count) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        List<TaskRun> runs = scheduler().history(task, 1000);
        while ((runs.size() < count || runs.get(0).ended() == null) && System.currentTimeMillis() < deadline) {
            sleep();
            runs = scheduler().history(task, 1000);
        }
        assertTrue(task + " ran " + runs, runs.size() >= count && runs.get(0).ended() != null);
        return runs.get(0);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Scheduler scheduler() {
        return cohort.service(Scheduler.class);
    }

    // ---- what MTurk holds

    /** The HITs MTurk holds, oldest first. */
    private List<HIT> hits() {
        List<HIT> hits =
                new ArrayList<>(observer.listHITs(r -> r.maxResults(100)).hiTs());
        // A round's HITs may share a creation time: then the larger first, as they are posted.
        hits.sort(
                Comparator.comparing(HIT::creationTime).thenComparing(HIT::maxAssignments, Comparator.reverseOrder()));
        return hits;
    }

    private static List<Integer> sizes(List<HIT> hits) {
        return hits.stream().map(HIT::maxAssignments).toList();
    }

    /** Never more slots open than the goal needs: completed, at work and free together stay within it. */
    private void assertOpenAtMostNeeded(String session, int goal) {
        List<Participant> people = participants().ofSession(session);
        long done = people.stream()
                .filter(p -> p.status() == ParticipantStatus.SUBMITTED)
                .count();
        long working = people.stream()
                .filter(p -> p.status() == ParticipantStatus.STARTED || p.status() == ParticipantStatus.ALLOCATED)
                .count();
        int free = hits().stream().mapToInt(HIT::numberOfAssignmentsAvailable).sum();
        assertTrue(done + " completed, " + working + " working, " + free + " free", done + working + free <= goal);
    }

    // ---- workers

    private String nextWorker() {
        return String.format("AWORKER%04d", ++workers);
    }

    private String lastWorker() {
        return String.format("AWORKER%04d", workers);
    }

    /** A new worker accepts a slot of the HIT and lands on the study's first page. */
    private Participant start(String hitId) {
        String workerId = nextWorker();
        String assignmentId = emulator.accept(hitId, workerId);
        AdminHttp.Response arrived = worker.get("/mturk/start?hitId=" + hitId + "&assignmentId=" + assignmentId
                + "&workerId=" + workerId + "&turkSubmitTo="
                + URLEncoder.encode(emulator.endpoint().toString(), StandardCharsets.UTF_8));
        assertEquals(arrived.toString(), 303, arrived.status());
        List<Participant> taken = participants().ofWorker("mturk", workerId);
        assertEquals(1, taken.size());
        return taken.get(0);
    }

    /** A new worker takes a slot, does the study, submits it through the end page's button and on MTurk. */
    private void complete(String hitId) {
        Participant p = start(hitId);
        String pages = "/p/" + p.sessionId() + "/" + p.token() + "/";
        assertEquals(
                303,
                worker.postFormAsIs(pages, Map.of("_page", "0", "agree", "true"))
                        .status());
        assertEquals(
                200,
                worker.postFormAsIs("/mturk/submit", Map.of("sessionId", p.sessionId(), "token", p.token()))
                        .status());
        emulator.submit(p.assignmentId(), "<answer/>");
    }

    // ---- the framework

    private Participants participants() {
        return cohort.service(Participants.class);
    }
}
