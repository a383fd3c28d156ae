package io.cohort.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test's WebSocket to a host's {@code /ws/<path>} that sends and hears JSON. */
public final class JsonSocket implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> heard = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    /** The close code the server sent. */
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private WebSocket socket;

    private JsonSocket() {}

    /**
     * @param hostUrl the host's {@code http://...} base URL, ending in {@code /}
     * @param cookie  a {@code Cookie} header value (an admin login), or null
     */
    public static JsonSocket open(String hostUrl, String path, String cookie) throws Exception {
        JsonSocket s = new JsonSocket();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (cookie != null) {
            builder.header("Cookie", cookie);
        }
        s.socket = builder.buildAsync(URI.create(hostUrl.replaceFirst("^http", "ws") + "ws/" + path), s)
                .get(5, TimeUnit.SECONDS);
        return s;
    }

    /** Sends {@code message} as JSON (a string is sent as it is). */
    public JsonSocket send(Object message) throws Exception {
        String text = message instanceof String s ? s : JSON.writeValueAsString(message);
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
        return this;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                heard.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(code);
        return null;
    }

    /** The next message {@code wanted} accepts, within 5 s; those before it are dropped. */
    public JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
        return next(wanted, java.time.Duration.ofSeconds(5));
    }

    /** The next message {@code wanted} accepts, within {@code within}; those before it are dropped. */
    public JsonNode next(Predicate<JsonNode> wanted, java.time.Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            long left = until - System.nanoTime();
            JsonNode m = left <= 0 ? null : heard.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no matching message within " + within + "; saw " + seen);
            }
            if (wanted.test(m)) {
                return m;
            }
            seen.add(m);
        }
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }
}
