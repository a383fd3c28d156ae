package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL behind the install's own HAProxy configuration (conf/loadbalancer/haproxy.cfg, its
 * addresses replaced by this test's loopback ports): pages and the participant's WebSocket pass through the proxy;
 * the node holding the socket is killed (SIGKILL); the page reconnects through the proxy to the other node, and gets
 * the command the admin sent while it had no socket; what the dead node held is taken back.
 */
class LoadBalancerIT {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A socket as cohort.js keeps one: it says hello on opening and acknowledges each command. */
    static WebSocket page(URI proxy, String path, LinkedBlockingQueue<JsonNode> heard) throws Exception {
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create(proxy.toString().replace("http", "ws") + path), new WebSocket.Listener() {
                    private final StringBuilder parts = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        parts.append(data);
                        if (last) {
                            try {
                                JsonNode command = MTurkLab.JSON.readTree(parts.toString());
                                heard.add(command);
                                w.sendText("{\"ack\": " + command.path("id").asLong() + "}", true);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            parts.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("{\"hello\": null}", true).get(5, TimeUnit.SECONDS);
        return ws;
    }

    /** The status of a GET through the proxy; -1 when the connection fails. */
    static int get(URI proxy, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(proxy.resolve(path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Test
    void aNodeKilledUnderAParticipantIsReplacedThroughTheProxy(@TempDir Path work) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "Debian's haproxy is not installed");
        String database = TestDatabase.create();
        RunningCohort n1 = RunningCohort.fromSystemProperty()
                .env("COHORT_DB_URL", database)
                .env("COHORT_NODE_NAME", "n1")
                .env("COHORT_SHUTDOWN_DRAIN_SECONDS", "3")
                .start();
        RunningCohort n2 = RunningCohort.fromSystemProperty()
                .env("COHORT_DB_URL", database)
                .env("COHORT_NODE_NAME", "n2")
                .env("COHORT_SHUTDOWN_DRAIN_SECONDS", "3")
                .start();
        int port = RunningCohort.freePort();
        Path shipped = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY))
                .resolve("conf/loadbalancer/haproxy.cfg");
        String config = Files.readString(shipped)
                .replace("bind 127.0.0.1:8000", "bind 127.0.0.1:" + port)
                .replace("/etc/haproxy/", shipped.getParent() + "/")
                .replace("server n1 127.0.0.1:8081 check", "server n1 127.0.0.1:" + n1.port() + " check")
                .replace("server n2 127.0.0.1:8082 check", "server n2 127.0.0.1:" + n2.port() + " check")
                .replace("    server n3 127.0.0.1:8083 check\n", "");
        Path cfg = Files.writeString(work.resolve("haproxy.cfg"), config);
        Process haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("haproxy.log").toFile())
                .start();
        try {
            URI proxy = URI.create("http://127.0.0.1:" + port + "/");
            Eventually.within(Duration.ofSeconds(20), "the proxy serves", () -> get(proxy, "healthz"), s -> s == 200);

            // A session on the admin node; its participant's page and socket go through the proxy.
            JsonNode made = MTurkLab.read(n1.api()
                    .postForm("/api/sessions", Map.of("experiment", "stroop", "participants", "1", "name", "lb")));
            String session = made.path("session").path("id").asText();
            JsonNode row = MTurkLab.read(n1.api().get("/api/sessions/" + session))
                    .path("participants")
                    .get(0);
            String url = row.path("url").asText();
            String participant = row.path("id").asText();
            for (int i = 0; i < 4; i++) {
                assertEquals(200, get(proxy, url.substring(1)), "the page, through the proxy (round robin)");
            }
            String socketPath = "ws" + url.replaceAll("/$", "");
            LinkedBlockingQueue<JsonNode> heard = new LinkedBlockingQueue<>();
            WebSocket ws = page(proxy, socketPath, heard);
            String holder = Eventually.within(
                            Duration.ofSeconds(10),
                            "the socket's node is recorded",
                            () -> n1.sql("SELECT node FROM cohort.node_presence WHERE target = '" + participant + "'"),
                            node -> node != null)
                    .value();
            n1.api()
                    .postForm(
                            "/api/sessions/" + session + "/actions/message",
                            Map.of("participants", participant, "text", "Hello through the proxy"));
            JsonNode first = heard.poll(10, TimeUnit.SECONDS);
            assertEquals(
                    "Hello through the proxy",
                    first == null ? null : first.path("text").asText());

            // The node holding the socket dies; the admin writes (on the other node) while the page has no socket.
            RunningCohort dead = holder.equals("n1") ? n1 : n2;
            RunningCohort alive = dead == n1 ? n2 : n1;
            long killed = System.nanoTime();
            dead.kill();
            alive.api()
                    .postForm(
                            "/api/sessions/" + session + "/actions/message",
                            Map.of("participants", participant, "text", "Sent while you were away"));
            // The page reconnects, as cohort.js does, through the proxy: the other node takes it and hands over the
            // command it missed.
            LinkedBlockingQueue<JsonNode> again = new LinkedBlockingQueue<>();
            WebSocket back = Eventually.within(
                            Duration.ofSeconds(20),
                            "the page reconnects through the proxy",
                            () -> {
                                try {
                                    return page(proxy, socketPath, again);
                                } catch (Exception e) {
                                    return null;
                                }
                            },
                            s -> s != null)
                    .value();
            // Delivery is at least once: the first message comes again if its acknowledgement died with the node,
            // and the page (as cohort.js does) knows it by its id.
            long seenId = first.path("id").asLong();
            JsonNode kept = again.poll(10, TimeUnit.SECONDS);
            while (kept != null && kept.path("id").asLong() == seenId) {
                kept = again.poll(10, TimeUnit.SECONDS);
            }
            long backMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertEquals(
                    "Sent while you were away",
                    kept == null ? null : kept.path("text").asText());
            System.out.println("LoadBalancerIT: " + holder + " killed; the page was back on the other node, with the"
                    + " command it missed, " + backMs + " ms later");
            assertEquals(200, get(proxy, url.substring(1)), "pages keep being served");
            // What the dead node held is taken back (its beat stops; within 15 s).
            String deadName = dead == n1 ? "n1" : "n2";
            Eventually.within(
                    Duration.ofSeconds(20),
                    "the dead node's sockets are given back",
                    () -> alive.sql("SELECT count(*) FROM cohort.node_presence WHERE node = '" + deadName + "'"),
                    n -> n.equals("0"));
            assertTrue(
                    alive.sql("SELECT node FROM cohort.node_presence WHERE target = '" + participant + "'")
                            .equals(dead == n1 ? "n2" : "n1"),
                    "the page's socket is on the live node now");
            back.abort();
            ws.abort();

            // The live node is stopped (SIGTERM): it drains first, answering /healthz with 503 while still serving,
            // then tells the pages on it to reconnect elsewhere (1012, "service restart") before it stops.
            assertEquals(200, get(alive.url().resolve("/"), "healthz"));
            java.util.concurrent.CompletableFuture<Integer> closedWith = new java.util.concurrent.CompletableFuture<>();
            HTTP.newWebSocketBuilder()
                    .buildAsync(
                            URI.create(alive.url().toString().replace("http", "ws") + "/" + socketPath),
                            new WebSocket.Listener() {
                                @Override
                                public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                                    closedWith.complete(code);
                                    return null;
                                }
                            })
                    .get(10, TimeUnit.SECONDS);
            long stopping = System.nanoTime();
            ProcessHandle.of(alive.pid()).orElseThrow().destroy();
            try {
                Eventually.within(
                        Duration.ofSeconds(2),
                        "a stopping node says so to the proxy's checks",
                        () -> get(alive.url().resolve("/"), "healthz"),
                        status -> status == 503);
            } catch (AssertionError e) {
                Thread.sleep(4000);
                throw new AssertionError(e.getMessage() + "\n" + alive.stderr(), e);
            }
            assertEquals(200, get(alive.url().resolve("/"), url.substring(1)), "still serving while draining");
            int code = closedWith.get(30, TimeUnit.SECONDS);
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            assertEquals(1012, code, "the page is told to reconnect elsewhere");
            assertTrue(closedAfter >= 3000, "only after the drain: " + closedAfter + " ms");
            Eventually.within(Duration.ofSeconds(30), "the node stops after draining", () -> alive.isAlive(), a -> !a);
        } finally {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
            for (RunningCohort n : List.of(n1, n2)) {
                n.close();
            }
        }
    }
}
