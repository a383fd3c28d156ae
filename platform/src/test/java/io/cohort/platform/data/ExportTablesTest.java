package io.cohort.platform.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.data.ExportTable;
import io.cohort.testkit.AdminHttp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

/** A plugin's table in the exports (CSV per session and for all, JSON on request), and bots left out of each. */
class ExportTablesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static DataHost h;
    static ServiceRegistration<ExportTable> messages;

    /** A chat's messages: who wrote what, one row each, kept in the table as a plugin would keep them. */
    static final List<List<Object>> ROWS = List.of(
            Arrays.asList("s1", "p1", "=HYPERLINK(\"x\")", 1),
            Arrays.asList("s1", "bot1", "beep", 2),
            Arrays.asList("s2", "p3", "hi, \"all\"", 3),
            Arrays.asList("s1", null, "from the experimenter", 4));

    @BeforeAll
    static void start() throws Exception {
        h = DataHost.start(home);
        h.session("s1");
        h.session("s2");
        h.participant("s1", "p1", "alice", "STARTED", "red", "LIVE", "v1", 0, "2024-05-01T09:00:00Z");
        h.participant("s1", "bot1", "bot 1", "STARTED", "red", "BOT", "v1", 0, "2024-05-01T09:01:00Z");
        h.participant("s2", "p3", "carol", "STARTED", "blue", null, "v1", 0, "2024-05-01T09:02:00Z");
        h.field("p1", "score", "3", "2024-05-01T10:00:00Z", "page:q");
        h.field("bot1", "score", "7", "2024-05-01T10:01:00Z", "page:q");
        h.sql("INSERT INTO cohort.page_visit (participant_id, page_index, page, entered_at, left_at) VALUES"
                + " ('p1', 0, 'q', '2024-05-01T09:00:00Z', NULL), ('bot1', 0, 'q', '2024-05-01T09:01:00Z', NULL)");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ExportTable.NAME, "chat_messages");
        messages = h.framework
                .getBundleContext()
                .registerService(
                        ExportTable.class,
                        new ExportTable() {
                            @Override
                            public List<String> columns() {
                                return List.of("session", "participant", "text", "n");
                            }

                            @Override
                            public void rows(String sessionId, Rows out) throws java.io.IOException {
                                for (List<Object> row : ROWS) {
                                    if (sessionId == null || sessionId.equals(row.get(0))) {
                                        out.row(row);
                                    }
                                }
                            }
                        },
                        props);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    static List<List<String>> rows(AdminHttp.Response r) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        for (CSVRecord record : ExportsTest.csv(r)) {
            rows.add(record.toList());
        }
        return rows;
    }

    @Test
    void aTableIsACsvPerSessionAndForAllSpreadsheetSafe() throws Exception {
        AdminHttp.Response r = h.api.get("/api/sessions/s1/tables/chat_messages.csv");
        assertEquals("attachment; filename=\"session-s1-chat_messages.csv\"", r.header("Content-Disposition"));
        assertEquals(
                List.of(
                        List.of("s1", "p1", "'=HYPERLINK(\"x\")", "1"),
                        List.of("s1", "bot1", "beep", "2"),
                        List.of("s1", "", "from the experimenter", "4")),
                rows(r));
        assertEquals(4, rows(h.browser().get("/admin/tables/chat_messages.csv")).size());
        assertEquals(
                List.of(List.of("s2", "p3", "hi, \"all\"", "3")),
                rows(h.api.get("/api/sessions/s2/tables/chat_messages.csv?bots=exclude")));
        AdminHttp.Response missing = h.api.get("/api/sessions/s1/tables/chat_history.csv");
        assertEquals(404, missing.status());
        assertTrue(missing.body().contains("chat_history"), missing.body());
        assertEquals(401, h.anonymous().get("/api/tables/chat_messages.csv").status());
    }

    @Test
    void botsAreLeftOutOfEveryExportOnRequest() throws Exception {
        List<String> tableIds = rows(h.api.get("/api/sessions/s1/tables/chat_messages.csv?bots=exclude")).stream()
                .map(row -> row.get(1))
                .toList();
        assertEquals(List.of("p1", ""), tableIds);
        assertEquals(2, rows(h.api.get("/api/sessions/s1/export.csv")).size());
        assertEquals(
                List.of("p1"),
                rows(h.api.get("/api/sessions/s1/export.csv?bots=exclude")).stream()
                        .map(row -> row.get(0))
                        .toList());
        assertEquals(
                List.of("p1"),
                rows(h.api.get("/api/sessions/s1/export.csv?shape=long&bots=exclude")).stream()
                        .map(row -> row.get(0))
                        .toList());
        assertEquals(
                List.of("p1"),
                rows(h.api.get("/api/sessions/s1/page-times.csv?bots=exclude")).stream()
                        .map(row -> row.get(0))
                        .toList());
        assertEquals(
                List.of("s1", "s2"),
                rows(h.api.get("/api/export.csv?bots=exclude")).stream()
                        .map(row -> row.get(0))
                        .toList());
        JsonNode withBots =
                JSON.readTree(h.api.get("/api/sessions/s1/export.json").body());
        assertEquals("bot", withBots.at("/1/mode").asText());
        JsonNode people = JSON.readTree(
                h.api.get("/api/sessions/s1/export.json?bots=exclude").body());
        assertEquals(1, people.size());
        assertEquals("p1", people.at("/0/id").asText());

        JsonNode monitor = JSON.readTree(h.api.get("/api/sessions/s1").body()).get("participants");
        assertEquals("live", monitor.at("/0/mode").asText(), monitor.toString());
        assertEquals("bot", monitor.at("/1/mode").asText(), monitor.toString());
        // The session page marks the bot, and only the bot.
        String page = h.browser().get("/admin/sessions/s1").body();
        String botName = monitor.at("/1/name").asText();
        String personName = monitor.at("/0/name").asText();
        assertTrue(page.contains(">" + botName + " (bot)</td>"), page);
        assertFalse(page.contains(">" + personName + " (bot)</td>"), page);
        JsonNode bots = JSON.readTree(h.api.get("/api/participants?mode=bot").body());
        assertEquals(1, bots.get("total").asInt(), bots.toString());
        assertEquals("bot1", bots.at("/rows/0/id").asText());
        assertEquals("bot", bots.at("/rows/0/mode").asText());

        AdminHttp.Response bad = h.api.get("/api/sessions/s1/export.csv?bots=only");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("bots") && bad.body().contains("only"), bad.body());
    }

    @Test
    void theJsonExportCarriesTheTablesWhenAskedAndStaysAnArrayOtherwise() throws Exception {
        assertTrue(
                JSON.readTree(h.api.get("/api/sessions/s1/export.json").body()).isArray());
        JsonNode export = JSON.readTree(h.api.get("/api/sessions/s1/export.json?tables=include&bots=exclude")
                .body());
        assertEquals(1, export.get("participants").size());
        JsonNode chat = export.at("/tables/chat_messages");
        assertEquals(2, chat.size(), chat.toString());
        assertEquals("=HYPERLINK(\"x\")", chat.at("/0/text").asText());
        assertEquals(1, chat.at("/0/n").asInt());
        assertTrue(chat.at("/1/participant").isNull());
        JsonNode all =
                JSON.readTree(h.api.get("/api/export.json?tables=include").body());
        assertEquals(3, all.get("participants").size());
        assertEquals(4, all.at("/tables/chat_messages").size());
        assertEquals(400, h.api.get("/api/export.json?tables=some").status());
    }

    @Test
    void theDataPageLinksTheTablesAndATableGoesWithItsPlugin() throws Exception {
        AdminHttp.Response page = h.browser().get("/admin/sessions/s1/data");
        assertTrue(page.body().contains("/admin/sessions/s1/tables/chat_messages.csv"), page.body());
        // The JSON an admin downloads from the data page and the session page carries the plugins' tables.
        assertTrue(page.body().contains("href=\"/admin/sessions/s1/export.json?tables=include\""), page.body());
        String session = h.browser().get("/admin/sessions/s1").body();
        assertTrue(session.contains("href=\"/admin/sessions/s1/export.json?tables=include\""), session);
        JsonNode data = JSON.readTree(h.api.get("/api/sessions/s1/data").body());
        assertEquals("chat_messages", data.at("/exportTables/0").asText());

        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ExportTable.NAME, "Bad Name");
        ServiceRegistration<ExportTable> badlyNamed =
                h.framework.getBundleContext().registerService(ExportTable.class, new EmptyTable(), props);
        try {
            assertEquals(
                    List.of("chat_messages"),
                    JSON.convertValue(
                            JSON.readTree(h.api.get("/api/sessions/s1/data").body())
                                    .get("exportTables"),
                            List.class));
        } finally {
            badlyNamed.unregister();
        }
    }

    static final class EmptyTable implements ExportTable {
        @Override
        public List<String> columns() {
            return List.of("x");
        }

        @Override
        public void rows(String sessionId, Rows out) {}
    }
}
