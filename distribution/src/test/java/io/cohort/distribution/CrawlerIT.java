package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every admin and API route, the host's (from {@code /api/routes}) and the plugins' (found by crawling the admin
 * pages for links and form actions), asked with HEAD, GET and POST without a CSRF token but with the admin's
 * cookie, as a forged request from another page would be. Nothing may change: the row count of every table in
 * every schema is the same after as before.
 */
class CrawlerIT {

    private static final Pattern LINK = Pattern.compile("(?:href|action)=\"(/(?:admin|api)[^\"#]*)\"");
    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)[^}]*}");

    @Test
    void noRouteChangesAnythingWithoutItsToken() throws Exception {
        String db = TestDatabase.create();
        try (MTurkLab lab = new MTurkLab("", "one-question")) {
            lab.builder.env("COHORT_DB_URL", db);
            lab.start();
            AdminHttp admin = lab.cohort.admin();
            Map<String, String> ids = seed(lab, admin);

            Set<String> paths = new LinkedHashSet<>();
            JsonNode listed = MTurkLab.read(lab.api().get("/api/routes"));
            for (JsonNode r : listed.path("routes")) {
                String pattern = r.path("path").asText();
                if (pattern.startsWith("/admin") || pattern.startsWith("/api") || pattern.startsWith("/log")) {
                    paths.addAll(fill(pattern, ids));
                }
            }
            listed.path("adminPages").forEach(p -> paths.add(p.asText()));
            paths.addAll(crawl(admin, List.copyOf(paths)));
            assertTrue(paths.size() > 150, "too few routes to mean anything: " + paths.size());
            assertTrue(
                    paths.stream().anyMatch(p -> p.startsWith("/admin/campaigns/")), "plugin routes found: " + paths);

            Map<String, Long> before = rowCounts(db);
            Map<String, String> contentBefore = contents(db);
            Set<String> auditBefore = auditIds(db);
            int requests = 0;
            List<String> acted = new ArrayList<>();
            for (String path : paths) {
                for (String method : List.of("HEAD", "GET", "POST")) {
                    AdminHttp.Response r = admin.call(method, path);
                    requests++;
                    if (method.equals("POST") && r.status() < 400) {
                        acted.add("POST " + path + " -> " + r.status());
                    }
                }
            }
            System.out.println("CrawlerIT: " + requests + " requests to " + paths.size() + " paths");
            assertEquals(List.of(), acted, "a POST without its token was accepted");
            Map<String, Long> after = rowCounts(db);
            // Downloads are recorded by design; nothing else may be.
            List<String> newAudit = newAuditActions(db, auditBefore);
            assertTrue(
                    newAudit.stream().allMatch(a -> a.equals("data.export") || a.equals("dump.download")),
                    newAudit.toString());
            before.remove("cohort.audit_log");
            after.remove("cohort.audit_log");
            assertEquals(before, after);
            // Counts alone would miss an action that updates (cancelling a campaign, pausing a task).
            assertEquals(contentBefore, contents(db));
        }
    }

    /** A session with participants, a room, a task and a campaign, so that routes with ids have real ones. */
    private static Map<String, String> seed(MTurkLab lab, AdminHttp admin) {
        Map<String, String> ids = new LinkedHashMap<>();
        AdminHttp.Response session = lab.api()
                .postForm(
                        "/api/sessions", Map.of("experiment", "one-question", "participants", "2", "name", "crawled"));
        assertEquals(201, session.status(), session.toString());
        JsonNode made = MTurkLab.read(session);
        ids.put("session", made.path("session").path("id").asText());
        ids.put("participant", made.path("participants").get(0).path("id").asText());
        AdminHttp.Response room = lab.api()
                .postForm(
                        "/api/rooms",
                        Map.of(
                                "name",
                                "crawled-room",
                                "experiment",
                                "one-question",
                                "join",
                                "free",
                                "labels",
                                "",
                                "capacity",
                                "5"));
        assertEquals(201, room.status(), room.toString());
        ids.put("room", "crawled-room");
        AdminHttp.Response task = lab.api()
                .postForm(
                        "/api/tasks",
                        Map.of("name", "crawled-task", "type", "payments.approve-all", "interval", "86400"));
        assertEquals(201, task.status(), task.toString());
        ids.put("task", "crawled-task");
        admin.get("/admin/campaigns");
        Map<String, String> campaign = new LinkedHashMap<>();
        campaign.put("experiment", "one-question");
        campaign.put("mode", "SANDBOX");
        campaign.put("goal", "3");
        campaign.put("reward", "0.40");
        campaign.put("durationMinutes", "20");
        campaign.put("lifetimeHours", "24");
        campaign.put("perRound", "3");
        campaign.put("minutesBetweenRounds", "600");
        campaign.put("batchSize", "9");
        campaign.put("title", "Crawled");
        campaign.put("description", "A campaign for the crawler");
        AdminHttp.Response created = admin.postForm("/admin/campaigns/create", campaign);
        assertEquals(302, created.status(), created.toString());
        ids.put("campaign", created.redirectPath().replaceAll(".*/", ""));
        return ids;
    }

    /** The pattern with its parameters filled by each id we have (and a number), as a guessing attacker would. */
    private static List<String> fill(String pattern, Map<String, String> ids) {
        Matcher m = PARAMETER.matcher(pattern);
        if (!m.find()) {
            return List.of(pattern);
        }
        List<String> out = new ArrayList<>();
        List<String> values = new ArrayList<>(ids.values());
        values.add("1");
        for (String value : values) {
            out.add(PARAMETER
                    .matcher(pattern)
                    .replaceAll(Matcher.quoteReplacement(value))
                    .replaceAll("\\.\\*$|\\.\\+$", ""));
        }
        return out;
    }

    /** Every /admin and /api link and form action reachable from the given pages by GET. */
    private static Set<String> crawl(AdminHttp admin, List<String> start) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>(start);
        queue.addFirst("/admin/");
        while (!queue.isEmpty() && seen.size() < 600) {
            String path = queue.poll();
            if (!seen.add(path) || path.contains("export") || path.endsWith(".csv") || path.endsWith(".json")) {
                continue;
            }
            AdminHttp.Response page = admin.get(path);
            if (page.status() != 200
                    || !String.valueOf(page.header("Content-Type")).startsWith("text/html")) {
                continue;
            }
            Matcher links = LINK.matcher(page.body());
            while (links.find()) {
                String found = links.group(1).replace("&amp;", "&");
                if (!seen.contains(found)) {
                    queue.add(found);
                }
            }
        }
        return seen;
    }

    private static Map<String, Long> rowCounts(String db) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db)) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT schemaname || '.' || tablename FROM pg_tables"
                            + " WHERE schemaname = 'cohort' OR schemaname LIKE 'plugin\\_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** The whole content of the tables that hold what admins act on; no GET touches them. */
    private static Map<String, String> contents(String db) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(db)) {
            for (String table : List.of(
                    "plugin_campaigns.campaign",
                    "cohort.session",
                    "cohort.task",
                    "cohort.room",
                    "cohort.participant")) {
                try (ResultSet rs = c.createStatement()
                        .executeQuery("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM " + table + " t")) {
                    rs.next();
                    out.put(table, rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Set<String> auditIds(String db) throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        try (Connection c = DriverManager.getConnection(db);
                ResultSet rs = c.createStatement().executeQuery("SELECT id::text FROM cohort.audit_log")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static List<String> newAuditActions(String db, Set<String> before) throws Exception {
        List<String> actions = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db);
                ResultSet rs =
                        c.createStatement().executeQuery("SELECT id::text, action FROM cohort.audit_log ORDER BY id")) {
            while (rs.next()) {
                if (!before.contains(rs.getString(1))) {
                    actions.add(rs.getString(2));
                }
            }
        }
        return actions;
    }
}
