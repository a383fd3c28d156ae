package io.cohort.testkit.prolific;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator over real HTTP, as the Prolific provider will call it (docs/prolific-api.md). */
class ProlificEmulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REJECTION = "Your answers to the attention checks were missing, so we cannot use this"
            + " submission; we are sorry and thank you for your time.";

    private final HttpClient http = HttpClient.newHttpClient();
    private ProlificEmulator prolific;

    @BeforeEach
    void start() throws Exception {
        prolific = ProlificEmulator.start().token("lab-token");
    }

    @AfterEach
    void stop() {
        prolific.close();
    }

    private HttpResponse<String> call(String method, String path, Object body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(prolific.baseUrl().resolve(path));
        if (authorization != null) b.header("Authorization", authorization);
        String text = body == null ? "" : JSON.writeValueAsString(body);
        b.header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, Object body) throws Exception {
        return call(method, path, body, "Token lab-token");
    }

    /** The JSON answer, after checking the status. */
    private JsonNode expect(int status, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static ObjectNode object(Object... namesAndValues) {
        ObjectNode out = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2)
            out.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
        return out;
    }

    private static ObjectNode code(String code, String type, String action) {
        ObjectNode c = object("code", code, "code_type", type);
        c.putArray("actions").addObject().put("action", action);
        return c;
    }

    private ObjectNode studyBody(int places, int reward, ObjectNode... codes) {
        ObjectNode s = object(
                "name",
                "Memory game",
                "internal_name",
                "memory-1",
                "description",
                "Remember the cards.",
                "external_study_url",
                "https://lab.example.org/start?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}"
                        + "&SESSION_ID={{%SESSION_ID%}}",
                "prolific_id_option",
                "url_parameters",
                "total_available_places",
                places,
                "estimated_completion_time",
                10,
                "reward",
                reward);
        var list = s.putArray("completion_codes");
        if (codes.length == 0) list.add(code("DONE1", "COMPLETED", "MANUALLY_REVIEW"));
        for (ObjectNode c : codes) list.add(c);
        return s;
    }

    private String createStudy(ObjectNode body) throws Exception {
        return expect(201, call("POST", "/api/v1/studies/", body)).get("id").asText();
    }

    private JsonNode transition(String studyId, String action, int status) throws Exception {
        return expect(status, call("POST", "/api/v1/studies/" + studyId + "/transition/", object("action", action)));
    }

    private JsonNode balance() throws Exception {
        return expect(200, call("GET", "/api/v1/workspaces/" + prolific.workspaceId() + "/balance/", null));
    }

    private String submissionIdOf(String studyId, String pid) {
        return prolific.submissions(studyId).stream()
                .filter(s -> s.participantId().equals(pid))
                .findFirst()
                .orElseThrow()
                .id();
    }

    private JsonNode submissionTransition(String submissionId, ObjectNode body, int status) throws Exception {
        return expect(status, call("POST", "/api/v1/submissions/" + submissionId + "/transition/", body));
    }

    private static ObjectNode reject(String message, String category) {
        return object("action", "REJECT", "message", message, "rejection_category", category);
    }

    @Test
    void theTokenIsRequiredAndAWrongOneIsRefusedInProlificsErrorShape() throws Exception {
        JsonNode missing = expect(401, call("GET", "/api/v1/users/me/", null, null));
        assertEquals(401, missing.at("/error/status").asInt());
        assertEquals(
                "Authentication credentials were not provided.",
                missing.at("/error/detail").asText());

        JsonNode wrong = expect(401, call("GET", "/api/v1/users/me/", null, "Token someone-else"));
        assertEquals("Invalid token.", wrong.at("/error/detail").asText());
        assertEquals("Unauthorized", wrong.at("/error/title").asText());

        JsonNode me = expect(200, call("GET", "/api/v1/users/me/", null));
        assertEquals("researcher", me.get("user_type").asText());
        assertEquals("GBP", me.get("currency_code").asText());
        assertEquals(1_000_000, me.get("balance").asLong());
    }

    @Test
    void aStudyGoesThroughItsLifecycleAndRefusesTransitionsItsStatusDoesNotAllow() throws Exception {
        JsonNode created = expect(201, call("POST", "/api/v1/studies/", studyBody(4, 150)));
        String id = created.get("id").asText();
        assertEquals("UNPUBLISHED", created.get("status").asText());
        assertEquals(0, created.get("places_taken").asInt());
        assertEquals(800, created.get("total_cost").asLong()); // 4 × (150 + 50 fee)
        assertEquals(22, created.get("maximum_allowed_time").asInt()); // 10 × 2 + 2
        assertEquals(prolific.projectId(), created.get("project").asText());

        JsonNode refused = transition(id, "PAUSE", 400);
        assertEquals(
                "Cannot PAUSE a study that is UNPUBLISHED.",
                refused.at("/error/detail").asText());
        assertEquals(
                "\"LAUNCH\" is not a valid choice.",
                transition(id, "LAUNCH", 400).at("/error/detail/action/0").asText());

        JsonNode renamed =
                expect(200, call("PATCH", "/api/v1/studies/" + id + "/", object("internal_name", "memory-2")));
        assertEquals("memory-2", renamed.get("internal_name").asText());

        assertEquals("ACTIVE", transition(id, "PUBLISH", 200).get("status").asText());
        assertEquals(1_000_000 - 800, balance().get("available_balance").asLong());
        assertEquals(1_000_000, balance().get("total_balance").asLong());
        assertEquals(
                "Cannot PUBLISH a study that is ACTIVE.",
                transition(id, "PUBLISH", 400).at("/error/detail").asText());
        assertEquals(
                "Cannot START a study that is ACTIVE.",
                transition(id, "START", 400).at("/error/detail").asText());

        assertEquals("PAUSED", transition(id, "PAUSE", 200).get("status").asText());
        assertEquals("ACTIVE", transition(id, "START", 200).get("status").asText());

        JsonNode more = expect(200, call("PATCH", "/api/v1/studies/" + id + "/", object("total_available_places", 6)));
        assertEquals(6, more.get("total_available_places").asInt());
        assertEquals(1_000_000 - 1_200, balance().get("available_balance").asLong());
        expect(400, call("PATCH", "/api/v1/studies/" + id + "/", object("total_available_places", 5)));
        JsonNode otherField = expect(400, call("PATCH", "/api/v1/studies/" + id + "/", object("reward", 300)));
        assertEquals(
                "Only total_available_places can be changed once a study is published.",
                otherField.at("/error/detail/reward/0").asText());

        JsonNode stopped = transition(id, "STOP", 200);
        assertEquals("COMPLETED", stopped.get("status").asText()); // nothing to review
        assertEquals(1_000_000, balance().get("available_balance").asLong(), "the reservation is released");
        assertEquals(
                "Cannot STOP a study that is COMPLETED.",
                transition(id, "STOP", 400).at("/error/detail").asText());

        JsonNode listed = expect(200, call("GET", "/api/v1/studies/?state=completed", null));
        assertEquals(1, listed.at("/meta/count").asInt());
        assertEquals(id, listed.at("/results/0/id").asText());
        assertEquals(
                id,
                expect(200, call("GET", "/api/v1/projects/" + prolific.projectId() + "/studies/", null))
                        .at("/results/0/id")
                        .asText());
        expect(404, call("GET", "/api/v1/studies/000000000000000000000000/", null));
    }

    @Test
    void creatingAStudyChecksItsFields() throws Exception {
        ObjectNode noReward = studyBody(2, 100);
        noReward.remove("reward");
        assertEquals(
                "This field is required.",
                expect(400, call("POST", "/api/v1/studies/", noReward))
                        .at("/error/detail/reward/0")
                        .asText());
        ObjectNode noPid = studyBody(2, 100).put("external_study_url", "https://lab.example.org/start");
        assertEquals(
                "With prolific_id_option url_parameters the URL must contain {{%PROLIFIC_PID%}}.",
                expect(400, call("POST", "/api/v1/studies/", noPid))
                        .at("/error/detail/external_study_url/0")
                        .asText());
        ObjectNode both = code("X1", "COMPLETED", "MANUALLY_REVIEW");
        ((com.fasterxml.jackson.databind.node.ArrayNode) both.get("actions"))
                .addObject()
                .put("action", "AUTOMATICALLY_APPROVE");
        expect(400, call("POST", "/api/v1/studies/", studyBody(2, 100, both)));
    }

    @Test
    void aParticipantTakesReturnsAndCompletesThroughTheParticipantSite() throws Exception {
        String id = createStudy(studyBody(
                2,
                150,
                code("DONE1", "COMPLETED", "MANUALLY_REVIEW"),
                code("AUTO1", "COMPLETED", "AUTOMATICALLY_APPROVE"),
                code("SCREEN1", "OTHER", "MANUALLY_REVIEW")));
        transition(id, "PUBLISH", 200);

        HttpResponse<String> list = http.send(
                HttpRequest.newBuilder(prolific.participantSite().resolve("?pid=p1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(list.body().contains("Memory game"), list.body());

        HttpResponse<String> taken = takeOnSite("p1", id);
        assertEquals(302, taken.statusCode());
        String session = submissionIdOf(id, "p1");
        assertEquals(
                "https://lab.example.org/start?PROLIFIC_PID=p1&STUDY_ID=" + id + "&SESSION_ID=" + session,
                taken.headers().firstValue("Location").orElseThrow());
        String cookie = taken.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        assertEquals("prolific_pid=p1", cookie);
        assertEquals(400, takeOnSite("p1", id).statusCode(), "one submission per participant per study");

        // p2 takes the second place and gives it back: the place frees for p3.
        takeOnSite("p2", id);
        assertEquals(400, takeOnSite("p3", id).statusCode(), "both places taken");
        HttpResponse<String> returned = http.send(
                HttpRequest.newBuilder(prolific.baseUrl().resolve("/participant/return"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("pid=p2&study_id=" + id))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, returned.statusCode());
        assertEquals("RETURNED", prolific.submissionStatus(submissionIdOf(id, "p2")));
        assertEquals(302, takeOnSite("p3", id).statusCode());

        HttpResponse<String> completed = http.send(
                HttpRequest.newBuilder(prolific.completionUrl("DONE1"))
                        .header("Cookie", cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, completed.statusCode(), completed.body());
        assertTrue(completed.body().contains("is now <b>AWAITING REVIEW</b>"), completed.body());
        JsonNode p1 = expect(200, call("GET", "/api/v1/submissions/" + session + "/", null));
        assertEquals("AWAITING REVIEW", p1.get("status").asText());
        assertEquals("DONE1", p1.get("entered_code").asText());
        assertEquals(150, p1.get("reward").asLong());

        // An automatically approved code pays at once: reward and fee leave the total, not the available balance.
        long available = prolific.availableBalanceCents();
        assertEquals("APPROVED", prolific.complete("p3", id, "AUTO1").status());
        assertEquals(1_000_000 - 200, prolific.totalBalanceCents());
        assertEquals(available, prolific.availableBalanceCents());

        JsonNode listed = expect(200, call("GET", "/api/v1/studies/" + id + "/submissions/?status=RETURNED", null));
        assertEquals(1, listed.at("/meta/count").asInt());
        assertEquals("p2", listed.at("/results/0/participant_id").asText());
        assertEquals(
                "AWAITING REVIEW",
                expect(200, call("GET", "/api/v1/studies/" + id + "/", null))
                        .get("status")
                        .asText());
    }

    private HttpResponse<String> takeOnSite(String pid, String studyId) throws Exception {
        return http.send(
                HttpRequest.newBuilder(prolific.baseUrl().resolve("/participant/take"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "pid=" + pid + "&study_id=" + URLEncoder.encode(studyId, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void approvalAndRejectionOnlyFromAwaitingReviewAndRejectionNeedsMessageAndCategory() throws Exception {
        String id = createStudy(studyBody(3, 150));
        transition(id, "PUBLISH", 200);
        prolific.takeStudy("a1", id);
        prolific.takeStudy("a2", id);
        String first = submissionIdOf(id, "a1");
        String second = submissionIdOf(id, "a2");

        assertEquals(
                "Cannot APPROVE a submission that is ACTIVE.",
                submissionTransition(first, object("action", "APPROVE"), 400)
                        .at("/error/detail")
                        .asText());
        prolific.complete("a1", id, "DONE1");
        prolific.complete("a2", id, "DONE1");

        assertTrue(submissionTransition(second, reject("Too short.", "LOW_EFFORT"), 400)
                .at("/error/detail/message/0")
                .asText()
                .startsWith("Ensure this field has at least 100 characters"));
        assertEquals(
                "\"BORING\" is not a valid choice.",
                submissionTransition(second, reject(REJECTION, "BORING"), 400)
                        .at("/error/detail/rejection_category/0")
                        .asText());
        assertEquals(
                "This field is required.",
                submissionTransition(second, object("action", "REJECT", "message", REJECTION), 400)
                        .at("/error/detail/rejection_category/0")
                        .asText());
        assertEquals(
                "REJECTED",
                submissionTransition(second, reject(REJECTION, "FAILED_CHECK"), 200)
                        .get("status")
                        .asText());

        long total = prolific.totalBalanceCents();
        assertEquals(
                "APPROVED",
                submissionTransition(first, object("action", "APPROVE"), 200)
                        .get("status")
                        .asText());
        assertEquals(total - 200, prolific.totalBalanceCents());
        submissionTransition(first, object("action", "APPROVE"), 200); // idempotent: ignored
        assertEquals(total - 200, prolific.totalBalanceCents(), "approving twice charges once");
        assertEquals(
                "Cannot REJECT a submission that is APPROVED.",
                submissionTransition(first, reject(REJECTION, "OTHER"), 400)
                        .at("/error/detail")
                        .asText());
        assertEquals(
                "Cannot APPROVE a submission that is REJECTED.",
                submissionTransition(second, object("action", "APPROVE"), 400)
                        .at("/error/detail")
                        .asText());
    }

    @Test
    void aBonusSetUpIsCheckedLineByLineAndPayingItTwicePaysTwice() throws Exception {
        String id = createStudy(studyBody(3, 150));
        transition(id, "PUBLISH", 200);
        prolific.takeStudy("b1", id);
        prolific.takeStudy("b2", id);
        prolific.complete("b1", id, "DONE1");
        String b2 = submissionIdOf(id, "b2");

        JsonNode unknown = expect(
                400,
                call(
                        "POST",
                        "/api/v1/submissions/bonus-payments/",
                        object("study_id", id, "csv_bonuses", "b1,1.00\nnobody,2.00\n")));
        assertEquals(
                "Line 2 (\"nobody,2.00\"): nobody has not taken part in study " + id + ".",
                unknown.at("/error/detail").asText());
        JsonNode badAmount = expect(
                400,
                call("POST", "/api/v1/submissions/bonus-payments/", object("study_id", id, "csv_bonuses", "b1,1.5.0")));
        assertEquals(
                "Line 1 (\"b1,1.5.0\"): the amount is not a number such as 4.25.",
                badAmount.at("/error/detail").asText());
        JsonNode twice = expect(
                400,
                call(
                        "POST",
                        "/api/v1/submissions/bonus-payments/",
                        object("study_id", id, "csv_bonuses", "b2,1.00\n" + b2 + ",1.00")));
        assertEquals(
                "Line 2 (\"" + b2 + ",1.00\"): participant b2 is already on line 1.",
                twice.at("/error/detail").asText());

        // One line by participant id, one by submission id; amounts in pounds.
        JsonNode setUp = expect(
                201,
                call(
                        "POST",
                        "/api/v1/submissions/bonus-payments/",
                        object("study_id", id, "csv_bonuses", "b1,4.25\n" + b2 + ",1\n")));
        String setUpId = setUp.get("id").asText();
        assertEquals(id, setUp.get("study").asText());
        assertEquals(525, setUp.get("amount").asLong());
        assertEquals(175, setUp.get("fees").asLong()); // 525 × 33.33 % = 174.98
        assertEquals(0, setUp.get("vat").asLong());
        assertEquals(700, setUp.get("total_amount").asLong());
        assertEquals(List.of(), prolific.bonusesPaid("b1"), "setting up pays nothing");

        long total = prolific.totalBalanceCents();
        long available = prolific.availableBalanceCents();
        expect(202, call("POST", "/api/v1/bulk-bonus-payments/" + setUpId + "/pay/", null));
        assertEquals(total - 700, prolific.totalBalanceCents());
        assertEquals(available - 700, prolific.availableBalanceCents());
        expect(202, call("POST", "/api/v1/bulk-bonus-payments/" + setUpId + "/pay/", null));
        assertEquals(total - 1_400, prolific.totalBalanceCents(), "not idempotent: the second call pays again");
        assertEquals(List.of(425L, 425L), prolific.bonusesPaid("b1"));
        assertEquals(2, prolific.payCalls(setUpId));
        JsonNode b2Submission = expect(200, call("GET", "/api/v1/submissions/" + b2 + "/", null));
        assertEquals("[100,100]", b2Submission.get("bonus_payments").toString());
        JsonNode read = expect(200, call("GET", "/api/v1/bulk-bonus-payments/" + setUpId + "/", null));
        assertEquals(2, read.get("times_paid").asInt());
        expect(404, call("POST", "/api/v1/bulk-bonus-payments/000000000000000000000000/pay/", null));
    }

    @Test
    void payingRefusesWhenFundsAreShort() throws Exception {
        prolific.balance("10.00"); // rewards 750, fees 250
        String id = createStudy(studyBody(1, 100));
        transition(id, "PUBLISH", 200); // reserves 133 (100 + 33)
        prolific.takeStudy("c1", id);
        String setUp = expect(
                        201,
                        call(
                                "POST",
                                "/api/v1/submissions/bonus-payments/",
                                object("study_id", id, "csv_bonuses", "c1,7.00")))
                .get("id")
                .asText();
        long total = prolific.totalBalanceCents();
        JsonNode refused = expect(400, call("POST", "/api/v1/bulk-bonus-payments/" + setUp + "/pay/", null));
        assertTrue(
                refused.at("/error/detail").asText().startsWith("Insufficient funds: paying bonus set-up"),
                refused.toString());
        assertEquals(total, prolific.totalBalanceCents(), "nothing paid");
        assertEquals(0, prolific.payCalls(setUp));
    }

    @Test
    void everyFifthPayCallPaysAndThenAnswers500() throws Exception {
        String id = createStudy(studyBody(1, 150));
        transition(id, "PUBLISH", 200);
        prolific.takeStudy("d1", id);
        String setUp = expect(
                        201,
                        call(
                                "POST",
                                "/api/v1/submissions/bonus-payments/",
                                object("study_id", id, "csv_bonuses", "d1,0.75")))
                .get("id")
                .asText();
        prolific.inject(ProlificEmulator.Fault.COMMIT_THEN_FAIL, "pay-bonus-payments", 5);
        long total = prolific.totalBalanceCents();
        for (int call = 1; call <= 10; call++) {
            HttpResponse<String> answer = call("POST", "/api/v1/bulk-bonus-payments/" + setUp + "/pay/", null);
            assertEquals(call % 5 == 0 ? 500 : 202, answer.statusCode(), "call " + call);
        }
        assertEquals(10, prolific.payCalls(setUp), "the failed calls paid too");
        assertEquals(total - 10 * 100, prolific.totalBalanceCents()); // 75 + 25 fee, ten times
        assertEquals(10, prolific.bonusesPaid("d1").size());
        // Other operations are not affected.
        expect(200, call("GET", "/api/v1/users/me/", null));
    }

    @Test
    void plainFaultsDoNothing() throws Exception {
        prolific.inject(ProlificEmulator.Fault.SERVICE_FAULT, 1).inject(ProlificEmulator.Fault.THROTTLE, 1);
        assertEquals(500, call("POST", "/api/v1/studies/", studyBody(1, 100)).statusCode());
        HttpResponse<String> throttled = call("POST", "/api/v1/studies/", studyBody(1, 100));
        assertEquals(429, throttled.statusCode());
        assertEquals("1", throttled.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(
                0,
                expect(200, call("GET", "/api/v1/studies/", null))
                        .at("/meta/count")
                        .asInt());
    }

    @Test
    void overTheRateLimitRequestsGet429WithRetryAfter() throws Exception {
        prolific.rateLimit(1, 2);
        assertEquals(200, call("GET", "/api/v1/users/me/", null).statusCode());
        assertEquals(200, call("GET", "/api/v1/users/me/", null).statusCode());
        HttpResponse<String> third = call("GET", "/api/v1/users/me/", null);
        assertEquals(429, third.statusCode());
        assertEquals("1", third.headers().firstValue("Retry-After").orElseThrow());
        JsonNode body = JSON.readTree(third.body());
        assertEquals(429, body.at("/error/status").asInt());
        assertEquals("Request was throttled.", body.at("/error/detail").asText());
    }

    @Test
    void groupsFilterWhoMayTakeAStudyAndMessagesReachParticipants() throws Exception {
        JsonNode group = expect(
                201,
                call(
                        "POST",
                        "/api/v1/participant-groups/",
                        object("workspace_id", prolific.workspaceId(), "name", "Wave 2")));
        String groupId = group.get("id").asText();
        JsonNode members = expect(
                200,
                call(
                        "POST",
                        "/api/v1/participant-groups/" + groupId + "/participants/",
                        object("participant_ids", List.of("g1", "g2"))));
        assertEquals(2, members.get("results").size());
        expect(
                200,
                call(
                        "DELETE",
                        "/api/v1/participant-groups/" + groupId + "/participants/",
                        object("participant_ids", List.of("g2"))));
        assertEquals(java.util.Set.of("g1"), prolific.groupMembers(groupId));
        assertEquals(
                1,
                expect(200, call("GET", "/api/v1/participant-groups/?workspace_id=" + prolific.workspaceId(), null))
                        .at("/results/0/participant_count")
                        .asInt());

        ObjectNode body = studyBody(5, 150);
        body.putArray("filters")
                .addObject()
                .put("filter_id", "participant_group_allowlist")
                .putArray("selected_values")
                .add(groupId);
        String id = createStudy(body);
        transition(id, "PUBLISH", 200);
        IllegalStateException outsider = assertThrows(IllegalStateException.class, () -> prolific.takeStudy("g2", id));
        assertEquals("Study " + id + " is only for members of its participant groups.", outsider.getMessage());
        prolific.takeStudy("g1", id);

        JsonNode sent = expect(
                201,
                call("POST", "/api/v1/messages/", object("recipient_id", "g1", "body", "Thanks!", "study_id", id)));
        assertEquals("g1", sent.get("recipient_id").asText());
        expect(400, call("POST", "/api/v1/messages/", object("recipient_id", "g2", "body", "Hi", "study_id", id)));
        assertEquals(List.of(new ProlificEmulator.Message("g1", id, "Thanks!")), prolific.messages());
    }

    @Test
    void submissionListsArePagedAndActiveSubmissionsTimeOut() throws Exception {
        String id = createStudy(studyBody(5, 150));
        transition(id, "PUBLISH", 200);
        for (String pid : List.of("e1", "e2", "e3")) prolific.takeStudy(pid, id);
        JsonNode first = expect(200, call("GET", "/api/v1/submissions/?study=" + id + "&page_size=2", null));
        assertEquals(3, first.at("/meta/count").asInt());
        assertEquals(2, first.get("results").size());
        String next = first.at("/_links/next/href").asText();
        assertEquals(prolific.baseUrl() + "/api/v1/submissions/?study=" + id + "&page=2&page_size=2", next);
        assertTrue(first.at("/_links/previous/href").isNull());
        JsonNode second = expect(
                200,
                call(
                        "GET",
                        URI.create(next).getRawPath() + "?" + URI.create(next).getRawQuery(),
                        null));
        assertEquals("e3", second.at("/results/0/participant_id").asText());
        assertTrue(second.at("/_links/next/href").isNull());

        prolific.advanceClock(Duration.ofMinutes(23)); // maximum_allowed_time is 22
        assertEquals("TIMED-OUT", prolific.submissionStatus(submissionIdOf(id, "e1")));
        assertEquals(
                0,
                expect(200, call("GET", "/api/v1/studies/" + id + "/", null))
                        .get("places_taken")
                        .asInt());
        assertNull(prolific.submissionStatus("000000000000000000000000"));
    }

    @Test
    void aFixedScreenOutPaysItsRewardOnceAndBulkApprovalApprovesWhatAwaitsReview() throws Exception {
        ObjectNode screenOut = object("code", "SCREEN1", "code_type", "OTHER");
        screenOut
                .putArray("actions")
                .addObject()
                .put("action", "FIXED_SCREEN_OUT_PAYMENT")
                .put("fixed_screen_out_reward", 30)
                .put("slots", 1);
        String id = createStudy(studyBody(4, 150, code("DONE1", "COMPLETED", "MANUALLY_REVIEW"), screenOut));
        transition(id, "PUBLISH", 200);
        for (String pid : List.of("f1", "f2", "f3", "f4")) prolific.takeStudy(pid, id);
        long total = prolific.totalBalanceCents();
        assertEquals("SCREENED OUT", prolific.complete("f1", id, "SCREEN1").status());
        assertEquals(total - 40, prolific.totalBalanceCents()); // 30 + 10 fee
        assertEquals("AWAITING REVIEW", prolific.complete("f2", id, "SCREEN1").status(), "its one slot is used");
        prolific.complete("f3", id, "DONE1");

        JsonNode unknown = expect(
                400,
                call(
                        "POST",
                        "/api/v1/submissions/bulk-approve/",
                        object("study_id", id, "participant_ids", List.of("f2", "zz"))));
        assertEquals(
                "Participant zz has no submission in study " + id + ".",
                unknown.at("/error/detail").asText());
        assertEquals("AWAITING REVIEW", prolific.submissionStatus(submissionIdOf(id, "f2")), "nothing approved");
        JsonNode bulk = expect(
                200,
                call(
                        "POST",
                        "/api/v1/submissions/bulk-approve/",
                        object(
                                "submission_ids",
                                List.of(
                                        submissionIdOf(id, "f2"),
                                        submissionIdOf(id, "f3"),
                                        submissionIdOf(id, "f4")))));
        assertEquals(2, bulk.get("approved").asInt());
        assertEquals(1, bulk.get("skipped").asInt()); // f4 is still ACTIVE
        assertEquals(total - 40 - 2 * 200, prolific.totalBalanceCents());
    }

    @Test
    void feeAndVatAreOptions() throws Exception {
        prolific.feePercent(new BigDecimal("42.8")).vatPercent(new BigDecimal("20"));
        assertEquals(
                List.of(1000L, 428L, 86L),
                java.util.Arrays.stream(prolific.costOf(1000)).boxed().toList());
        JsonNode balance = balance();
        long sum = balance.at("/balance_breakdown/rewards").asLong()
                + balance.at("/balance_breakdown/fees").asLong()
                + balance.at("/balance_breakdown/vat").asLong();
        assertEquals(1_000_000, sum);
        assertEquals(1_000_000, balance.get("total_balance").asLong());
    }
}
