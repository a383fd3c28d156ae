package io.cohort.platform.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.platform.TestFramework;
import io.cohort.testkit.TestDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Hashtable;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/** Two nodes, each its own Felix framework and {@link PgEvents}, on one real PostgreSQL database. */
class PgEventsTest {

    private static final String EXPORTS = "io.cohort.api.event;version=1.0.0,io.cohort.api.storage;version=1.0.0";

    private static HikariDataSource pool;
    private static Framework frameworkA;
    private static Framework frameworkB;
    private static PgEvents nodeA;
    private static PgEvents nodeB;

    @BeforeAll
    static void start() throws Exception {
        String url = TestDatabase.create();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        pool = new HikariDataSource(config);
        frameworkA = TestFramework.start(Files.createTempDirectory("felix-a"), EXPORTS);
        frameworkB = TestFramework.start(Files.createTempDirectory("felix-b"), EXPORTS);
        nodeA = new PgEvents(pool, url, "a", frameworkA.getBundleContext());
        nodeB = new PgEvents(pool, url, "b", frameworkB.getBundleContext());
        nodeA.start();
        nodeB.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        TestFramework.stop(frameworkA);
        TestFramework.stop(frameworkB);
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void aListenerOnOneNodeReceivesWhatAnotherNodePublishes() throws Exception {
        Queue onB = register(frameworkB, "participant/status");
        Queue onA = register(frameworkA, "participant/status");
        Instant before = Instant.now().minusSeconds(1);

        nodeA.publish("participant/status", "{\"id\":7,\"status\":\"STARTED\"}");

        Event got = onB.next();
        assertEquals("participant/status", got.topic());
        assertEquals("{\"id\":7,\"status\":\"STARTED\"}", got.payload());
        assertEquals("a", got.node());
        assertTrue(!got.at().isBefore(before) && !got.at().isAfter(Instant.now()), "at: " + got.at());
        assertEquals("a", onA.next().node(), "the publisher's own node delivers too");
        onA.unregister();
        onB.unregister();
    }

    @Test
    void topicsMatchExactlyByPrefixOrAll() throws Exception {
        Queue prefix = register(frameworkB, "room/*");
        Queue several = register(frameworkB, new String[] {"session/open", "chat/*"});
        Queue all = register(frameworkB, "*");

        nodeA.publish("room/joined", "1");
        nodeA.publish("roomy", "2");
        nodeA.publish("session/open", "3");
        nodeA.publish("session/opened", "4");
        nodeA.publish("chat/x/y", "5");

        assertEquals("1", prefix.next().payload());
        assertEquals("3", several.next().payload());
        assertEquals("5", several.next().payload());
        for (String payload : new String[] {"1", "2", "3", "4", "5"}) {
            assertEquals(payload, all.next().payload());
        }
        assertNull(prefix.poll(), "room/* must not match roomy");
        assertNull(several.poll(), "session/open must not match session/opened");
        prefix.unregister();
        several.unregister();
        all.unregister();
    }

    @Test
    void anUnregisteredListenerReceivesNothingMore() throws Exception {
        Queue leaving = register(frameworkB, "leave/*");
        Queue marker = register(frameworkB, "leave/marker");
        nodeA.publish("leave/one", "1");
        assertEquals("1", leaving.next().payload());

        leaving.unregister();
        nodeA.publish("leave/two", "2");
        nodeA.publish("leave/marker", "m");

        // One dispatch thread per node: once the marker is delivered, leave/two has been dispatched too.
        assertEquals("m", marker.next().payload());
        assertNull(leaving.poll());
        marker.unregister();
    }

    @Test
    void oversizePayloadsAndBadTopicsAreRefused() throws Exception {
        IllegalArgumentException tooLong =
                assertThrows(IllegalArgumentException.class, () -> nodeA.publish("big", "x".repeat(7001)));
        assertTrue(tooLong.getMessage().contains("7001"), tooLong.getMessage());

        // Multi-byte characters count in bytes: 3,500 two-byte characters are 7,000 bytes, 3,501 are too many.
        assertThrows(IllegalArgumentException.class, () -> nodeA.publish("big", "é".repeat(3501)));

        IllegalArgumentException escaped =
                assertThrows(IllegalArgumentException.class, () -> nodeA.publish("big", "\"".repeat(7000)));
        assertTrue(escaped.getMessage().contains("escaped"), escaped.getMessage());

        assertThrows(IllegalArgumentException.class, () -> nodeA.publish("", "x"));
        assertThrows(IllegalArgumentException.class, () -> nodeA.publish("has space", "x"));
        assertThrows(IllegalArgumentException.class, () -> nodeA.publish(null, "x"));

        Queue big = register(frameworkB, "big");
        nodeA.publish("big", "é".repeat(3500));
        assertEquals(3500, big.next().payload().length());
        big.unregister();
    }

    @Test
    void aThrowingListenerDoesNotStopOthers() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventListener.TOPIC, "boom");
        ServiceRegistration<EventListener> throwing = frameworkB
                .getBundleContext()
                .registerService(
                        EventListener.class,
                        e -> {
                            throw new IllegalStateException("listener failure on purpose");
                        },
                        props);
        Queue calm = register(frameworkB, "boom");

        nodeA.publish("boom", "1");
        nodeA.publish("boom", "2");

        assertEquals("1", calm.next().payload());
        assertEquals("2", calm.next().payload());
        throwing.unregister();
        calm.unregister();
    }

    @Test
    void listeningResumesAfterTheConnectionIsKilled() throws Exception {
        Queue onB = register(frameworkB, "resume");
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement();
                ResultSet killed = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND query = 'LISTEN cohort_events'")) {
            killed.next();
            assertEquals(2, killed.getInt(1));
        }
        // Events published while a node is disconnected are lost (at most once): publish until one arrives.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        Event got = null;
        while (got == null && Instant.now().isBefore(deadline)) {
            nodeA.publish("resume", "again");
            got = onB.queue.poll(500, TimeUnit.MILLISECONDS);
        }
        assertNotNull(got, "node B never listened again");
        assertEquals("again", got.payload());
        onB.unregister();
    }

    private static Queue register(Framework framework, Object topics) {
        Queue q = new Queue();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventListener.TOPIC, topics);
        BundleContext context = framework.getBundleContext();
        q.registration = context.registerService(EventListener.class, q.queue::add, props);
        return q;
    }

    /** A listener that queues what it receives. */
    private static final class Queue {
        final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        ServiceRegistration<EventListener> registration;

        Event next() throws InterruptedException {
            Event e = queue.poll(5, TimeUnit.SECONDS);
            assertNotNull(e, "no event within 5 s");
            return e;
        }

        Event poll() {
            return queue.poll();
        }

        void unregister() {
            registration.unregister();
        }
    }
}
