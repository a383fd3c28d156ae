package io.cohort.platform.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The participants table over HTTP: filters, "complete", group counts, sort, paging, refusals, login. */
class ParticipantTableTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] STATUSES = {
        "ALLOCATED", "STARTED", "COMPLETED", "SUBMITTED", "APPROVED", "REJECTED", "BONUSED", "QUIT_EARLY", "DROPOUT"
    };

    @TempDir
    static Path home;

    static DataHost h;

    /**
     * 30 participants p00..p29, created a minute apart: condition cycles red/blue/green, code version v1 for the
     * first 20, mode LIVE/SANDBOX/none cycling, status cycling through all nine, bonus i * 10 cents.
     */
    @BeforeAll
    static void start() throws Exception {
        h = DataHost.start(home);
        h.session("s1");
        h.session("s2");
        for (int i = 0; i < 30; i++) {
            h.participant(
                    i < 15 ? "s1" : "s2",
                    id(i),
                    "n" + (29 - i),
                    STATUSES[i % 9],
                    new String[] {"red", "blue", "green"}[i % 3],
                    new String[] {"LIVE", "SANDBOX", null}[i % 3],
                    i < 20 ? "v1" : "v2",
                    i * 10L,
                    String.format("2024-05-01T09:%02d:00Z", i));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    static String id(int i) {
        return String.format("p%02d", i);
    }

    static JsonNode table(String query) throws Exception {
        AdminHttp.Response r = h.api.get("/api/participants" + query);
        assertEquals(200, r.status(), query + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static List<String> ids(JsonNode table) {
        List<String> ids = new ArrayList<>();
        table.get("rows").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    static Map<String, Long> groups(JsonNode table) {
        Map<String, Long> groups = new LinkedHashMap<>();
        table.get("groups")
                .forEach(g ->
                        groups.put(g.get("condition").asText(), g.get("count").asLong()));
        return groups;
    }

    @Test
    void everyoneNewestFirstWithGroupsAndFilterOptions() throws Exception {
        JsonNode all = table("");
        assertEquals(30, all.get("total").asInt());
        assertEquals(30, all.get("rows").size());
        assertEquals("p29", ids(all).get(0));
        assertEquals("p00", ids(all).get(29));
        assertEquals(Map.of("blue", 10L, "green", 10L, "red", 10L), groups(all));
        JsonNode first = all.get("rows").get(29);
        assertEquals("s1", first.get("session").asText());
        assertEquals("n29", first.get("name").asText());
        assertEquals("Wp00", first.get("workerId").asText());
        assertEquals("live", first.get("mode").asText());
        assertEquals("ALLOCATED", first.get("status").asText());
        assertEquals("0.00", first.get("bonus").asText());
        assertEquals("2024-05-01T09:00:00Z", first.get("created").asText());
        assertEquals(
                "[\"blue\",\"green\",\"red\"]", all.at("/options/conditions").toString());
        assertEquals("[\"v1\",\"v2\"]", all.at("/options/code_versions").toString());
        assertEquals(
                "[\"sandbox\",\"test\",\"live\",\"bot\",\"none\"]",
                all.at("/options/modes").toString());
    }

    static Map<String, Long> markets(JsonNode table) {
        Map<String, Long> markets = new LinkedHashMap<>();
        table.get("markets")
                .forEach(m -> markets.put(
                        m.get("market").asText("none"), m.get("count").asLong()));
        return markets;
    }

    @Test
    void aSessionRecruitingFromTwoMarketsIsGroupedByMarket() throws Exception {
        // s1 holds p00..p14: LIVE (Prolific) for i % 3 == 0, SANDBOX (MTurk) for 1, none for 2.
        JsonNode s1 = table("?session=s1&sort=id");
        assertEquals(Map.of("mturk", 5L, "prolific", 5L, "none", 5L), markets(s1));
        assertEquals("prolific", s1.get("rows").get(0).get("market").asText());
        assertEquals("mturk", s1.get("rows").get(1).get("market").asText());
        assertTrue(s1.get("rows").get(2).get("market").isNull());

        JsonNode prolific = table("?session=s1&market=prolific&sort=id");
        assertEquals(List.of("p00", "p03", "p06", "p09", "p12"), ids(prolific));
        assertEquals(Map.of("prolific", 5L), markets(prolific));
        assertEquals(List.of("p02", "p05", "p08", "p11", "p14"), ids(table("?session=s1&market=none&sort=id")));
        // Sorted by market: MTurk's first, then Prolific's, then those who came by URL.
        List<String> byMarket = ids(table("?session=s1&sort=market"));
        assertEquals(List.of("p01", "p04", "p07", "p10", "p13"), byMarket.subList(0, 5));
        assertEquals("[\"mturk\",\"prolific\"]", s1.at("/options/markets").toString());

        // Counts follow a market's participant being removed.
        h.sql("DELETE FROM cohort.participant WHERE id = 'p03'");
        try {
            assertEquals(4L, markets(table("?session=s1")).get("prolific"));
        } finally {
            h.participant("s1", "p03", "n26", STATUSES[3], "red", "LIVE", "v1", 30L, "2024-05-01T09:03:00Z");
        }
        assertEquals(400, h.api.get("/api/participants?market=MTurk%20%3B").status());
    }

    @Test
    void filtersCombineAndGroupsCountTheFilteredRows() throws Exception {
        // mode none: i % 3 == 2 → all green
        JsonNode none = table("?mode=none&sort=id");
        assertEquals(List.of("p02", "p05", "p08", "p11", "p14", "p17", "p20", "p23", "p26", "p29"), ids(none));
        assertEquals(Map.of("green", 10L), groups(none));

        JsonNode v2Sandbox = table("?mode=SANDBOX&code_version=v2&sort=id");
        assertEquals(List.of("p22", "p25", "p28"), ids(v2Sandbox));
        assertEquals(3, v2Sandbox.get("total").asInt());

        JsonNode red = table("?condition=red&status=ALLOCATED&sort=id");
        // red: i % 3 == 0; ALLOCATED: i % 9 == 0 → 0, 9, 18, 27; i % 3 == 0 holds for all four
        assertEquals(List.of("p00", "p09", "p18", "p27"), ids(red));

        JsonNode s2 = table("?session=s2&condition=blue&sort=id");
        assertEquals(List.of("p16", "p19", "p22", "p25", "p28"), ids(s2));
    }

    @Test
    void completeMeansFinishedWhateverCameAfter() throws Exception {
        JsonNode complete = table("?complete=true&sort=id&size=500");
        List<String> expected = new ArrayList<>();
        List<String> notExpected = new ArrayList<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            int s = i % 9;
            if (s >= 2 && s <= 6) {
                expected.add(id(i));
                counts.merge(new String[] {"red", "blue", "green"}[i % 3], 1L, Long::sum);
            } else {
                notExpected.add(id(i));
            }
        }
        assertEquals(expected, ids(complete));
        assertEquals(counts, groups(complete));
        assertEquals(notExpected, ids(table("?complete=false&sort=id")));
        assertEquals(List.of("p03", "p12"), ids(table("?complete=true&status=SUBMITTED&code_version=v1&sort=id")));
    }

    @Test
    void countsFollowStatusChangesInsertsAndDeletesButNotPageMoves() throws Exception {
        h.sql("UPDATE cohort.participant SET status = 'APPROVED', condition = 'blue' WHERE id = 'p00'");
        h.sql("UPDATE cohort.participant SET page_index = 7, updated_at = now() WHERE id = 'p01'");
        h.session("s3");
        h.participant("s3", "x1", "extra", "COMPLETED", "purple", "LIVE", "v3", 0, "2024-06-01T00:00:00Z");
        try {
            JsonNode all = table("?complete=true&sort=id&size=500");
            assertEquals(Map.of("red", 6L, "blue", 4L, "green", 7L, "purple", 1L), groups(all));
            assertTrue(ids(all).contains("p00"));
            assertEquals(
                    "[\"blue\",\"green\",\"purple\",\"red\"]",
                    all.at("/options/conditions").toString());
            assertEquals(31, table("").get("total").asInt());
        } finally {
            h.sql("UPDATE cohort.participant SET status = 'ALLOCATED', condition = 'red' WHERE id = 'p00'");
            h.sql("DELETE FROM cohort.participant WHERE id = 'x1'");
        }
        JsonNode after = table("?complete=true");
        assertEquals(Map.of("red", 6L, "blue", 3L, "green", 7L), groups(after));
        assertEquals(
                "[\"blue\",\"green\",\"red\"]",
                table("").at("/options/conditions").toString());
        assertEquals(30, table("").get("total").asInt());
    }

    @Test
    void sortingAndPagingAreDoneByTheDatabase() throws Exception {
        JsonNode page1 = table("?sort=name&dir=asc&size=7");
        // names n0..n29 sort as text: n0, n1, n10, n11, ...; n0 belongs to p29
        assertEquals(List.of("p29", "p28", "p19", "p18", "p17", "p16", "p15"), ids(page1));
        assertEquals(30, page1.get("total").asInt());
        assertEquals(5, page1.get("pages").asInt());
        JsonNode page5 = table("?sort=name&dir=asc&size=7&page=5");
        // ..., n7, n8, n9
        assertEquals(List.of("p21", "p20"), ids(page5));
        assertEquals(0, table("?size=7&page=6").get("rows").size());
        assertEquals(30, table("?size=7&page=6").get("total").asInt());

        JsonNode byBonus = table("?sort=bonus&dir=desc&size=3");
        assertEquals(List.of("p29", "p28", "p27"), ids(byBonus));
        assertEquals("2.90", byBonus.at("/rows/0/bonus").asText());
        // ties broken by id in the same direction, so pages never overlap
        assertEquals(List.of("p27", "p24", "p21"), ids(table("?sort=condition&dir=desc&mode=live&size=3")));
        assertEquals(List.of("p18", "p15", "p12"), ids(table("?sort=condition&dir=desc&mode=live&size=3&page=2")));
        assertEquals(List.of("p02", "p05", "p08"), ids(table("?sort=mode&dir=asc&condition=green&size=3")));
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        Map<String, String> bad = Map.of(
                "sort",
                "?sort=token",
                "dir",
                "?dir=up",
                "page",
                "?page=0",
                "size",
                "?size=501",
                "mode",
                "?mode=beta",
                "status",
                "?status=DONE",
                "complete",
                "?complete=yes");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            AdminHttp.Response r = h.api.get("/api/participants" + e.getValue());
            assertEquals(400, r.status(), e.getValue());
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains("'" + e.getKey() + "'"), r.body());
        }
        AdminHttp.Response page = h.api.get("/api/participants?page=abc");
        assertTrue(page.body().contains("'page'") && page.body().contains("abc"), page.body());
        AdminHttp.Response html = h.browser().get("/admin/participants?sort=1;DROP");
        assertEquals(400, html.status());
        assertTrue(html.body().contains("parameter &#39;sort&#39;"), html.body());
    }

    @Test
    void theHtmlPageNeedsALoginAndShowsTheFilteredTable() throws Exception {
        AdminHttp.Response anonymous = h.anonymous().get("/admin/participants?mode=live");
        assertEquals(302, anonymous.status());
        assertTrue(anonymous.location().contains("/login?next="), anonymous.location());
        assertEquals(401, h.anonymous().get("/api/participants").status());

        AdminHttp.Response r = h.browser().get("/admin/participants?mode=live&size=4&sort=id&dir=asc");
        assertEquals(200, r.status(), r.body());
        String body = r.body();
        assertTrue(body.contains("<strong>10</strong> participants"), body);
        assertTrue(body.contains("data-condition=\"red\">red: <strong>10</strong>"), body);
        assertTrue(body.contains("data-participant=\"p09\""), body);
        assertFalse(body.contains("data-participant=\"p12\""), body);
        assertTrue(body.contains("href=\"?sort=id&amp;dir=asc&amp;size=4&amp;mode=live&amp;page=2\""), body);
        assertTrue(body.contains("<option selected>live</option>"), body);
        assertTrue(body.contains("href=\"/admin/participants\""), "menu entry");
    }
}
