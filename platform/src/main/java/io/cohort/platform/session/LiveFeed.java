package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cohort.api.event.Events;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What live views hear, through {@link Events} so every node's monitors and participant sockets hear it:
 * {@value #CHANGED} when a participant's row, page, fields or presence changed, and {@value #COMMAND} for what a
 * participant's open page must do (advance, reload, message, redirect).
 */
public final class LiveFeed {

    public static final String CHANGED = "participant/changed";
    public static final String COMMAND = "participant/command";
    public static final String SESSION_CHANGED = "session/changed";

    private final Notifier notifier;
    private final Transactions tx;

    /**
     * Publishes on a transaction's own connection: PostgreSQL holds a {@code NOTIFY} back until the commit, and
     * a page submit then needs no second connection from the pool (see {@code PgEvents.publish(Connection, ...)}).
     */
    @FunctionalInterface
    public interface Notifier {
        void publish(Connection c, String topic, String payload) throws SQLException;
    }

    public LiveFeed(Notifier notifier, Transactions tx) {
        this.notifier = notifier;
        this.tx = tx;
    }

    /** Over any {@link Events}: published as the transaction ends, through the service's own connection. */
    public static LiveFeed over(Events events, Transactions tx) {
        return new LiveFeed((c, topic, payload) -> events.publish(topic, payload), tx);
    }

    /**
     * Live views re-read the participant's row, so the event only names them. Sent once the current transaction
     * commits, once however many changes it made.
     */
    public void changed(String participantId) {
        publish(List.of(CHANGED, participantId), CHANGED, Map.of("participant", participantId));
    }

    public void sessionChanged(String sessionId) {
        publish(List.of(SESSION_CHANGED, sessionId), SESSION_CHANGED, Map.of("session", sessionId));
    }

    /** @param extra e.g. {@code text} of a message, {@code url} of a redirect */
    public void command(String participantId, String type, Map<String, String> extra) {
        Map<String, String> body = new LinkedHashMap<>(extra);
        body.put("participant", participantId);
        body.put("type", type);
        publish(new Object(), COMMAND, body);
    }

    private void publish(Object key, String topic, Map<String, String> body) {
        String payload;
        try {
            payload = FieldStore.JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        tx.beforeCommit(key, c -> {
            notifier.publish(c, topic, payload);
            return null;
        });
    }
}
