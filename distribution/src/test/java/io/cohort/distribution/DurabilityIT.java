package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL as a lab runs it (no db.url): 50 participants submit pages over HTTP, then the JVM and
 * PostgreSQL are killed together (SIGKILL, as a power cut leaves them) and Cohort starts again on the same home.
 * Every submit that was answered must be stored. Also: nobody gets in without a password, Cohort's role is not a
 * superuser, and a clean stop leaves no server behind.
 */
class DurabilityIT {

    private static final int CLIENTS = 50;
    private static final int PAGES = 400;

    @TempDir
    Path home;

    @Test
    void everyAnsweredSubmitSurvivesAKillOfTheJvmAndPostgresTogether() throws Exception {
        writeExperiment();
        Map<String, String> urls;
        Map<String, Integer> answered = new HashMap<>();
        try (RunningCohort cohort = embedded().start()) {
            assertLockedDown(cohort);
            AdminHttp.Response made = cohort.api()
                    .postForm(
                            "/api/sessions",
                            Map.of(
                                    "experiment",
                                    "durable",
                                    "participants",
                                    Integer.toString(CLIENTS),
                                    "name",
                                    "durability"));
            assertEquals(201, made.status(), made.toString());
            urls = new java.util.LinkedHashMap<>();
            for (JsonNode p : MTurkLab.read(made).path("participants")) {
                urls.put(p.path("id").asText(), p.path("url").asText());
            }
            assertEquals(CLIENTS, urls.size());

            AtomicBoolean go = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            List<Future<Integer>> counts = new ArrayList<>();
            for (String url : urls.values()) {
                counts.add(
                        pool.submit(() -> submitUntilStopped(http, cohort.url().resolve(url), go)));
            }
            Thread.sleep(6_000);
            // The JVM and PostgreSQL die at the same instant, answers in flight and all.
            long postmaster = postmasterPid();
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
            cohort.kill();
            go.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            int i = 0;
            for (String id : urls.keySet()) {
                answered.put(id, counts.get(i++).get());
            }
            ProcessHandle.of(postmaster).ifPresent(p -> p.onExit().join());
        }
        int total = answered.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println(
                "DurabilityIT: " + total + " page submits answered by " + CLIENTS + " clients before the kill");
        assertTrue(total > CLIENTS, "too few submits to show anything: " + total);

        try (RunningCohort again = embedded().start()) {
            try (Connection c = asCohort()) {
                int lost = 0;
                for (Map.Entry<String, Integer> e : answered.entrySet()) {
                    int stored = storedAnswers(c, e.getKey());
                    if (stored < e.getValue()) {
                        lost += e.getValue() - stored;
                    }
                }
                assertEquals(0, lost, "answered submits missing after the restart (of " + total + ")");
            }
            long pid = postmasterPid();
            again.close();
            assertFalse(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "a clean stop leaves no PostgreSQL running");
        }
    }

    @Test
    void aServerLeftByAKilledJvmIsStoppedAndStartedAgain() throws Exception {
        writeExperiment();
        long orphan;
        try (RunningCohort cohort = embedded().start()) {
            orphan = postmasterPid();
            cohort.kill();
        }
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "killing the JVM left postgres");
        try (RunningCohort again = embedded().start()) {
            assertEquals(200, again.api().get("/api/sessions").status());
            assertFalse(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "the orphan was stopped");
            String log = again.stderr();
            assertTrue(log.contains("An embedded PostgreSQL left running by a process that is gone (pid "), log);
            long restarted = postmasterPid();
            again.close();
            assertFalse(ProcessHandle.of(restarted).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    private RunningCohort.Builder embedded() {
        return RunningCohort.fromSystemProperty()
                .home(home)
                .env("COHORT_DB_URL", null)
                .startTimeout(Duration.ofSeconds(120));
    }

    /** Over TCP as a local user would try: postgres with no password is refused; Cohort's role is no superuser. */
    private void assertLockedDown(RunningCohort cohort) throws Exception {
        int port = Integer.parseInt(Files.readAllLines(home.resolve("data/pg/postmaster.pid"))
                .get(3)
                .trim());
        for (String user : List.of("postgres", "cohort")) {
            try (Connection ignored =
                    DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + user)) {
                throw new AssertionError(user + " connected with no password");
            } catch (SQLException e) {
                assertTrue(e.getMessage().contains("password"), e.getMessage());
            }
        }
        try (Connection c = asCohort();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1), "Cohort's role is a superuser");
            }
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                    assertTrue(rs.next());
                    assertEquals("on", rs.getString(1), setting);
                }
            }
            SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    SQLException.class, () -> s.execute("COPY (SELECT 1) TO PROGRAM 'true'"));
            assertTrue(
                    refused.getMessage().contains("permission denied")
                            || refused.getMessage().contains("must be"),
                    refused.getMessage());
        }
        assertEquals(
                java.util.Set.of(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(home.resolve("data/pg-password")),
                "readable only by Cohort's user");
        assertTrue(cohort.isAlive());
    }

    private Connection asCohort() throws Exception {
        int port = Integer.parseInt(Files.readAllLines(home.resolve("data/pg/postmaster.pid"))
                .get(3)
                .trim());
        Properties p = new Properties();
        p.setProperty("user", "cohort");
        p.setProperty(
                "password", Files.readString(home.resolve("data/pg-password")).strip());
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(Files.readAllLines(home.resolve("data/pg/postmaster.pid"))
                .get(0)
                .trim());
    }

    private static int storedAnswers(Connection c, String participant) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*) FROM cohort.field_value WHERE participant_id = ? AND key = 'a'")) {
            ps.setString(1, participant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Submits page after page; returns how many were answered (the 303 to the next page). */
    private static int submitUntilStopped(HttpClient http, URI participant, AtomicBoolean go) {
        int answered = 0;
        for (int page = 0; page < PAGES && go.get(); page++) {
            HttpRequest post = HttpRequest.newBuilder(participant)
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("_page=" + page + "&a=" + page))
                    .build();
            try {
                HttpResponse<Void> r = http.send(post, HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 303) {
                    return answered;
                }
                answered++;
            } catch (Exception e) {
                return answered; // the kill: this one was not answered
            }
        }
        return answered;
    }

    private void writeExperiment() throws Exception {
        Path dir = Files.createDirectories(home.resolve("experiments/durable"));
        StringBuilder yaml = new StringBuilder("name: durable\ntitle: Durable\nversion: \"1\"\npages:\n");
        for (int i = 0; i < PAGES; i++) {
            yaml.append("  - {name: q")
                    .append(i)
                    .append(", kind: form, template: q.peb, fields: [{name: a, type: int}]}\n");
        }
        Files.writeString(dir.resolve("experiment.yaml"), yaml);
        Files.writeString(dir.resolve("q.peb"), "{% extends \"participant.peb\" %}{% block content %}q{% endblock %}");
    }
}
