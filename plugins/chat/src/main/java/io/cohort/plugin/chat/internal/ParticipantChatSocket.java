package io.cohort.plugin.chat.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.web.SocketEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The participant widget's socket, {@code /ws/chat/participant?session=&token=}: the host opens it only for the
 * participant the session and URL token name, and {@link Socket#principal()} is their id. Messages (JSON):
 * {@code hello} (with {@code after}, the last message id the page has) answers the state and what it missed;
 * {@code send} ({@code text}) writes to the experimenters; {@code read} marks their messages read.
 */
@Component(
        service = SocketEndpoint.class,
        property = {SocketEndpoint.PATH + "=chat/participant", SocketEndpoint.AUDIENCE + "=participant"})
public final class ParticipantChatSocket implements SocketEndpoint {

    /** What the host names someone who opened a participant socket without a participant's credentials. */
    private static final String NOBODY = "participant";

    private final Chat chat;
    private final LocalSockets sockets;
    private final Participants participants;

    @Activate
    public ParticipantChatSocket(
            @Reference Chat chat, @Reference LocalSockets sockets, @Reference Participants participants) {
        this.chat = chat;
        this.sockets = sockets;
        this.participants = participants;
    }

    @Override
    public void onOpen(Socket socket) {
        Optional<Participant> p =
                NOBODY.equals(socket.principal()) ? Optional.empty() : participants.find(socket.principal());
        if (p.isEmpty()) {
            socket.close(); // no session and token: the chat is a participant's own
            return;
        }
        sockets.addWidget(p.get().id(), p.get().sessionId(), socket);
    }

    @Override
    public void onMessage(Socket socket, String text) {
        String participant = socket.principal();
        try {
            JsonNode message = Chat.JSON.readTree(text);
            switch (message.path("type").asText()) {
                case "hello" ->
                    socket.send(
                            Chat.json(hello(participant, message.path("after").asLong(0))));
                case "send" -> {
                    Message sent = chat.fromParticipant(
                            participant, message.path("text").asText(""));
                    socket.send(Chat.json(Map.of("type", "message", "message", sent.json())));
                }
                case "read" -> chat.readByParticipant(participant);
                default -> throw new IllegalArgumentException("type: unknown message type");
            }
        } catch (IllegalArgumentException e) {
            socket.send(Chat.json(Map.of("type", "error", "message", e.getMessage())));
        } catch (Exception e) {
            socket.send(Chat.json(Map.of("type", "error", "message", "The message could not be read.")));
        }
    }

    private Map<String, Object> hello(String participant, long after) {
        Map<String, Object> state = new LinkedHashMap<>();
        Optional<Boolean> replies = chat.replies(participant);
        state.put("type", "hello");
        state.put("channel", replies.isPresent());
        state.put("replies", replies.orElse(false));
        // Every participant page opens this socket: without a channel there is nothing more to ask the database.
        state.put(
                "messages",
                replies.isEmpty()
                        ? List.of()
                        : chat.history(participant, after).stream()
                                .map(Message::json)
                                .toList());
        state.put("unread", replies.isEmpty() ? 0L : chat.unread(participant, false));
        return state;
    }

    @Override
    public void onClose(Socket socket) {
        sockets.removeWidget(socket.principal(), socket);
    }
}
