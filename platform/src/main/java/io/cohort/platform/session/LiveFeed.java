package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.event.Events;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.events.PgEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What live views hear, through {@link Events} so every node's monitors and participant sockets hear it:
 * {@value #CHANGED} when participants' rows, pages, fields or presence changed, {@value #SESSION_CHANGED}, and
 * {@value #COMMAND} for what a participant's open page must do (advance, reload, message, redirect).
 *
 * <p>Participant changes are gathered for {@value #BATCH_MILLIS} ms and announced together
 * ({@code {"participants": [ids]}}) by one thread: PostgreSQL serialises the commits of transactions that
 * {@code NOTIFY} on one lock, so a notify in every page submit would cost each submit a disk flush of its own.
 * Session changes and commands are rare and go out with their transaction.
 */
@Singleton
public final class LiveFeed implements AutoCloseable {

    public static final String CHANGED = "participant/changed";
    public static final String COMMAND = "participant/command";
    public static final String SESSION_CHANGED = "session/changed";
    static final int BATCH_MILLIS = 200;
    /** Ids per event, to stay under the event payload limit (7,000 bytes). */
    static final int IDS_PER_EVENT = 300;

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final Notifier notifier;
    private final Events events;
    private final Transactions tx;
    private final Set<String> changed = new LinkedHashSet<>();
    private final ScheduledExecutorService announcer;

    /** Publishes on a transaction's own connection: PostgreSQL holds a {@code NOTIFY} back until the commit. */
    @FunctionalInterface
    public interface Notifier {
        void publish(Connection c, String topic, String payload) throws SQLException;
    }

    @Inject
    LiveFeed(PgEvents events, Transactions tx) {
        this(events::publish, events, tx);
    }

    private LiveFeed(Notifier notifier, Events events, Transactions tx) {
        this.notifier = notifier;
        this.events = events;
        this.tx = tx;
        this.announcer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cohort-live-feed");
            t.setDaemon(true);
            return t;
        });
        announcer.scheduleWithFixedDelay(this::announce, BATCH_MILLIS, BATCH_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Over the host's PostgreSQL events: commands and session changes ride their transaction. */
    public static LiveFeed over(PgEvents events, Transactions tx) {
        return new LiveFeed(events::publish, events, tx);
    }

    /** Over any {@link Events}: everything is published once the transaction has ended. */
    public static LiveFeed over(Events events, Transactions tx) {
        return new LiveFeed((c, topic, payload) -> tx.afterCommit(() -> events.publish(topic, payload)), events, tx);
    }

    /** Live views re-read the participant's row, so the event only names them. Announced after the commit. */
    public void changed(String participantId) {
        tx.afterCommit(List.of(CHANGED, participantId), () -> {
            synchronized (changed) {
                changed.add(participantId);
            }
        });
    }

    /** Announces what changed since the last time (also called by tests that cannot wait). */
    void announce() {
        List<String> ids;
        synchronized (changed) {
            ids = new ArrayList<>(changed);
            changed.clear();
        }
        for (int i = 0; i < ids.size(); i += IDS_PER_EVENT) {
            try {
                events.publish(
                        CHANGED, json(Map.of("participants", ids.subList(i, Math.min(ids.size(), i + IDS_PER_EVENT)))));
            } catch (RuntimeException e) {
                LOG.warn("live feed: cannot announce {} changed participants: {}", ids.size(), e.getMessage());
            }
        }
    }

    public void sessionChanged(String sessionId) {
        publish(List.of(SESSION_CHANGED, sessionId), SESSION_CHANGED, Map.of("session", sessionId));
    }

    /** @param extra e.g. {@code text} of a message, {@code url} of a redirect */
    public void command(String participantId, String type, Map<String, String> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("participant", participantId);
        body.put("type", type);
        // Kept until the page acknowledges it (ParticipantSockets): one with no open socket anywhere gets it on
        // connecting. The row and the event share the caller's transaction.
        Map<String, Object> row = tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.participant_command"
                    + " (participant_id, payload) VALUES (?, ?::jsonb) RETURNING id, created_at")) {
                ps.setString(1, participantId);
                ps.setString(2, json(body));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Map.of(
                            "id",
                            rs.getLong(1),
                            "at",
                            rs.getTimestamp(2).toInstant().toString());
                }
            }
        });
        // Its time too: a socket whose page is newer than a reload or advance does not carry it out.
        body.putAll(row);
        publish(new Object(), COMMAND, body);
    }

    private void publish(Object key, String topic, Map<String, ?> body) {
        String payload = json(body);
        tx.beforeCommit(key, c -> {
            notifier.publish(c, topic, payload);
            return null;
        });
    }

    private static String json(Map<String, ?> body) {
        try {
            return FieldStore.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        announcer.shutdownNow();
        announce();
    }
}
