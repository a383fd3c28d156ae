package io.cohort.plugin.chat.internal;

import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * What the chat tab, its JSON twin and the admin socket show of a session's chats, as plain values: the channels
 * with their participants' names, a channel's messages.
 */
@Component(service = ChatModel.class)
public final class ChatModel {

    private final Chat chat;
    private final Participants participants;

    @Activate
    public ChatModel(@Reference Chat chat, @Reference Participants participants) {
        this.chat = chat;
        this.participants = participants;
    }

    /** The session's channels, the latest message first; times as {@link Instant} (the pages format them). */
    public List<Map<String, Object>> channels(String sessionId) {
        Map<String, Participant> people = participants.ofSession(sessionId).stream()
                .collect(Collectors.toMap(Participant::id, Function.identity()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ChannelSummary c : chat.channels(sessionId)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("participant", c.participantId());
            row.put("name", name(people.get(c.participantId()), c.participantId()));
            row.put("lastText", c.lastText());
            row.put("lastAt", c.lastAt());
            row.put("messages", c.messages());
            row.put("unread", c.unread());
            row.put("replies", c.replies());
            row.put("repliesOwn", c.own() == null ? "default" : c.own() ? "on" : "off");
            rows.add(row);
        }
        return rows;
    }

    /** {@link #channels} with times as ISO text, for a socket. */
    public List<Map<String, Object>> channelsJson(String sessionId) {
        List<Map<String, Object>> rows = channels(sessionId);
        rows.forEach(r -> r.computeIfPresent("lastAt", (k, v) -> v.toString()));
        return rows;
    }

    /** The participants of the session, for the form that writes to several at once. */
    public List<Map<String, Object>> participants(String sessionId) {
        return participants.ofSession(sessionId).stream()
                .map(p -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", p.id());
                    row.put("name", name(p, p.id()));
                    row.put("status", p.status().name());
                    return row;
                })
                .toList();
    }

    /** A channel's messages, oldest first; times as {@link Instant}. */
    public List<Map<String, Object>> messages(String participantId) {
        return chat.history(participantId, 0).stream()
                .map(m -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", m.id());
                    row.put("from", m.from());
                    row.put("text", m.body());
                    row.put("sentAt", m.sentAt());
                    row.put("readAt", m.readAt());
                    return row;
                })
                .toList();
    }

    static String name(Participant p, String id) {
        return p == null || p.name() == null || p.name().isBlank() ? id : p.name();
    }
}
