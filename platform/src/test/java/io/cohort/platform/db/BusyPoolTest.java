package io.cohort.platform.db;

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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * Every connection of the pool busy for longer than a few seconds (a lock held elsewhere, a node just started and
 * still slow, a burst): a participant's request waits its turn and is answered, instead of an error page after
 * Hikari's wait. A rolling restart of three nodes under load met this in CI.
 */
class BusyPoolTest {

    @TempDir
    static Path home;

    static InProcessNode node;
    static String database;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        TestExperiments.formPages(home, "note", "<p id=\"here\">here</p>", "first", "second");
        database = TestDatabase.create();
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", database, "COHORT_DB_POOL_SIZE", "2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aRequestWaitsForABusyPoolLongerThanAFewSecondsAndIsAnswered() throws Exception {
        BundleContext c = node.context();
        Session s = c.getService(c.getServiceReference(Sessions.class))
                .create(new NewSession("note", 2, null, null, List.of(), false, "test"));
        List<Participant> people =
                c.getService(c.getServiceReference(Participants.class)).ofSession(s.id());
        Participant held = people.get(0);
        Participant other = people.get(1);
        assertEquals(200, get(other).statusCode(), "the other participant's page, first load");
        assertEquals(200, get(held).statusCode(), "the held participant's page, first load");

        List<CompletableFuture<HttpResponse<String>>> submits = new ArrayList<>();
        CompletableFuture<HttpResponse<String>> waiting;
        long sent;
        try (Connection lock = DriverManager.getConnection(database)) {
            lock.setAutoCommit(false);
            try (PreparedStatement ps =
                    lock.prepareStatement("SELECT id FROM cohort.participant WHERE id = ? FOR UPDATE")) {
                ps.setString(1, held.id());
                ps.executeQuery().close();
            }
            // Two submits of the held participant wait for its row, each holding one of the pool's two connections.
            for (int i = 0; i < 2; i++) {
                submits.add(HTTP.sendAsync(
                        HttpRequest.newBuilder(page(held))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("_page=0"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(1000);
            sent = System.nanoTime();
            waiting = HTTP.sendAsync(HttpRequest.newBuilder(page(other)).build(), HttpResponse.BodyHandlers.ofString());
            // Longer than Hikari's old five-second wait for a connection.
            Thread.sleep(7000);
            assertTrue(!waiting.isDone() || waiting.get().statusCode() == 200, "no error while the pool is busy");
            lock.rollback();
        }
        HttpResponse<String> answered = waiting.get(20, TimeUnit.SECONDS);
        long waitedMs = Duration.ofNanos(System.nanoTime() - sent).toMillis();
        assertEquals(200, answered.statusCode(), answered.body());
        assertTrue(answered.body().contains("<p id=\"here\">here</p>"), answered.body());
        assertTrue(waitedMs >= 6000, "it did wait for the pool: " + waitedMs + " ms");
        for (CompletableFuture<HttpResponse<String>> submit : submits) {
            int status = submit.get(20, TimeUnit.SECONDS).statusCode();
            assertTrue(status == 303 || status == 409, "a held submit is answered once the row is free: " + status);
        }
    }

    private static URI page(Participant p) {
        return URI.create(node.url() + "p/" + p.sessionId() + "/" + p.token() + "/");
    }

    private static HttpResponse<String> get(Participant p) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(page(p)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
