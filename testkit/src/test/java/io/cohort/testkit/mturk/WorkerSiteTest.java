package io.cohort.testkit.mturk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.mturk.model.Assignment;
import software.amazon.awssdk.services.mturk.model.AssignmentStatus;
import software.amazon.awssdk.services.mturk.model.Comparator;
import software.amazon.awssdk.services.mturk.model.HIT;

/** The worker site driven over plain HTTP (redirects not followed), its effects checked through the SDK. */
class WorkerSiteTest extends EmulatorThroughSdk {
    private static final String EXTERNAL = "https://lab.example.org/mturk/start?study=7";
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path, String workerId) throws Exception {
        return send(HttpRequest.newBuilder(emulator.endpoint().resolve(path)).GET(), workerId);
    }

    private HttpResponse<String> post(String path, String workerId, String form) throws Exception {
        return send(
                HttpRequest.newBuilder(emulator.endpoint().resolve(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)),
                workerId);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String workerId) throws Exception {
        if (workerId != null) request.header("Cookie", "workerId=" + workerId);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElse("(no Location)");
    }

    /** Accepts over HTTP and returns the assignment ID from the redirect. */
    private String acceptOverHttp(String hitId, String workerId) throws Exception {
        HttpResponse<String> accepted = post("/worker/hits/" + hitId + "/accept", workerId, "");
        assertEquals(303, accepted.statusCode(), accepted.body());
        Matcher m = Pattern.compile("[?&]assignmentId=([A-Z0-9]+)").matcher(location(accepted));
        assertTrue(m.find(), location(accepted));
        return m.group(1);
    }

    @Test
    void signInListsHitsWithPreviewAndAcceptAndEscapesTitles() throws Exception {
        HIT hit = createHit("1.25", 3, b -> b.title("Choices <b>& bets</b>"));
        HttpResponse<String> signIn = post("/worker/signin", null, "workerId=AWORKERONE");
        assertEquals(303, signIn.statusCode());
        assertEquals("/worker/", location(signIn));
        assertTrue(
                signIn.headers().firstValue("Set-Cookie").orElse("").startsWith("workerId=AWORKERONE;"),
                signIn.headers().toString());

        HttpResponse<String> home = get("/worker/", "AWORKERONE");
        assertEquals(200, home.statusCode());
        assertTrue(home.body().contains("Choices &lt;b&gt;&amp; bets&lt;/b&gt;"), home.body());
        assertFalse(home.body().contains("<b>&"), "the title is escaped");
        assertTrue(home.body().contains("$1.25</td><td>3</td>"), home.body());
        assertTrue(home.body().contains("href=\"/worker/hits/" + hit.hitId() + "\""), home.body());
        assertTrue(home.body().contains("action=\"/worker/hits/" + hit.hitId() + "/accept\""), home.body());

        HttpResponse<String> badId = post("/worker/signin", null, "workerId=bob");
        assertEquals(400, badId.statusCode());
        assertTrue(badId.body().contains("WorkerId &#39;bob&#39;"), badId.body());
        assertFalse(get("/worker/", null).body().contains(hit.hitId()), "nothing listed before sign-in");
    }

    @Test
    void previewRedirectsToTheExternalUrlWithoutAnAssignment() throws Exception {
        HIT hit = createHit("1.00", 1);
        HttpResponse<String> preview = get("/worker/hits/" + hit.hitId(), null);
        assertEquals(303, preview.statusCode());
        assertEquals(EXTERNAL + "&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=" + hit.hitId(), location(preview));
        assertEquals(0, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsPending());
        assertEquals(404, get("/worker/hits/NOSUCHHIT", null).statusCode());
        assertEquals(
                "https://lab.example.org/go?assignmentId=A%2FB&hitId=H1",
                WorkerSite.withParameters("https://lab.example.org/go", "assignmentId", "A/B", "hitId", "H1"),
                "no query yet: '?', values encoded");
    }

    @Test
    void acceptRedirectsWithTheAssignmentAndSubmitStoresTheAnswers() throws Exception {
        HIT hit = createHit("1.00", 2);
        HttpResponse<String> accepted = post("/worker/hits/" + hit.hitId() + "/accept", "AWORKERONE", "");
        assertEquals(303, accepted.statusCode(), accepted.body());
        Matcher m = Pattern.compile("^" + Pattern.quote(EXTERNAL) + "&assignmentId=([A-Z0-9]+)&hitId=" + hit.hitId()
                        + "&workerId=AWORKERONE&turkSubmitTo="
                        + Pattern.quote(URLEncoder.encode(emulator.endpoint().toString(), StandardCharsets.UTF_8))
                        + "$")
                .matcher(location(accepted));
        assertTrue(m.matches(), location(accepted));
        String assignmentId = m.group(1);
        assertEquals("Accepted", emulator.assignmentStatus(assignmentId));
        assertEquals(1, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsPending());
        assertTrue(get("/worker/", "AWORKERONE")
                .body()
                .contains("action=\"/worker/assignments/" + assignmentId + "/return\""));

        HttpResponse<String> twice = post("/worker/hits/" + hit.hitId() + "/accept", "AWORKERONE", "");
        assertEquals(409, twice.statusCode());
        assertTrue(twice.body().contains("already has an assignment"), twice.body());

        HttpResponse<String> submitted = post(
                "/mturk/externalSubmit",
                null,
                "assignmentId=" + assignmentId + "&choice=cooperate&comment="
                        + URLEncoder.encode("fine <really> & quick", StandardCharsets.UTF_8));
        assertEquals(200, submitted.statusCode(), submitted.body());
        assertTrue(submitted.body().contains("submitted"), submitted.body());
        Assignment a = mturk.getAssignment(r -> r.assignmentId(m.group(1))).assignment();
        assertEquals(AssignmentStatus.SUBMITTED, a.assignmentStatus());
        assertEquals("AWORKERONE", a.workerId());
        assertTrue(
                a.answer()
                        .contains(
                                "<Answer><QuestionIdentifier>choice</QuestionIdentifier><FreeText>cooperate</FreeText></Answer>"),
                a.answer());
        assertTrue(a.answer().contains("<FreeText>fine &lt;really&gt; &amp; quick</FreeText>"), a.answer());
        assertTrue(
                a.answer()
                        .contains(
                                "QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd\""),
                a.answer());

        // GET works too, with the query as the fields.
        String second = acceptOverHttp(hit.hitId(), "AWORKERTWO");
        assertEquals(
                200,
                get("/mturk/externalSubmit?assignmentId=" + second + "&done=1", null)
                        .statusCode());
        assertTrue(mturk.getAssignment(r -> r.assignmentId(second))
                .assignment()
                .answer()
                .contains("<QuestionIdentifier>done</QuestionIdentifier><FreeText>1</FreeText>"));
    }

    @Test
    void submitWithoutAnswersOrForAnUnknownAssignmentIsRefused() throws Exception {
        HIT hit = createHit("1.00", 1);
        String assignmentId = acceptOverHttp(hit.hitId(), "AWORKERONE");

        HttpResponse<String> onlyId = post("/mturk/externalSubmit", null, "assignmentId=" + assignmentId);
        assertEquals(400, onlyId.statusCode());
        assertTrue(onlyId.body().contains("at least one answer field"), onlyId.body());
        HttpResponse<String> noId = post("/mturk/externalSubmit", null, "choice=x");
        assertEquals(400, noId.statusCode());
        assertTrue(noId.body().contains("assignmentId is missing"), noId.body());
        HttpResponse<String> unknown = post("/mturk/externalSubmit", null, "assignmentId=NOSUCHASSIGNMENT&choice=x");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().contains("NOSUCHASSIGNMENT"), unknown.body());
        assertEquals("Accepted", emulator.assignmentStatus(assignmentId), "refused submits changed nothing");
    }

    @Test
    void refusalsNameTheReasonAndTakeNoSlot() throws Exception {
        String pilot = mturk.createQualificationType(
                        r -> r.name("Pilot").description("x").qualificationTypeStatus("Active"))
                .qualificationType()
                .qualificationTypeId();
        HIT hit = createHit(
                "1.00",
                1,
                b -> b.qualificationRequirements(
                        q -> q.qualificationTypeId(pilot).comparator(Comparator.EXISTS)));
        HttpResponse<String> unqualified = post("/worker/hits/" + hit.hitId() + "/accept", "ASTRANGER", "");
        assertEquals(403, unqualified.statusCode());
        assertTrue(
                unqualified.body().contains("does not meet the qualification requirement Pilot"), unqualified.body());

        mturk.createWorkerBlock(r -> r.workerId("ABLOCKED").reason("Bot answers"));
        mturk.associateQualificationWithWorker(r -> r.qualificationTypeId(pilot).workerId("ABLOCKED"));
        HttpResponse<String> blocked = post("/worker/hits/" + hit.hitId() + "/accept", "ABLOCKED", "");
        assertEquals(403, blocked.statusCode());
        assertTrue(blocked.body().contains("blocked"), blocked.body());

        HttpResponse<String> anonymous = post("/worker/hits/" + hit.hitId() + "/accept", null, "");
        assertEquals(403, anonymous.statusCode());
        assertTrue(anonymous.body().contains("Sign in"), anonymous.body());

        mturk.associateQualificationWithWorker(r -> r.qualificationTypeId(pilot).workerId("AFIRST"));
        mturk.associateQualificationWithWorker(r -> r.qualificationTypeId(pilot).workerId("ASECOND"));
        acceptOverHttp(hit.hitId(), "AFIRST");
        HttpResponse<String> full = post("/worker/hits/" + hit.hitId() + "/accept", "ASECOND", "");
        assertEquals(409, full.statusCode());
        assertTrue(full.body().contains("Unassignable"), full.body());
        assertEquals(1, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsPending());
    }

    @Test
    void actionsGuardedHideOrCloseThePreview() throws Exception {
        HIT germansOnly = createHit(
                "1.00",
                1,
                b -> b.title("Nur Deutschland")
                        .qualificationRequirements(q -> q.qualificationTypeId("00000000000000000071")
                                .comparator(Comparator.EQUAL_TO)
                                .localeValues(l -> l.country("DE"))
                                .actionsGuarded("PreviewAndAccept")));
        HIT hidden = createHit(
                "1.00",
                1,
                b -> b.title("Experienced only")
                        .qualificationRequirements(q -> q.qualificationTypeId("00000000000000000040")
                                .comparator(Comparator.GREATER_THAN)
                                .integerValues(5000)
                                .actionsGuarded("DiscoverPreviewAndAccept")));
        HIT acceptGuarded = createHit(
                "1.00",
                1,
                b -> b.title("Open preview")
                        .qualificationRequirements(q -> q.qualificationTypeId("00000000000000000071")
                                .comparator(Comparator.EQUAL_TO)
                                .localeValues(l -> l.country("DE"))));
        mturk.createWorkerBlock(r -> r.workerId("ABLOCKED").reason("spam"));

        String home = get("/worker/", "AUSWORKER").body();
        assertTrue(home.contains(germansOnly.hitId()) && home.contains(acceptGuarded.hitId()), home);
        assertFalse(home.contains(hidden.hitId()), "DiscoverPreviewAndAccept hides the HIT");
        assertEquals(
                403, get("/worker/hits/" + germansOnly.hitId(), "AUSWORKER").statusCode());
        assertEquals(
                303, get("/worker/hits/" + acceptGuarded.hitId(), "AUSWORKER").statusCode(), "only Accept is guarded");
        assertEquals(
                403,
                post("/worker/hits/" + acceptGuarded.hitId() + "/accept", "AUSWORKER", "")
                        .statusCode());
        emulator.worker("AGERMAN").locale("DE");
        assertEquals(303, get("/worker/hits/" + germansOnly.hitId(), "AGERMAN").statusCode());
        assertFalse(
                get("/worker/", "ABLOCKED").body().contains(germansOnly.hitId()),
                "a blocked worker sees none of the HITs");
    }

    @Test
    void returnAndAbandonmentFreeTheSlot() throws Exception {
        HIT hit = createHit("1.00", 1);
        String first = acceptOverHttp(hit.hitId(), "AFIRST");
        assertEquals(
                409,
                post("/worker/assignments/" + first + "/return", "ASOMEONEELSE", "")
                        .statusCode());
        HttpResponse<String> returned = post("/worker/assignments/" + first + "/return", "AFIRST", "");
        assertEquals(303, returned.statusCode());
        assertEquals("Returned", emulator.assignmentStatus(first));
        assertEquals(1, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsAvailable());
        assertFalse(get("/worker/", "AFIRST").body().contains(first), "no longer among the worker's assignments");

        String second = acceptOverHttp(hit.hitId(), "ASECOND");
        emulator.advanceClock(Duration.ofSeconds(3601));
        assertEquals("Abandoned", emulator.assignmentStatus(second));
        HttpResponse<String> late = post("/mturk/externalSubmit", null, "assignmentId=" + second + "&choice=x");
        assertEquals(400, late.statusCode());
        assertTrue(late.body().contains("Abandoned"), late.body());
        assertTrue(get("/worker/", "ATHIRD").body().contains(hit.hitId()), "the freed slot is offered again");
    }

    @Test
    void aHitWithoutExternalQuestionIsNotOfferedForAccept() throws Exception {
        HIT hit = createHit("1.00", 1, b -> b.question("<HTMLQuestion>...</HTMLQuestion>"));
        HttpResponse<String> accept = post("/worker/hits/" + hit.hitId() + "/accept", "AWORKER", "");
        assertEquals(400, accept.statusCode());
        assertTrue(accept.body().contains("no ExternalQuestion"), accept.body());
        assertEquals(0, mturk.getHIT(r -> r.hitId(hit.hitId())).hit().numberOfAssignmentsPending());
        assertEquals(
                URI.create("http://127.0.0.1:" + emulator.endpoint().getPort() + "/worker/"), emulator.workerSite());
    }
}
