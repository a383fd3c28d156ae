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
    public interface Notifier {
        void publish(Connection c, String topic, String payload) throws SQLException;

        /** SQL publishing {@code topic} from inside a statement, or null when this notifier cannot. */
        default String notifyCall(String topic, String payloadSql) {
            return null;
        }
    }

    public LiveFeed(Notifier notifier, Transactions tx) {
        this.notifier = notifier;
        this.tx = tx;
    }

    /** Over any {@link Events}: published as the transaction ends, through the service's own connection. */
    public static LiveFeed over(Events events, Transactions tx) {
        return new LiveFeed((c, topic, payload) -> events.publish(topic, payload), tx);
    }

    /** Over the host's PostgreSQL events. */
    public static LiveFeed over(io.cohort.platform.events.PgEvents events, Transactions tx) {
        return new LiveFeed(new Notifier() {
            @Override
            public void publish(Connection c, String topic, String payload) throws SQLException {
                events.publish(c, topic, payload);
            }

            @Override
            public String notifyCall(String topic, String payloadSql) {
                return events.notifyCall(topic, payloadSql);
            }
        }, tx);
    }

    /**
     * SQL announcing {@value #CHANGED} for the participant id in SQL column {@code idColumn}, to fold into the
     * statement making the change; null when the notifier cannot (then call {@link #changed(String)}).
     */
    String changedCall(String idColumn) {
        return notifier.notifyCall(CHANGED, "json_build_object('participant', " + idColumn + ")::text");
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
