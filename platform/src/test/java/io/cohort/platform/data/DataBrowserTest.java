package io.cohort.platform.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data browser and field histories, over HTTP: current values, history newest first, 404s, login. */
class DataBrowserTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static DataHost h;

    @BeforeAll
    static void start() throws Exception {
        h = DataHost.start(home);
        h.session("s1");
        h.session("s2");
        h.participant("s1", "p1", "alice", "STARTED", "red", "LIVE", "v1", 0, "2024-05-01T09:00:00Z");
        h.participant("s1", "p2", "bob", "COMPLETED", "blue", null, "v1", 150, "2024-05-01T09:01:00Z");
        h.participant("s2", "p3", "carol", "STARTED", "red", null, "v1", 0, "2024-05-01T09:02:00Z");
        h.field("p1", "age", "30", "2024-05-01T10:00:00Z", "page:intro");
        h.field("p1", "age", "31", "2024-05-01T10:05:00Z", "admin:root");
        h.field("p1", "answer", "\"<b>yes</b>, \\\"sure\\\"\"", "2024-05-01T10:06:00Z", "page:q1");
        h.field("p2", "age", "\"forty\"", "2024-05-01T10:07:00Z", "page:intro");
        h.field("p2", "mood ☺/now", "{\"a\": [1, 2]}", "2024-05-01T10:08:00Z", "hook:new_player");
        h.field("p3", "other-session-key", "true", "2024-05-01T10:09:00Z", "page:x");
        h.sql("INSERT INTO cohort.page_visit (participant_id, page_index, page) VALUES ('p1', 2, 'questions')");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void aSessionShowsEachParticipantsCurrentValues() throws Exception {
        AdminHttp.Response r = h.api.get("/api/sessions/s1/data");
        assertEquals(200, r.status(), r.body());
        JsonNode data = JSON.readTree(r.body());
        assertEquals("Session s1", data.at("/session/name").asText());
        List<String> keys = new ArrayList<>();
        data.get("keys").forEach(k -> keys.add(k.asText()));
        // Only this session's keys, sorted.
        assertEquals(List.of("age", "answer", "mood ☺/now"), keys);
        JsonNode alice = data.at("/participants/0");
        assertEquals("alice", alice.get("name").asText());
        assertEquals("STARTED", alice.get("status").asText());
        assertEquals("red", alice.get("condition").asText());
        assertEquals("questions", alice.get("page").asText());
        assertEquals(31, alice.at("/fields/age/value").asInt());
        assertEquals("admin:root", alice.at("/fields/age/setBy").asText());
        assertEquals("2024-05-01T10:05:00Z", alice.at("/fields/age/setAt").asText());
        assertEquals("<b>yes</b>, \"sure\"", alice.at("/fields/answer/value").asText());
        JsonNode bob = data.at("/participants/1");
        assertEquals("bob", bob.get("name").asText());
        assertEquals("forty", bob.at("/fields/age/value").asText());
        assertEquals(
                2,
                bob.get("fields").get("mood ☺/now").get("value").get("a").get(1).asInt());
        assertFalse(bob.get("fields").has("answer"));
    }

    @Test
    void theHtmlPageEscapesValuesAndLinksEachCellToItsHistory() {
        AdminHttp.Response r = h.browser().get("/admin/sessions/s1/data");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.body().contains("&lt;b&gt;yes&lt;/b&gt;, &quot;sure&quot;"), r.body());
        assertFalse(r.body().contains("<b>yes</b>"));
        assertTrue(r.body().contains("href=\"/admin/participants/p2/fields/mood%20%E2%98%BA/now\""), r.body());
        assertTrue(r.body().contains("title=\"2024-05-01T10:05:00Z · admin:root\""), r.body());
    }

    @Test
    void aFieldsHistoryListsEveryValueNewestFirst() throws Exception {
        JsonNode history = JSON.readTree(
                        h.api.get("/api/participants/p1/fields/age").body())
                .get("history");
        assertEquals(2, history.size());
        assertEquals(31, history.at("/0/value").asInt());
        assertEquals("2024-05-01T10:05:00Z", history.at("/0/setAt").asText());
        assertEquals("admin:root", history.at("/0/setBy").asText());
        assertEquals(30, history.at("/1/value").asInt());
        assertEquals("page:intro", history.at("/1/setBy").asText());

        AdminHttp.Response odd = h.api.get("/api/participants/p2/fields/mood%20%E2%98%BA/now");
        assertEquals(200, odd.status(), odd.body());
        assertEquals("mood ☺/now", JSON.readTree(odd.body()).get("key").asText());

        AdminHttp.Response page = h.browser().get("/admin/participants/p2/fields/mood%20%E2%98%BA/now");
        assertEquals(200, page.status(), page.body());
        assertTrue(page.body().contains("{&quot;a&quot;: [1, 2]}"), page.body());
        assertTrue(page.body().contains("hook:new_player"));
    }

    @Test
    void unknownSessionsParticipantsAndFieldsAre404() throws Exception {
        assertEquals(404, h.api.get("/api/sessions/nope/data").status());
        assertTrue(h.api.get("/api/sessions/nope/data").body().contains("nope"));
        assertEquals(404, h.browser().get("/admin/sessions/nope/data").status());
        assertEquals(404, h.api.get("/api/participants/nobody/fields/age").status());
        AdminHttp.Response noField = h.api.get("/api/participants/p1/fields/shoe");
        assertEquals(404, noField.status());
        assertTrue(noField.body().contains("shoe"), noField.body());
    }

    @Test
    void pagesNeedALoginAndTheApiATokenWithoutChangingAnything() {
        for (String path : List.of("/admin/sessions/s1/data", "/admin/participants/p1/fields/age")) {
            AdminHttp.Response r = h.anonymous().get(path);
            assertEquals(302, r.status(), path);
            assertTrue(r.location().contains("/login?next="), r.location());
        }
        assertEquals(401, h.anonymous().get("/api/sessions/s1/data").status());
        assertEquals(
                401,
                h.anonymous()
                        .bearer("wrong")
                        .get("/api/participants/p1/fields/age")
                        .status());
    }
}
