package io.cohort.plugin.resultsimport.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.crowd.CrowdProvider;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.DescribedAnswer;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Both bundles in a running host: the MTurk plugin (its built jar, {@code mturk.jar}) configured to call the
 * testkit's emulator, and this plugin ({@code plugin.jar}). Workers who never came through Cohort submit on the
 * emulator; a results file naming them is loaded and settled over the JSON API, as the console does; what MTurk
 * then holds is read from the emulator.
 */
@RunWith(PaxExam.class)
public class ResultsImportPluginIT {

    private static final long WAIT_MILLIS = 30_000;
    private static final String TOKEN = "results-import-it-token";
    private static final String KEY = CohortHost.MTURK_KEY;
    private static final String SECRET = CohortHost.MTURK_SECRET;
    private static final String QUESTION = "<ExternalQuestion xmlns=\"http://mechanicalturk.amazonaws.com/"
            + "AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd\"><ExternalURL>"
            + "https://lab.example.org/game</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>";

    @Inject
    private BundleContext context;

    private final CohortHost cohort =
            CohortHost.builder().mturk().env("COHORT_API_TOKEN", TOKEN).build().in(() -> context);

    private MTurkEmulator emulator;
    private MTurkClient observer;
    private AdminHttp api;
    private final List<Bundle> plugins = new ArrayList<>();
    /** The qualification type every row of the files loaded is given. */
    private String qualification;

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions(CohortHost.MTURK_SDK_PACKAGES);
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        emulator = cohort.mturkEmulator();
        api = cohort.visitor().bearer(TOKEN);
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
    }

    @After
    public void stop() throws Exception {
        if (observer != null) {
            observer.close();
        }
        cohort.stop();
    }

    @Test
    public void aFileIsSettledOnceThroughTheLedger() throws Exception {
        String hit = observer.createHIT(r -> r.title("A game")
                        .description("Play one game")
                        .reward("0.50")
                        .assignmentDurationInSeconds(3600L)
                        .lifetimeInSeconds(86400L)
                        .maxAssignments(6)
                        .question(QUESTION))
                .hit()
                .hitId();
        List<String> assignments = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            assignments.add(emulator.acceptAndSubmit(hit, "AWORKER" + i, "<answer/>"));
        }
        String file = "id,bonus,WorkerId,AssignmentId,HITId,Approve,Reject,exit,RequesterFeedback,type\n"
                + "p1,1.25,AWORKER1," + assignments.get(0) + "," + hit + ",1,,EXIT1,,player\n"
                + "p2,0.50,AWORKER2," + assignments.get(1) + "," + hit + ",1,,EXIT2,,player\n"
                + "p3,2.00,AWORKER3," + assignments.get(2) + "," + hit + ",1,,EXIT3,,player\n"
                + "p4,0,AWORKER4," + assignments.get(3) + "," + hit + ",,1,EXIT4,\"Answers were random\",player\n"
                + "b1,9.00,ABOT,ABOTASSIGNMENT," + hit + ",1,,EXITB,,bot\n";
        long balance = emulator.availableBalanceCents();
        qualification = observer.createQualificationType(r -> r.name("Played our game")
                        .description("Took part in the game")
                        .qualificationTypeStatus("Active"))
                .qualificationType()
                .qualificationTypeId();

        // Load: the summary as nodegame-mturk shows it; the bot is left out.
        String loaded = load(file, hit);
        long id = idOf(loaded);
        String model = page(id);
        assertTrue(model, model.contains("\"state\":\"LOADED\""));
        assertTrue(model, model.contains("\"problems\":[]"));
        assertTrue(model, model.contains("\"approve\":3,\"reject\":1"));
        assertTrue(model, model.contains("\"qualify\":4"));
        assertTrue(
                model,
                model.contains("\"bonus\":{\"count\":3,\"total\":\"3.75\",\"mean\":\"1.25\",\"std\":\"0.61\","
                        + "\"min\":\"0.50\",\"max\":\"2.00\"}"));
        // A bonus costs its amount and MTurk's 20 % fee: 3.75 + 0.75.
        assertTrue(model, model.contains("\"balanceBefore\":\"" + dollars(balance) + "\""));
        assertTrue(model, model.contains("\"balanceAfter\":\"" + dollars(balance - 450) + "\""));
        assertEquals(4, count(model, "\"workerId\":\"AWORKER"));

        // A dry run asks MTurk nothing and sends nothing.
        long requests = emulator.requestCount();
        AdminHttp.Response dry = api.postForm("/api/results-import/" + id + "/settle", Map.of("dry", "true"));
        assertEquals(dry.toString(), 200, dry.status());
        assertTrue(dry.body(), dry.body().contains("Dry run: every check passed; nothing was sent."));
        assertEquals(requests, emulator.requestCount());
        assertTrue(page(id).contains("\"state\":\"LOADED\""));

        // Settle: approve 3, reject 1, then bonus 3 once approved, then qualify all 4.
        AdminHttp.Response settled = api.postForm("/api/results-import/" + id + "/settle", Map.of());
        assertTrue(settled.body(), settled.body().contains("\"redirect\":\"/admin/results-import/" + id + "\""));
        model = awaitDone(id);
        for (int i = 0; i < 3; i++) {
            assertEquals("Approved", emulator.assignmentStatus(assignments.get(i)));
        }
        assertEquals("Rejected", emulator.assignmentStatus(assignments.get(3)));
        assertEquals("Submitted", emulator.assignmentStatus(assignments.get(4)));
        assertEquals(3, emulator.bonusCount());
        assertEquals(375, emulator.bonusTotalCents());
        assertEquals(1, emulator.bonusCount("AWORKER3"));
        assertEquals(List.of("AWORKER1=1", "AWORKER2=1", "AWORKER3=1", "AWORKER4=1"), qualified());
        // MTurk gives the rejected assignment's reserved reward and fee back (0.50 + 0.10).
        assertEquals(balance - 450 + 60, emulator.availableBalanceCents());
        for (String kind : List.of("APPROVE", "REJECT", "BONUS", "QUALIFY")) {
            assertTrue(model, model.matches("(?s).*\\{\"id\":\\d+,\"kind\":\"" + kind + "\",\"state\":\"DONE\".*"));
        }
        assertTrue(model, model.contains("\"confirmed\":3,\"failed\":0,\"total\":3"));

        // The same file again: nothing is paid twice, and the rows are named as already done.
        long again = idOf(load(file, hit));
        model = page(again);
        assertTrue(model, model.contains("\"state\":\"LOADED\""));
        assertTrue(model, model.contains("\"approve\":0,\"reject\":0"));
        assertTrue(model, model.contains("results.csv line 2 (worker AWORKER1): already approved (CONFIRMED in batch"));
        assertTrue(model, model.contains("results.csv line 5 (worker AWORKER4): already rejected (CONFIRMED in batch"));
        assertTrue(model, model.contains("results.csv line 4 (worker AWORKER3): already bonused (CONFIRMED in batch"));
        assertTrue(
                model, model.contains("results.csv line 5 (worker AWORKER4): already qualified (CONFIRMED in batch"));
        assertTrue(model, model.contains("\"qualify\":0"));
        api.postForm("/api/results-import/" + again + "/settle", Map.of());
        model = awaitDone(again);
        assertTrue(model, model.contains("\"batches\":[]"));
        assertEquals(3, emulator.bonusCount());
        assertEquals(balance - 450 + 60, emulator.availableBalanceCents());
        assertEquals(4, qualified().size());

        // An assignment MTurk no longer takes an approval for is refused, naming the line and worker.
        observer.approveAssignment(r -> r.assignmentId(assignments.get(4)));
        String late = "WorkerId,AssignmentId,Approve,Reject\nAWORKER5," + assignments.get(4) + ",1,\n"
                + "AWORKER9,ANOSUCHASSIGNMENT,,1\n";
        AdminHttp.Response refused = api.postForm("/api/results-import/load", Map.of("file", late, "name", "late.csv"));
        model = refused.body();
        assertTrue(model, model.contains("\"state\":\"REFUSED\""));
        assertTrue(
                model,
                model.contains("late.csv line 2 (worker AWORKER5): assignment " + assignments.get(4)
                        + " is APPROVED; only SUBMITTED assignments can be approved"));
        // What the ledger refuses is named by the file's line too.
        assertTrue(
                model, model.contains("late.csv line 3 (worker AWORKER9): a rejection needs feedback for the worker"));
        assertTrue(
                model,
                model.contains(
                        "late.csv line 3 (worker AWORKER9): assignment ANOSUCHASSIGNMENT is not known" + " to mturk"));

        // A nodeGame game's rooms: the first results file of each, and the room that has none listed.
        AdminHttp admin = cohort.admin();
        Path game = Files.createTempDirectory("results-import-game");
        Path room = Files.createDirectories(game.resolve("data/room000060"));
        Files.createDirectories(game.resolve("data/room000061"));
        Files.writeString(room.resolve("bonus.csv"), "bonus,WorkerId,AssignmentId\n0.30,AGAMER1,AGAMEASSIGNMENT1\n");
        AdminHttp.Response rooms =
                api.postForm("/api/results-import/load", Map.of("game", game.toString(), "rooms", "60-61"));
        assertTrue(
                rooms.body(),
                rooms.body()
                        .contains(
                                "\"rooms\":[{\"room\":\"room000060\",\"file\":\"bonus.csv\"},{\"room\":\"room000061\",\"file\":\"\"}]"));
        assertTrue(
                rooms.body(),
                rooms.body()
                        .contains("room000060/bonus.csv line 2 (worker AGAMER1): assignment"
                                + " AGAMEASSIGNMENT1 is not known to mturk"));
        String html = admin.get("/admin/results-import/" + idOf(rooms.body())).body();
        assertTrue(html, html.contains("<li>room000061: no bonus.csv, results.csv or codes.csv</li>"));

        // The list, newest first.
        String list = api.get("/api/results-import").body();
        int newest = list.indexOf("\"id\":" + idOf(model));
        assertTrue(
                list,
                newest >= 0
                        && newest < list.indexOf("\"id\":" + again)
                        && list.indexOf("\"id\":" + again) < list.indexOf("\"id\":" + id + ","));

        // The admin pages show the same.
        html = admin.get("/admin/results-import/" + id).body();
        assertTrue(html, html.contains("<td id=\"summary-approve\">3</td>"));
        assertTrue(html, html.contains("3: total $3.75, mean\n    $1.25, std $0.61, min $0.50, max $2.00"));
        assertTrue(html, html.contains("<small id=\"import-state\">done</small>"));
        html = admin.get("/admin/results-import/" + again).body();
        assertTrue(
                html, html.contains("<li>results.csv line 3 (worker AWORKER2): already approved (CONFIRMED in batch"));
        html = admin.get("/admin/results-import").body();
        assertTrue(html, html.contains("<td class=\"import-state\">refused</td>"));
        assertTrue(html, html.contains("name=\"_csrf\""));
        assertTrue(html, html.contains("<input type=\"file\" id=\"results-file\""));
        // The chosen file is read into the form by the plugin's own script (no inline script under the CSP).
        AdminHttp.Response script = admin.get("/static/plugins/io.cohort.plugin.resultsimport/results-import.js");
        assertEquals(200, script.status());
        assertTrue(script.body(), script.body().contains("reader.readAsText(file)"));

        // Stopped while it runs: started again, it finishes what was left and pays nothing twice.
        String second = observer.createHIT(r -> r.title("Another game")
                        .description("Play one game")
                        .reward("0.50")
                        .assignmentDurationInSeconds(3600L)
                        .lifetimeInSeconds(86400L)
                        .maxAssignments(3)
                        .question(QUESTION))
                .hit()
                .hitId();
        StringBuilder more = new StringBuilder("bonus,WorkerId,AssignmentId,HITId,Approve,Reject\n");
        List<String> later = new ArrayList<>();
        for (int i = 6; i <= 8; i++) {
            String assignment = emulator.acceptAndSubmit(second, "AWORKER" + i, "<answer/>");
            later.add(assignment);
            more.append("0.40,AWORKER")
                    .append(i)
                    .append(',')
                    .append(assignment)
                    .append(',')
                    .append(second)
                    .append(",1,\n");
        }
        long cut = idOf(load(more.toString(), second));
        emulator.latency(Duration.ofMillis(150));
        api.postForm("/api/results-import/" + cut + "/settle", Map.of());
        Bundle plugin = plugins.get(1);
        plugin.stop();
        assertTrue(emulator.bonusCount() < 6);
        plugin.start();
        model = awaitDone(cut);
        emulator.latency(Duration.ZERO);
        for (String assignment : later) {
            assertEquals("Approved", emulator.assignmentStatus(assignment));
            assertEquals(Integer.valueOf(1), emulator.bonusesPerAssignment().get(assignment));
        }
        assertEquals(6, emulator.bonusCount());

        // An approval MTurk refuses at settle time (rejected there since the load): its bonus is not sent.
        String third = observer.createHIT(r -> r.title("A third game")
                        .description("Play one game")
                        .reward("0.50")
                        .assignmentDurationInSeconds(3600L)
                        .lifetimeInSeconds(86400L)
                        .maxAssignments(2)
                        .question(QUESTION))
                .hit()
                .hitId();
        String kept = emulator.acceptAndSubmit(third, "AWORKER10", "<answer/>");
        String turned = emulator.acceptAndSubmit(third, "AWORKER11", "<answer/>");
        long gated = idOf(load(
                "bonus,WorkerId,AssignmentId,HITId,Approve,Reject\n0.25,AWORKER10," + kept + "," + third + ",1,\n"
                        + "0.35,AWORKER11," + turned + "," + third + ",1,\n",
                third));
        observer.rejectAssignment(r -> r.assignmentId(turned).requesterFeedback("Rejected by hand"));
        int bonusesBefore = emulator.bonusCount();
        api.postForm("/api/results-import/" + gated + "/settle", Map.of());
        model = awaitDone(gated);
        assertTrue(
                model,
                model.contains("results.csv line 3 (worker AWORKER11): not bonused: its approval is FAILED"
                        + " in the ledger"));
        assertEquals(bonusesBefore + 1, emulator.bonusCount());
        assertEquals(Integer.valueOf(1), emulator.bonusesPerAssignment().get(kept));
        assertEquals(null, emulator.bonusesPerAssignment().get(turned));

        // Its JSON twins are the described ones, while it runs and only then.
        String description = api.get("/api/openapi.json").body();
        assertEquals(
                List.of(),
                DescribedAnswer.problems(
                        description,
                        "GET",
                        "/results-import/{id}",
                        api.get("/api/results-import/" + gated).body()));
        assertEquals(
                List.of(),
                DescribedAnswer.problems(
                        description,
                        "GET",
                        "/results-import",
                        api.get("/api/results-import").body()));
        assertTrue(DescribedAnswer.describes(description, "/results-import/{id}/settle"));

        // The plugin stopped: its page is gone, the host goes on.
        plugins.get(1).stop();
        assertEquals(404, api.get("/api/results-import").status());
        assertFalse(DescribedAnswer.describes(api.get("/api/openapi.json").body(), "/results-import/load"));
        assertEquals(200, cohort.admin().get("/admin/").status());
        assertEquals(200, cohort.visitor().get("/healthz").status());
    }

    private String load(String file, String hit) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("file", file);
        form.put("name", "results.csv");
        form.put("hit", hit);
        form.put("reason", "Thank you for playing");
        form.put("qualification", qualification);
        form.put("value", "1");
        AdminHttp.Response loaded = api.postForm("/api/results-import/load", form);
        assertEquals(loaded.toString(), 200, loaded.status());
        assertTrue(loaded.body(), loaded.body().contains("\"redirect\":\"/admin/results-import/"));
        return loaded.body();
    }

    /** The workers holding the qualification on MTurk, with their scores, sorted. */
    private List<String> qualified() {
        return observer
                .listWorkersWithQualificationType(
                        r -> r.qualificationTypeId(qualification).maxResults(100))
                .qualifications()
                .stream()
                .map(q -> q.workerId() + "=" + q.integerValue())
                .sorted()
                .toList();
    }

    private static long idOf(String answer) {
        Matcher m = Pattern.compile("\"page\":\\{\"id\":(\\d+)").matcher(answer);
        assertTrue(answer, m.find());
        return Long.parseLong(m.group(1));
    }

    private String page(long id) {
        AdminHttp.Response r = api.get("/api/results-import/" + id);
        assertEquals(r.toString(), 200, r.status());
        return r.body();
    }

    private String awaitDone(long id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        String model = page(id);
        // The import's own state (its batches have one too).
        while (!model.contains("\"state\":\"DONE\",\"created\"") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            model = page(id);
        }
        assertTrue(model, model.contains("\"state\":\"DONE\",\"created\""));
        return model;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String dollars(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
