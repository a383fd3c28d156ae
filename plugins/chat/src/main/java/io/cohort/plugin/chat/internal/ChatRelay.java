package io.cohort.plugin.chat.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each node's ear for the chat's events, from whichever node they came: it reads what changed from the database
 * (the event carries ids only) and pushes it to the sockets open on this node.
 */
@Component(service = EventListener.class, property = EventListener.TOPIC + "=chat/*")
public final class ChatRelay implements EventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ChatRelay.class);

    private final Chat chat;
    private final LocalSockets sockets;

    @Activate
    public ChatRelay(@Reference Chat chat, @Reference LocalSockets sockets) {
        this.chat = chat;
        this.sockets = sockets;
    }

    @Override
    public void onEvent(Event event) {
        try {
            JsonNode payload = Chat.JSON.readTree(event.payload());
            String session = payload.path("session").asText();
            String participant = payload.path("participant").asText(null);
            switch (event.topic()) {
                case Chat.MESSAGE ->
                    message(session, participant, payload.path("id").asLong());
                case Chat.READ ->
                    sockets.toSession(
                            session, Chat.json(Map.of("type", "unread", "participant", participant, "count", 0)));
                case Chat.REPLIES -> replies(session, participant);
                default -> LOG.debug("chat event {} not known", event.topic());
            }
        } catch (Exception e) {
            // One bad event must not stop the ones after it; the pages catch up when they reconnect.
            LOG.warn("chat event {} {} not relayed: {}", event.topic(), event.payload(), e.toString());
        }
    }

    private void message(String session, String participant, long id) {
        boolean widgets = !sockets.widgets(participant).isEmpty();
        boolean admins = !sockets.watchers(session).isEmpty();
        if (!widgets && !admins) {
            return; // nobody on this node to tell: no query
        }
        Message m = chat.message(id).orElse(null);
        if (m == null) {
            return;
        }
        if (widgets) {
            // With whether they may answer: the first message opens the channel the page had not known.
            boolean replies = chat.replies(participant).orElse(false);
            sockets.toParticipant(
                    participant, Chat.json(Map.of("type", "message", "message", m.json(), "replies", replies)));
        }
        if (admins) {
            sockets.toSession(
                    session,
                    Chat.json(
                            Map.of("type", "message", "message", m.json(), "unread", chat.unread(participant, true))));
        }
    }

    /** Replies were turned on or off for one participant, or for the session ({@code participant} null). */
    private void replies(String session, String participant) {
        for (String p : participant == null ? sockets.participantsOf(session) : Set.of(participant)) {
            if (!sockets.widgets(p).isEmpty()) {
                boolean on = chat.replies(p).orElse(false);
                sockets.toParticipant(p, Chat.json(Map.of("type", "replies", "on", on)));
            }
        }
        sockets.toSession(
                session,
                Chat.json(
                        participant == null
                                ? Map.of("type", "replies")
                                : Map.of("type", "replies", "participant", participant)));
    }
}
