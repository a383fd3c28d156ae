package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.event.Events;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.Config;
import io.cohort.platform.ConfigException;
import io.cohort.platform.InProcessNode;
import io.cohort.platform.TestExperiments;
import io.cohort.testkit.TestDatabase;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A participant's page may hold its socket for a long time without sending anything; Jetty closes such a socket after
 * {@code socket.idle.seconds} (300 by default: a benchmark lost 2,952 of 10,000 sockets that way). The host pings
 * every open socket every {@code socket.ping.seconds}, and the client's automatic pongs keep it open. Here with an
 * idle timeout of 2 s: one node pings every 0.5 s, the other not at all.
 */
class SocketPingTest {

    @TempDir
    static Path home;

    static InProcessNode pinging;
    static InProcessNode quiet;

    @BeforeAll
    static void start() throws Exception {
        String db = TestDatabase.create();
        pinging = node(db, "pinging", "0.5");
        quiet = node(db, "quiet", "0");
    }

    /** A node on {@code db} whose sockets go idle after 2 s, pinged every {@code ping} seconds (0: never). */
    static InProcessNode node(String db, String name, String ping) throws Exception {
        return InProcessNode.start(
                experiment(home.resolve(name)),
                Map.of(
                        "COHORT_DB_URL", db,
                        "COHORT_NODE_NAME", name,
                        "COHORT_SOCKET_IDLE_SECONDS", "2",
                        "COHORT_SOCKET_PING_SECONDS", ping));
    }

    @AfterAll
    static void stop() throws Exception {
        for (InProcessNode node : new InProcessNode[] {pinging, quiet}) {
            if (node != null) {
                node.close();
            }
        }
    }

    static Path experiment(Path nodeHome) throws Exception {
        return TestExperiments.formPages(nodeHome, "solo", "x", "only");
    }

    static <T> T service(InProcessNode node, Class<T> type) {
        BundleContext c = node.context();
        return c.getService(c.getServiceReference(type));
    }

    static Participant participant(InProcessNode node) {
        Session s =
                service(node, Sessions.class).create(new NewSession("solo", 1, null, null, List.of(), false, "test"));
        return service(node, Participants.class).ofSession(s.id()).get(0);
    }

    /** A participant page's socket whose client sends nothing (but answers pings, as browsers do). */
    static final class QuietClient implements WebSocket.Listener {
        final AtomicInteger pings = new AtomicInteger();
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        /** The close's code and reason, or the error. */
        final CompletableFuture<String> closed = new CompletableFuture<>();

        final WebSocket socket;

        QuietClient(InProcessNode node, Participant p) throws Exception {
            socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(
                            URI.create(node.url().replace("http", "ws") + "ws/p/" + p.sessionId() + "/" + p.token()),
                            this)
                    .get(5, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1); // the client's pong goes out by itself
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(error.toString());
        }
    }

    @Test
    void aQuietSocketThatIsPingedStaysOpenAndStillGetsTheHostsMessages() throws Exception {
        Participant p = participant(pinging);
        QuietClient client = new QuietClient(pinging, p);
        Thread.sleep(6_000); // three idle timeouts
        assertFalse(client.closed.isDone(), () -> "closed: " + client.closed.join());
        assertTrue(client.pings.get() >= 6, "pinged " + client.pings + " times in 6 s");

        service(pinging, Events.class)
                .publish(
                        "participant/command",
                        "{\"participant\": \"" + p.id() + "\", \"type\": \"message\", \"text\": \"still here\"}");
        String text = client.texts.poll(5, TimeUnit.SECONDS);
        assertTrue(text != null && text.contains("still here"), "received " + text);
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    @Test
    void withPingsOffTheServerClosesAQuietSocketAfterItsIdleTimeout() throws Exception {
        QuietClient client = new QuietClient(quiet, participant(quiet));
        long opened = System.nanoTime();
        String closed = client.closed.get(6, TimeUnit.SECONDS);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - opened);
        assertTrue(closed.startsWith("1001 ") && closed.contains("Idle timeout"), closed);
        assertTrue(seconds >= 1, "closed after " + seconds + " s, not by the idle timeout of 2 s");
        assertEquals(0, client.pings.get());
    }

