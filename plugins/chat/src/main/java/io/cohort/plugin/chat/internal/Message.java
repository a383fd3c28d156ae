package io.cohort.plugin.chat.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A row of the {@code message} table.
 *
 * @param admin  the admin user who wrote it; null for the participant's own
 * @param readAt when the other side read it, or null
 */
public record Message(
        long id, String sessionId, String participantId, String admin, String body, Instant sentAt, Instant readAt) {

    /** Who wrote it as the export and the pages name it: the admin user, or "participant". */
    public String from() {
        return admin == null ? Chat.PARTICIPANT : admin;
    }

    public boolean fromParticipant() {
        return admin == null;
    }

    /** What a socket is sent: plain values only, the text as written (the pages render it with textContent). */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("participant", participantId);
        m.put("from", from());
        m.put("text", body);
        m.put("sentAt", sentAt.toString());
        m.put("read", readAt != null);
        return m;
    }
}
