package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.Folders;
import io.cohort.testkit.RunningCohort;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one shared part restarted under load: two nodes on a PostgreSQL server of this test's own (stopped and started
 * again on the same port and data), participants submitting on both. The nodes recover by themselves (no restart of
 * theirs), every submit they acknowledged is stored, the ones they could not answer succeed when sent again, and
 * commands between nodes flow again (LISTEN is re-established).
 */
class DatabaseRestartIT {

    static final int BOTS = 60;

    static EmbeddedPostgres postgres(int port, Path data) throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    @Test
    void nodesRecoverByThemselvesAndLoseNoAcknowledgedSubmit(@TempDir Path work) throws Exception {
        int port = RunningCohort.freePort();
        Path data = work.resolve("pg");
        EmbeddedPostgres server = postgres(port, data);
        List<RunningCohort> nodes = new ArrayList<>();
        try {
            try (Connection c = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres"));
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE restart");
            }
            String database = "jdbc:postgresql://127.0.0.1:" + port + "/restart?user=postgres";
            for (String name : List.of("a", "b")) {
                RunningCohort.Builder node = RunningCohort.fromSystemProperty()
                        .env("COHORT_DB_URL", database)
                        .env("COHORT_NODE_NAME", name);
                Folders.copy(
                        Path.of("src/test/resources/experiments/relay"),
                        node.home().resolve("experiments/relay"));
                nodes.add(node.start());
            }
            RunningCohort a = nodes.get(0);
            RunningCohort b = nodes.get(1);
            Relay.Session session = Relay.session(a.api(), BOTS + 1, "restart");
            List<String> ids = new ArrayList<>(session.paths().keySet());
            // One participant's open page, on node b: the admin on node a writes to it after the restart.
            String listener = ids.remove(BOTS);
            LinkedBlockingQueue<JsonNode> heard = new LinkedBlockingQueue<>();
            var socket = LoadBalancerIT.page(
                    b.url().resolve("/"), "ws/" + session.paths().get(listener).replaceAll("/$", ""), heard);

            Relay.Tally tally = new Relay.Tally();
            ExecutorService bots = Executors.newFixedThreadPool(BOTS);
            for (int i = 0; i < BOTS; i++) {
                URI node = nodes.get(i % 2).url();
                String id = ids.get(i);
                bots.submit(() -> Relay.bot(node, id, session.paths().get(id), tally, 600));
            }
            Eventually.within(Duration.ofSeconds(60), "the load is under way", tally.submits::get, n -> n >= 100);
            int before = tally.submits.get();
            server.close(); // a fast shutdown: sessions cut, as a failover or a restart does
            long stopped = System.nanoTime();
            Relay.sleep(4000);
            server = postgres(port, data);
            long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);

            bots.shutdown();
            assertTrue(bots.awaitTermination(120, TimeUnit.SECONDS), "the bots finished");
            assertEquals(BOTS, tally.finished.size(), "participants who reached the end: " + tally.errors);
            assertTrue(!tally.errors.isEmpty(), "the outage was felt");
            Relay.assertNothingAcknowledgedIsLost(a, tally, session.id());
            assertTrue(tally.answered.size() >= BOTS * Relay.STEPS, "every step answered in the end");
            Map<String, String> monitor = Relay.statuses(b, session.id());
            for (String id : ids) {
                assertEquals("COMPLETED", monitor.get(id), id);
            }
            // Events between nodes again: a message sent on a reaches the page whose socket is on b.
            a.api()
                    .postForm(
                            "/api/sessions/" + session.id() + "/actions/message",
                            Map.of("participants", listener, "text", "After the restart"));
            JsonNode message = heard.poll(20, TimeUnit.SECONDS);
            while (message != null && !message.path("text").asText().equals("After the restart")) {
                message = heard.poll(20, TimeUnit.SECONDS);
            }
            assertEquals(
                    "After the restart",
                    message == null ? null : message.path("text").asText(),
                    "a command between nodes after the restart");
            socket.abort();
            System.out.println("DatabaseRestartIT: PostgreSQL down " + downMs + " ms under " + BOTS
                    + " participants (" + before + " submits before); " + tally.errors.size()
                    + " requests failed meanwhile and were sent again; " + tally.answered.size()
                    + " acknowledged submits, all stored; both nodes recovered without a restart");
        } finally {
            for (RunningCohort n : nodes) {
                n.close();
            }
            server.close();
        }
    }
}
