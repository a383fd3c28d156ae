package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cohort.api.event.Events;
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

    private final Events events;
    private final Transactions tx;

    public LiveFeed(Events events, Transactions tx) {
        this.events = events;
        this.tx = tx;
    }

    /**
     * Live views re-read the participant's row, so the event only names them. Sent once the current transaction
     * commits, once however many changes it made.
     */
    public void changed(String participantId) {
        tx.afterCommit(List.of(CHANGED, participantId), () -> publish(CHANGED, Map.of("participant", participantId)));
    }

    public void sessionChanged(String sessionId) {
        tx.afterCommit(List.of(SESSION_CHANGED, sessionId), () -> publish(SESSION_CHANGED, Map.of("session", sessionId)));
    }

    /** @param extra e.g. {@code text} of a message, {@code url} of a redirect */
    public void command(String participantId, String type, Map<String, String> extra) {
        Map<String, String> body = new LinkedHashMap<>(extra);
        body.put("participant", participantId);
        body.put("type", type);
        tx.afterCommit(() -> publish(COMMAND, body));
    }

    private void publish(String topic, Map<String, String> body) {
        try {
            events.publish(topic, FieldStore.JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