    /**
     * A send to a client that reads slowly blocks, holding its connection, for as long as the client keeps reading
     * (each read is progress, so Jetty does not time it out). Meanwhile the other sockets are pinged as usual.
     */
    @Test
    void aSlowClientDoesNotHoldBackThePingsOfTheOthers() throws Exception {
        CompletableFuture<SocketEndpoint.Socket> opened = new CompletableFuture<>();
        ServiceRegistration<SocketEndpoint> endpoint = pinging.context()
                .registerService(
                        SocketEndpoint.class,
                        new SocketEndpoint() {
                            @Override
                            public void onOpen(Socket socket) {
                                opened.complete(socket);
                            }

                            @Override
                            public void onMessage(Socket socket, String message) {}
                        },
                        new Hashtable<>(
                                Map.of(SocketEndpoint.PATH, "slow-reader", SocketEndpoint.AUDIENCE, "participant")));
        try (java.net.Socket slow = new java.net.Socket()) {
            slow.setReceiveBufferSize(64 * 1024);
            slow.setSoTimeout(1000);
            slow.connect(new InetSocketAddress("127.0.0.1", pinging.host().port()), 5000);
            slow.getOutputStream()
                    .write(("GET /ws/slow-reader HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = slow.getInputStream();
            byte[] status = in.readNBytes(12);
            assertEquals("HTTP/1.1 101", new String(status, StandardCharsets.US_ASCII));
            SocketEndpoint.Socket socket = opened.get(5, TimeUnit.SECONDS);
            Thread sender = new Thread(() -> socket.send("x".repeat(32 << 20)), "slow-send");
            sender.setDaemon(true);
            sender.start();

            QuietClient client = new QuietClient(pinging, participant(pinging));
            // At most 64 KB every 20 ms (3 MB/s): the 32 MB take longer than the test, yet Jetty's write moves
            // (the kernel wakes it each time about a third of its send buffer has gone out).
            byte[] some = new byte[64 * 1024];
            long read = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // two idle timeouts
            while (System.nanoTime() < until) {
                try {
                    read += Math.max(0, in.read(some));
                } catch (SocketTimeoutException nothingYet) {
                    // read again after the pause
                }
                Thread.sleep(20);
            }
            assertTrue(read > 1_000_000, "the slow client read " + read + " bytes");
            assertTrue(sender.isAlive(), "the send to the slow client was still under way");
            assertFalse(client.closed.isDone(), () -> "closed: " + client.closed.join());
            assertTrue(client.pings.get() >= 4, "pinged " + client.pings + " times in 4 s");
        } finally {
            endpoint.unregister();
        }
    }

    @Test
    void pingsMayBeFractionsOfASecondAndMustComeBeforeTheIdleTimeout() {
        Path none = home.resolve("no-such-home");
        Config defaults = Config.load(none, none, Map.of());
        assertEquals(Duration.ofSeconds(30), defaults.socketPing());
        assertEquals(Duration.ofSeconds(300), defaults.socketIdle());
        assertEquals(
                Duration.ofMillis(500),
                Config.load(none, none, Map.of("COHORT_SOCKET_PING_SECONDS", "0.5"))
                        .socketPing());
        ConfigException late = assertThrows(
                ConfigException.class,
                () -> Config.load(
                        none, none, Map.of("COHORT_SOCKET_PING_SECONDS", "60", "COHORT_SOCKET_IDLE_SECONDS", "60")));
        assertTrue(late.getMessage().startsWith("socket.ping.seconds: 60 must be below"), late.getMessage());
        assertThrows(
                ConfigException.class,
                () -> Config.load(none, none, Map.of("COHORT_SOCKET_IDLE_SECONDS", "0")),
                "an idle timeout of 0");
        assertThrows(
                ConfigException.class,
                () -> Config.load(none, none, Map.of("COHORT_SOCKET_PING_SECONDS", "soon")),
                "not a number");
    }
}
