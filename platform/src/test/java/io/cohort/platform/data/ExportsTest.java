package io.cohort.platform.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Page times, long and wide CSV, JSON: each parses back to the rows inserted, awkward characters included. */
class ExportsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A value with everything CSV quoting must survive. */
    static final String TRICKY = "a, \"quoted\"\nsecond line ✓ 日本";

    @TempDir
    static Path home;

    static DataHost h;

    @BeforeAll
    static void start() throws Exception {
        h = DataHost.start(home);
        h.session("s1");
        h.session("s2");
        h.participant("s1", "p1", "alice, \"A\"", "COMPLETED", "red", "LIVE", "v1", 125, "2024-05-01T09:00:00Z");
        h.participant("s1", "p2", "bob", "STARTED", null, null, "v1", 0, "2024-05-01T09:01:00Z");
        h.participant("s2", "p3", "carol", "STARTED", "blue", null, "v2", 0, "2024-05-01T09:02:00Z");
        h.field("p1", "text", JSON.writeValueAsString(TRICKY), "2024-05-01T10:00:00Z", "page:intro");
        h.field("p1", "score", "1", "2024-05-01T10:01:00Z", "page:q");
        h.field("p1", "score", "2.5", "2024-05-01T10:02:00.123Z", "admin:root");
        h.field("p1", "trials", "[{\"rt\": 512, \"ok\": true}]", "2024-05-01T10:03:00Z", "page:task");
        h.field("p3", "other", "null", "2024-05-01T10:04:00Z", "page:x");
        h.sql("INSERT INTO cohort.page_visit (participant_id, page_index, page, entered_at, left_at) VALUES"
                + " ('p1', 0, 'intro', '2024-05-01T09:00:00Z', '2024-05-01T09:00:12.5Z'),"
                + " ('p1', 1, 'task, \"main\"', '2024-05-01T09:00:12.5Z', NULL),"
                + " ('p2', 0, 'intro', '2024-05-01T09:01:00Z', '2024-05-01T09:02:00Z')");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    static List<CSVRecord> csv(AdminHttp.Response r) throws Exception {
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("text/csv"), r.header("Content-Type"));
        return CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .get()
                .parse(new StringReader(r.body()))
                .getRecords();
    }

    @Test
    void pageTimesHaveUtcTimesAndSeconds() throws Exception {
        AdminHttp.Response r = h.api.get("/api/sessions/s1/page-times.csv");
        assertEquals("attachment; filename=\"session-s1-page-times.csv\"", r.header("Content-Disposition"));
        List<CSVRecord> rows = csv(r);
        assertEquals(3, rows.size());
        assertEquals(
                List.of(
                        "p1",
                        "alice, \"A\"",
                        "0",
                        "intro",
                        "2024-05-01T09:00:00Z",
                        "2024-05-01T09:00:12.500Z",
                        "12.500"),
                rows.get(0).toList());
        assertEquals("task, \"main\"", rows.get(1).get("page"));
        assertEquals("", rows.get(1).get("left_at"));
        assertEquals("", rows.get(1).get("seconds"));
        assertEquals("60.000", rows.get(2).get("seconds"));
        assertEquals("p2", rows.get(2).get("participant"));
    }

    @Test
    void theLongShapeHasEveryHistoryRow() throws Exception {
        AdminHttp.Response r = h.browser().get("/admin/sessions/s1/export.csv?shape=long");
        assertEquals("attachment; filename=\"session-s1-long.csv\"", r.header("Content-Disposition"));
        List<CSVRecord> rows = csv(r);
        assertEquals(4, rows.size());
        assertEquals(
                List.of("participant", "key", "value", "set_at", "set_by"),
                rows.get(0).getParser().getHeaderNames());
        assertEquals(
                List.of("p1", "text", TRICKY, "2024-05-01T10:00:00Z", "page:intro"),
                rows.get(0).toList());
        assertEquals(
                List.of("p1", "score", "1", "2024-05-01T10:01:00Z", "page:q"),
                rows.get(1).toList());
        assertEquals(
                List.of("p1", "score", "2.5", "2024-05-01T10:02:00.123Z", "admin:root"),
                rows.get(2).toList());
        assertEquals("[{\"ok\": true, \"rt\": 512}]", rows.get(3).get("value"));
    }

    @Test
    void theWideShapeHasOneRowPerParticipantWithCurrentValues() throws Exception {
        List<CSVRecord> rows = csv(h.api.get("/api/sessions/s1/export.csv?shape=wide"));
        assertEquals(
                List.of("id", "name", "status", "condition", "code_version", "bonus", "score", "text", "trials"),
                rows.get(0).getParser().getHeaderNames());
        assertEquals(2, rows.size());
        assertEquals(
                List.of(
                        "p1",
                        "alice, \"A\"",
                        "COMPLETED",
                        "red",
                        "v1",
                        "1.25",
                        "2.5",
                        TRICKY,
                        "[{\"ok\": true, \"rt\": 512}]"),
                rows.get(0).toList());
        // A participant with no fields still has a row, its cells empty.
        assertEquals(
                List.of("p2", "bob", "STARTED", "", "v1", "0.00", "", "", ""),
                rows.get(1).toList());
        // wide is the default shape
        assertEquals(
                rows.get(0).toList(),
                csv(h.api.get("/api/sessions/s1/export.csv")).get(0).toList());
    }

    @Test
    void allSessionsAtOnceStartWithTheSession() throws Exception {
        List<CSVRecord> wide = csv(h.api.get("/api/export.csv?shape=wide"));
        assertEquals(
                List.of(
                        "session",
                        "id",
                        "name",
                        "status",
                        "condition",
                        "code_version",
                        "bonus",
                        "other",
                        "score",
                        "text",
                        "trials"),
                wide.get(0).getParser().getHeaderNames());
        assertEquals(3, wide.size());
        assertEquals(
                List.of("s2", "p3", "carol", "STARTED", "blue", "v2", "0.00", "null", "", "", ""),
                wide.get(2).toList());
        List<CSVRecord> long_ = csv(h.api.get("/api/export.csv?shape=long"));
        assertEquals(5, long_.size());
        assertEquals(
                List.of("s2", "p3", "other", "null", "2024-05-01T10:04:00Z", "page:x"),
                long_.get(4).toList());
    }

    @Test
    void jsonHasEachParticipantsFieldsAndHistory() throws Exception {
        AdminHttp.Response r = h.api.get("/api/sessions/s1/export.json");
        assertEquals(200, r.status(), r.body());
        assertEquals("attachment; filename=\"session-s1.json\"", r.header("Content-Disposition"));
        JsonNode all = JSON.readTree(r.body());
        assertEquals(2, all.size());
        JsonNode alice = all.get(0);
        assertEquals("p1", alice.get("id").asText());
        assertEquals("alice, \"A\"", alice.get("name").asText());
        assertEquals("live", alice.get("mode").asText());
        assertEquals("1.25", alice.get("bonus").asText());
        assertEquals(TRICKY, alice.at("/fields/text").asText());
        assertEquals(2.5, alice.at("/fields/score").asDouble());
        assertEquals(512, alice.at("/fields/trials/0/rt").asInt());
        assertEquals(4, alice.get("history").size());
        assertEquals(1, alice.at("/history/1/value").asInt());
        assertEquals("2024-05-01T10:01:00Z", alice.at("/history/1/setAt").asText());
        assertEquals("page:q", alice.at("/history/1/setBy").asText());
        JsonNode bob = all.get(1);
        assertEquals(0, bob.get("history").size());
        assertEquals(0, bob.get("fields").size());
        assertTrue(bob.get("mode").isNull());

        JsonNode everyone = JSON.readTree(h.api.get("/api/export.json").body());
        assertEquals(3, everyone.size());
        assertTrue(everyone.at("/2/fields/other").isNull());
        assertEquals("s2", everyone.at("/2/session").asText());
    }

    @Test
    void refusalsNameTheProblemAndDownloadsLeaveAnAuditRow() throws Exception {
        AdminHttp.Response bad = h.api.get("/api/sessions/s1/export.csv?shape=tall");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("shape") && bad.body().contains("tall"), bad.body());
        assertEquals(404, h.api.get("/api/sessions/nope/export.json").status());
        assertEquals(404, h.api.get("/api/sessions/nope/page-times.csv").status());
        assertEquals(404, h.browser().get("/admin/sessions/nope/export.csv").status());
        assertEquals(302, h.anonymous().get("/admin/sessions/s1/export.csv").status());
        assertEquals(302, h.anonymous().get("/admin/export.json").status());
        assertEquals(401, h.anonymous().get("/api/sessions/s1/export.json").status());

        h.api.get("/api/sessions/s2/export.json");
        try (Connection c = DriverManager.getConnection(h.db);
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT actor, detail->>'file' FROM cohort.audit_log WHERE action = 'data.export' AND target = 's2'")) {
            assertTrue(rs.next());
            assertEquals("api", rs.getString(1));
            assertEquals("session-s2.json", rs.getString(2));
        }
        try (Connection c = DriverManager.getConnection(h.db);
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT count(*) FROM cohort.audit_log WHERE action = 'data.export' AND target = 'nope'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
        assertNull(bad.header("Content-Disposition"));
    }
}
