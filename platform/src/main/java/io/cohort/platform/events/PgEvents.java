package io.cohort.platform.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.event.Events;
import io.cohort.platform.osgi.Whiteboard;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Events} over PostgreSQL {@code LISTEN/NOTIFY}. Every node, the publisher included, gets each event
 * back through its own {@code LISTEN}, so local and remote delivery are the same path. Listeners are
 * {@link EventListener} services (the whiteboard), matched by their {@value EventListener#TOPIC} property.
 */
public final class PgEvents implements Events, AutoCloseable {

    static final String CHANNEL = "cohort_events";
    static final int MAX_PAYLOAD_BYTES = 7000;
    /** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
    static final int MAX_NOTIFY_BYTES = 7999;

    private static final Logger LOG = LoggerFactory.getLogger(PgEvents.class);
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_./-]+");
    private static final int POLL_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** A quiet LISTEN connection is checked this often, as a silently dropped one would never throw. */
    private static final long CHECK_MILLIS = 30_000;

    private final DataSource pool;
    private final String jdbcUrl;
    private final String node;
    private final BundleContext context;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<ServiceReference<EventListener>, Subscription> subscriptions = new ConcurrentHashMap<>();

    private Whiteboard<EventListener> tracker;
    private ExecutorService dispatcher;
    private Thread loop;
    private Connection listening;
    private volatile boolean running;

    public PgEvents(DataSource pool, String jdbcUrl, String node, BundleContext context) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.node = Objects.requireNonNull(node, "node");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Starts listening; fails if the database cannot be reached now (later breaks are retried). */
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            listening = listen();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot LISTEN " + CHANNEL + ": " + e.getMessage(), e);
        }
        dispatcher = Executors.newSingleThreadExecutor(r -> daemon(r, "cohort-events-dispatch"));
        tracker = new Whiteboard<>(context, EventListener.class, new Whiteboard.Listener<>() {
            @Override
            public void added(ServiceReference<EventListener> ref, EventListener listener) {
                subscriptions.put(ref, Subscription.of(listener, ref.getProperty(EventListener.TOPIC)));
            }

            @Override
            public void modified(ServiceReference<EventListener> ref, EventListener listener) {
                subscriptions.put(ref, Subscription.of(listener, ref.getProperty(EventListener.TOPIC)));
            }

            @Override
            public void removed(ServiceReference<EventListener> ref, EventListener listener) {
                subscriptions.remove(ref);
            }
        });
        running = true;
        loop = daemon(this::receive, "cohort-events-listen");
        loop.start();
    }

    @Override
    public void publish(String topic, String payload) {
        String text = notification(topic, payload);
        try (Connection c = pool.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            s.setString(1, text);
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot publish event " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes inside the caller's transaction on {@code c}: PostgreSQL delivers it when that transaction commits
     * and drops it if it rolls back, so listeners never hear of a change that did not happen.
     */
    public void publish(Connection c, String topic, String payload) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            s.setString(1, notification(topic, payload));
            s.execute();
        }
    }

    private String notification(String topic, String payload) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("event topic must match " + TOPIC + ": " + topic);
        }
        Objects.requireNonNull(payload, "payload");
        int size = payload.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(
                    "event payload is " + size + " bytes; at most " + MAX_PAYLOAD_BYTES + " are allowed");
        }
        ObjectNode envelope = json.createObjectNode()
                .put("topic", topic)
                .put("payload", payload)
                .put("node", node)
                .put("at", System.currentTimeMillis());
        String text = envelope.toString();
        // JSON escaping can grow a payload under the limit past what NOTIFY accepts.
        int notifySize = text.getBytes(StandardCharsets.UTF_8).length;
        if (notifySize > MAX_NOTIFY_BYTES) {
            throw new IllegalArgumentException("event payload is " + size + " bytes but " + notifySize
                    + " bytes once escaped into the notification; PostgreSQL allows " + MAX_NOTIFY_BYTES);
        }
        return text;
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        loop.interrupt(); // cuts a reconnect back-off short
        try {
            loop.join(POLL_MILLIS * 4L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tracker.close();
        dispatcher.shutdown();
        try {
            dispatcher.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection listen() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl);
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The listen loop: owns {@link #listening} until {@link #close()}. */
    private void receive() {
        long backoff = POLL_MILLIS;
        long lastHeard = System.currentTimeMillis();
        while (running) {
            try {
                if (listening == null) {
                    listening = listen();
                    LOG.info("Events: listening again on {}", CHANNEL);
                    backoff = POLL_MILLIS;
                    lastHeard = System.currentTimeMillis();
                }
                PGNotification[] notifications =
                        listening.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
                if (notifications != null && notifications.length > 0) {
                    lastHeard = System.currentTimeMillis();
                    for (PGNotification n : notifications) {
                        if (CHANNEL.equals(n.getName())) {
                            received(n.getParameter());
                        }
                    }
                } else if (System.currentTimeMillis() - lastHeard > CHECK_MILLIS) {
                    if (!listening.isValid(5)) {
                        throw new SQLException("the connection does not answer");
                    }
                    lastHeard = System.currentTimeMillis();
                }
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                LOG.warn("Events: LISTEN connection failed ({}); reconnecting in {} ms", e.getMessage(), backoff);
                closeQuietly(listening);
                listening = null;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        closeQuietly(listening);
        listening = null;
    }

    private void received(String text) {
        Event event;
        try {
            JsonNode e = json.readTree(text);
            event = new Event(
                    e.get("topic").asText(),
                    e.get("payload").asText(),
                    e.get("node").asText(),
                    Instant.ofEpochMilli(e.get("at").asLong()));
        } catch (Exception e) {
            LOG.warn("Events: ignoring a malformed notification on {}: {}", CHANNEL, text);
            return;
        }
        try {
            dispatcher.execute(() -> dispatch(event));
        } catch (RejectedExecutionException e) {
            // closing: the event is dropped, as delivery is at most once anyway
        }
    }

    /** Runs on the dispatch thread, reading the listeners at that moment so a removed one is never called. */
    private void dispatch(Event event) {
        for (Subscription s : subscriptions.values()) {
            if (!s.matches(event.topic())) {
                continue;
            }
            try {
                s.listener().onEvent(event);
            } catch (RuntimeException e) {
                LOG.error(
                        "Events: listener {} failed on {}",
                        s.listener().getClass().getName(),
                        event.topic(),
                        e);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    /** A listener and the topic patterns from its service property. */
    record Subscription(EventListener listener, List<String> patterns) {

        static Subscription of(EventListener listener, Object property) {
            List<String> patterns = new ArrayList<>();
            if (property instanceof String s) {
                patterns.add(s);
            } else if (property instanceof String[] a) {
                patterns.addAll(List.of(a));
            } else if (property instanceof Collection<?> c) {
                c.forEach(p -> patterns.add(String.valueOf(p)));
            }
            return new Subscription(listener, List.copyOf(patterns));
        }

        boolean matches(String topic) {
            for (String p : patterns) {
                if (p.endsWith("*") ? topic.startsWith(p.substring(0, p.length() - 1)) : p.equals(topic)) {
                    return true;
                }
            }
            return false;
        }
    }
}
