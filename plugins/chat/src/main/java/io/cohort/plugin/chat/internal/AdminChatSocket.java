package io.cohort.plugin.chat.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SocketEndpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The chat tab's socket, {@code /ws/chat/admin} (logged-in admins only). Messages (JSON): {@code watch}
 * ({@code session}, and for a channel's page {@code participant} and {@code after}) hears that session's chat
 * events from then on and answers its channels and what the page missed; {@code send} ({@code session},
 * {@code participants}, {@code text}); {@code read} ({@code session}, {@code participant}).
 */
@Component(
        service = SocketEndpoint.class,
        property = {SocketEndpoint.PATH + "=chat/admin", SocketEndpoint.AUDIENCE + "=admin"})
public final class AdminChatSocket implements SocketEndpoint {

    private final Chat chat;
    private final LocalSockets sockets;
    private final Sessions sessions;
    private final ChatModel model;

    @Activate
    public AdminChatSocket(
            @Reference Chat chat,
            @Reference LocalSockets sockets,
            @Reference Sessions sessions,
            @Reference ChatModel model) {
        this.chat = chat;
        this.sockets = sockets;
        this.sessions = sessions;
        this.model = model;
    }

    @Override
    public void onMessage(Socket socket, String text) {
        try {
            JsonNode message = Chat.JSON.readTree(text);
            String session = message.path("session").asText();
            if (sessions.find(session).isEmpty()) {
                throw new IllegalArgumentException("session: no session " + session);
            }
            String participant = message.path("participant").asText("");
            switch (message.path("type").asText()) {
                case "watch" -> {
                    sockets.watch(session, socket);
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("type", "watching");
                    answer.put("channels", model.channelsJson(session));
                    if (!participant.isEmpty()) {
                        answer.put(
                                "messages",
                                chat.history(participant, message.path("after").asLong(0)).stream()
                                        .filter(m -> m.sessionId().equals(session))
                                        .map(Message::json)
                                        .toList());
                    }
                    socket.send(Chat.json(answer));
                }
                case "send" -> {
                    List<String> to = new ArrayList<>();
                    message.path("participants").forEach(p -> to.add(p.asText()));
                    int sent = chat.fromAdmin(
                                    session,
                                    to,
                                    socket.principal(),
                                    message.path("text").asText(""))
                            .size();
                    socket.send(Chat.json(Map.of("type", "sent", "count", sent)));
                }
                case "read" -> chat.readByAdmin(session, participant);
                case "channels" ->
                    socket.send(Chat.json(Map.of("type", "channels", "channels", model.channelsJson(session))));
                default -> throw new IllegalArgumentException("type: unknown message type");
            }
        } catch (IllegalArgumentException e) {
            socket.send(Chat.json(Map.of("type", "error", "message", e.getMessage())));
        } catch (Exception e) {
            socket.send(Chat.json(Map.of("type", "error", "message", "The message could not be read.")));
        }
    }

    @Override
    public void onClose(Socket socket) {
        sockets.unwatch(socket);
    }
}
