package io.cohort.platform.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.InProcessNode;
import io.cohort.platform.TestExperiments;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * A node that stops beating (kill -9) left its participants online and its waiting people counted; the live nodes
 * now take that back within {@value NodePresence#DEAD_SECONDS} s of its last beat (plus one tick).
 */
class NodePresenceTest {

    @TempDir
    static Path home;

    static InProcessNode node;
    static String db;

    @BeforeAll
    static void start() throws Exception {
        TestExperiments.formPages(home, "solo", "x", "only");
        db = TestDatabase.create();
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", db, "COHORT_NODE_NAME", "alive"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    static Participant participant() {
        BundleContext c = node.context();
        Session s = c.getService(c.getServiceReference(Sessions.class))
                .create(new NewSession("solo", 1, null, null, List.of(), false, "test"));
        return c.getService(c.getServiceReference(Participants.class))
                .ofSession(s.id())
                .get(0);
    }

    static String one(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void run(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void whatADeadNodeHeldIsTakenBackByTheLiveOnes() throws Exception {
        Participant p = participant();
        // What a node killed mid-session leaves behind: its last beat, its sockets counted, its people online.
        // Its last beat was 5 s ago: it was killed then.
        run("INSERT INTO cohort.node_heartbeat (node, beat_at) VALUES ('ghost', now() - interval '5 seconds')");
        run("UPDATE cohort.participant SET online = true WHERE id = '" + p.id() + "'");
        run("INSERT INTO cohort.node_presence VALUES ('ghost', 'participant', '" + p.id() + "', 1)");
        run("INSERT INTO cohort.room (name, experiment, capacity, open, created_by) VALUES ('hall', 'solo', 5, true,"
                + " 'test')");
        run("INSERT INTO cohort.room_waiting (seat, room, label, sockets) VALUES ('seat-1', 'hall', 'A', 1)");
        run("INSERT INTO cohort.node_presence VALUES ('ghost', 'seat', 'seat-1', 1)");
        long killed = System.nanoTime();
        long deadline = killed + TimeUnit.SECONDS.toNanos(NodePresence.DEAD_SECONDS + 10);
        while (System.nanoTime() < deadline
                && "t".equals(one("SELECT online FROM cohort.participant WHERE id = '" + p.id() + "'"))) {
            Thread.sleep(200);
        }
        long millis = 5000 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        long seconds = millis / 1000;
        System.out.println("NodePresenceTest: a dead node's presence cleared " + millis + " ms after its last beat");
        assertEquals("f", one("SELECT online FROM cohort.participant WHERE id = '" + p.id() + "'"));
        assertTrue(seconds <= 15, "cleared " + seconds + " s after the kill");
        assertEquals("0", one("SELECT sockets FROM cohort.room_waiting WHERE seat = 'seat-1'"));
        assertEquals("0", one("SELECT count(*) FROM cohort.node_presence WHERE node = 'ghost'"));
        assertEquals(null, one("SELECT node FROM cohort.node_heartbeat WHERE node = 'ghost'"));
        // The live node beats.
        assertEquals("alive", one("SELECT node FROM cohort.node_heartbeat WHERE beat_at > now() - interval '10 s'"));
    }

    @Test
    void aParticipantWithATabOnAnotherLiveNodeStaysOnlineWhenOneTabCloses() throws Exception {
        Participant p = participant();
        run("INSERT INTO cohort.node_heartbeat (node, beat_at) VALUES ('other', now()) ON CONFLICT (node)"
                + " DO UPDATE SET beat_at = now()");
        run("INSERT INTO cohort.node_presence VALUES ('other', 'participant', '" + p.id() + "', 1)");
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create(node.url().replace("http", "ws") + "ws/p/" + p.sessionId() + "/" + p.token()),
                        new WebSocket.Listener() {})
                .get(5, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until
                && !"t".equals(one("SELECT online FROM cohort.participant WHERE id = '" + p.id() + "'"))) {
            Thread.sleep(100);
        }
        assertEquals(
                "1",
                one("SELECT sockets FROM cohort.node_presence WHERE node = 'alive' AND target = '" + p.id() + "'"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until
                && one("SELECT node FROM cohort.node_presence WHERE node = 'alive' AND" + " target = '" + p.id() + "'")
                        != null) {
            Thread.sleep(100);
        }
        assertEquals(
                null, one("SELECT node FROM cohort.node_presence WHERE node = 'alive' AND target = '" + p.id() + "'"));
        assertEquals("t", one("SELECT online FROM cohort.participant WHERE id = '" + p.id() + "'"), "the other tab");
        run("DELETE FROM cohort.node_presence WHERE node = 'other'");
        run("DELETE FROM cohort.node_heartbeat WHERE node = 'other'");
    }

    static String page(InProcessNode n, Participant p) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(n.url() + "p/" + p.sessionId() + "/" + p.token() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The quit beacon a page numbered {@code load} sends when it is left. */
    static HttpResponse<String> beacon(InProcessNode n, Participant p, long load) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(n.url() + "p/" + p.sessionId() + "/" + p.token() + "/quit"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"load\": " + load + "}"))
                                .header("Content-Type", "text/plain")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    static long load(String html) {
        Matcher m = Pattern.compile("\"load\":\\s*(\\d+)").matcher(html);
        assertTrue(m.find(), "the page carries its rendering's number: " + html);
        return Long.parseLong(m.group(1));
    }

    /**
     * A reload served by another node behind the proxy, then the old page's quit beacon (sent by the browser after
     * the new page loaded) reaching the first node: it must not mark the participant gone. Each node used to number
     * renderings by itself and judge a beacon by its own numbers only.
     */
    @Test
    void anOldPagesQuitBeaconDoesNotCountOnAnotherNode(@TempDir Path otherHome) throws Exception {
        Files.createDirectories(otherHome.resolve("experiments"));
        Files.walk(home.resolve("experiments/solo")).forEach(f -> {
            try {
                Files.copy(
                        f,
                        otherHome
                                .resolve("experiments/solo")
                                .resolve(home.resolve("experiments/solo")
                                        .relativize(f)
                                        .toString()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (InProcessNode other =
                InProcessNode.start(otherHome, Map.of("COHORT_DB_URL", db, "COHORT_NODE_NAME", "second"))) {
            Participant p = participant();
            long first = load(page(node, p));
            long second = load(page(other, p));
            assertTrue(second > first, first + " then " + second);
            HttpResponse<String> beacon = beacon(node, p, first);
            assertEquals(200, beacon.statusCode());
            assertEquals("{\"quit\":false}", beacon.body());
            assertEquals("STARTED", one("SELECT status FROM cohort.participant WHERE id = '" + p.id() + "'"));
            // The latest page's own beacon, on either node, does count.
            HttpResponse<String> last = beacon(node, p, second);
            assertEquals("{\"quit\":true}", last.body());
            assertEquals("QUIT_EARLY", one("SELECT status FROM cohort.participant WHERE id = '" + p.id() + "'"));
        }
    }
}
