package io.cohort.plugin.chat.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.event.Events;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.MonitorColumn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The chat's rules and its rows: who may write to whom, the limits, what is read. Every change is stored first and
 * then published as an event (see {@link ChatRelay}), so each node tells its own sockets, and a client that missed
 * an event (at most once) catches up from the stored history when it connects again.
 */
@Component(service = Chat.class)
public final class Chat {

    /** How the export and the pages name the participant as a message's author. */
    static final String PARTICIPANT = "participant";

    static final int MAX_LENGTH = 2000;
    static final int PER_MINUTE = 10;

    static final String MESSAGE = "chat/message";
    static final String READ = "chat/read";
    static final String REPLIES = "chat/replies";

    static final ObjectMapper JSON = new ObjectMapper();
    static final int IDS_PER_EVENT = 100;

    private final PluginDatabase db;
    private final Events events;
    private final Participants participants;

    @Activate
    public Chat(@Reference PluginDatabase db, @Reference Events events, @Reference Participants participants) {
        this.db = db;
        this.events = events;
        this.participants = participants;
    }

    /**
     * An admin's message to each of {@code participantIds} of the session, opening the channels that are not open
     * yet; all or nothing.
     *
     * @throws IllegalArgumentException naming the field and value: no text, too long, no participant, a participant
     *                                  not in the session
     */
    public List<Message> fromAdmin(String sessionId, List<String> participantIds, String user, String text) {
        String body = checkText(text);
        LinkedHashSet<String> ids = new LinkedHashSet<>(participantIds == null ? List.of() : participantIds);
        ids.removeIf(id -> id == null || id.isBlank());
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("participants: choose at least one participant");
        }
        List<String> strangers = ids.stream()
                .filter(id -> participants
                        .find(id)
                        .filter(p -> p.sessionId().equals(sessionId))
                        .isEmpty())
                .toList();
        if (!strangers.isEmpty()) {
            throw new IllegalArgumentException(
                    "participants: not in session " + sessionId + ": " + String.join(", ", strangers));
        }
        List<String> opened = new ArrayList<>();
        List<Message> sent = db.transaction(ChatMapper.class, m -> {
            List<Message> added = new ArrayList<>();
            for (String id : ids) {
                if (m.open(sessionId, id, user) > 0) {
                    opened.add(id);
                }
                added.add(m.add(sessionId, id, user, body));
            }
            return added;
        });
        for (Message message : sent) {
            publish(MESSAGE, message);
        }
        cellsChanged(sessionId, opened); // the monitor's cell of a new channel says so
        return sent;
    }

    /**
     * The participant's message to the experimenters.
     *
     * @throws IllegalArgumentException with what the widget shows: no chat yet, replies off, too long, too many
     */
    public Message fromParticipant(String participantId, String text) {
        String body = checkText(text);
        Message sent = db.transaction(ChatMapper.class, m -> {
            Boolean replies = m.lockForReply(participantId);
            if (replies == null) {
                throw new IllegalArgumentException("There is no chat with the experimenter yet.");
            }
            if (!replies) {
                throw new IllegalArgumentException("The experimenter is not taking replies.");
            }
            if (m.sentWithin(participantId, 60) >= PER_MINUTE) {
                throw new IllegalArgumentException(
                        "At most " + PER_MINUTE + " messages a minute: please wait a moment before sending again.");
            }
            Participant p = participants
                    .find(participantId)
                    .orElseThrow(() -> new IllegalArgumentException("participant: no participant " + participantId));
            return m.add(p.sessionId(), participantId, null, body);
        });
        publish(MESSAGE, sent);
        cellsChanged(sent.sessionId(), participantId);
        return sent;
    }

    private static String checkText(String text) {
        String body = text == null ? "" : text.strip();
        if (body.isEmpty()) {
            throw new IllegalArgumentException("text: the message is empty");
        }
        int length = body.codePointCount(0, body.length());
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException(String.format(
                    "text: the message is %,d characters long; at most %,d are allowed", length, MAX_LENGTH));
        }
        return body;
    }

    public Optional<Message> message(long id) {
        return Optional.ofNullable(db.transaction(ChatMapper.class, m -> m.message(id)));
    }

    /** The channel's messages after {@code after} (0 for all), oldest first. */
    public List<Message> history(String participantId, long after) {
        return db.transaction(ChatMapper.class, m -> m.history(participantId, after));
    }

    /** Whether the participant may answer; empty when they have no channel. */
    public Optional<Boolean> replies(String participantId) {
        return Optional.ofNullable(db.transaction(ChatMapper.class, m -> m.replies(participantId)));
    }

    /** How many of the other side's messages are unread: the participant's for an admin, and the reverse. */
    public long unread(String participantId, boolean byAdmin) {
        return db.transaction(ChatMapper.class, m -> m.unread(participantId, byAdmin));
    }

    public List<ChannelSummary> channels(String sessionId) {
        return db.transaction(ChatMapper.class, m -> m.channels(sessionId));
    }

    /** Of these participants of the session, those with a channel, each with their messages no admin has read. */
    public Map<String, Long> unreadByChannel(String sessionId, List<String> participantIds) {
        Map<String, Long> unread = new LinkedHashMap<>();
        if (participantIds.isEmpty()) {
            return unread;
        }
        db.transaction(ChatMapper.class, m -> m.unreadByChannel(sessionId, participantIds.toArray(String[]::new)))
                .forEach(u -> unread.put(u.participantId(), u.unread()));
        return unread;
    }

    public List<SessionChats> sessions() {
        return db.transaction(ChatMapper.class, ChatMapper::sessions);
    }

    public boolean sessionDefault(String sessionId) {
        return db.transaction(ChatMapper.class, m -> m.sessionDefault(sessionId));
    }

    /** An admin read the channel: its unread count is cleared on every node's pages. */
    public void readByAdmin(String sessionId, String participantId) {
        int read = db.transaction(ChatMapper.class, m -> m.markRead(participantId, true));
        if (read > 0) {
            publish(READ, sessionId, participantId);
            cellsChanged(sessionId, participantId);
        }
    }

    public void readByParticipant(String participantId) {
        db.transaction(ChatMapper.class, m -> m.markRead(participantId, false));
    }

    /**
     * Replies on or off for one participant of the session, or back to the session's default ({@code on} null).
     *
     * @throws IllegalArgumentException when the participant has no channel in this session
     */
    public void setReplies(String sessionId, String participantId, Boolean on) {
        boolean inSession =
                channels(sessionId).stream().anyMatch(c -> c.participantId().equals(participantId));
        if (!inSession) {
            throw new IllegalArgumentException(
                    "participant: " + participantId + " has no chat in session " + sessionId);
        }
        db.transaction(ChatMapper.class, m -> m.setReplies(participantId, on));
        publish(REPLIES, sessionId, participantId);
    }

    /** The session's default, for every participant without a setting of their own. */
    public void setSessionDefault(String sessionId, boolean on, String user) {
        db.transaction(ChatMapper.class, m -> m.setDefault(sessionId, on, user));
        publish(REPLIES, sessionId, null);
    }

    private void publish(String topic, Message message) {
        publish(topic, ids(message.sessionId(), message.participantId(), message.id()));
    }

    private void publish(String topic, String sessionId, String participantId) {
        publish(topic, ids(sessionId, participantId, 0));
    }

    private static Map<String, Object> ids(String sessionId, String participantId, long id) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("session", sessionId);
        payload.put("participant", participantId);
        if (id > 0) {
            payload.put("id", id);
        }
        return payload;
    }

    private void cellsChanged(String sessionId, String participantId) {
        cellsChanged(sessionId, List.of(participantId));
    }

    /** In events of at most {@value #IDS_PER_EVENT} ids: an event's payload must stay under 7,000 bytes. */
    private void cellsChanged(String sessionId, List<String> participantIds) {
        for (int i = 0; i < participantIds.size(); i += IDS_PER_EVENT) {
            List<String> some = participantIds.subList(i, Math.min(participantIds.size(), i + IDS_PER_EVENT));
            publish(MonitorColumn.CHANGED, Map.of("session", sessionId, "participants", some));
        }
    }

    private void publish(String topic, Map<String, Object> payload) {
        events.publish(topic, json(payload));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
