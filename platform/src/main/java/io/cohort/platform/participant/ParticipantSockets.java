package io.cohort.platform.participant;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.session.LiveFeed;
import io.cohort.platform.session.ParticipantMoves;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket every open participant page holds ({@code /ws/p/{session}/{token}}; the host checks the token and
 * names the participant as the socket's principal). Open and close are the participant's online status; the
 * {@value LiveFeed#COMMAND} events (from any node) for a participant go, as they are, to their sockets on this node.
 */
@Singleton
public final class ParticipantSockets implements SocketEndpoint, EventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSockets.class);

    private final ParticipantMoves moves;
    private final Map<String, Set<Socket>> byParticipant = new ConcurrentHashMap<>();

    @Inject
    public ParticipantSockets(ParticipantMoves moves) {
        this.moves = moves;
    }

    @Override
    public void onOpen(Socket socket) {
        byParticipant.compute(socket.principal(), (k, open) -> {
            Set<Socket> sockets = open == null ? ConcurrentHashMap.newKeySet() : open;
            sockets.add(socket);
            return sockets;
        });
        online(socket.principal(), true);
    }

    @Override
    public void onMessage(Socket socket, String message) {
        // The page only listens; it talks through the JSON calls.
    }

    @Override
    public void onClose(Socket socket) {
        String pid = socket.principal();
        boolean last = byParticipant.computeIfPresent(pid, (k, open) -> {
                    open.remove(socket);
                    return open.isEmpty() ? null : open;
                })
                == null;
        // Another tab of the same participant still open on this node: still online.
        if (last) {
            online(pid, false);
        }
    }

    private void online(String pid, boolean online) {
        try {
            moves.setOnline(pid, online);
        } catch (RuntimeException e) {
            LOG.warn("participant {}: cannot record online={}: {}", pid, online, e.getMessage());
        }
    }

    @Override
    public void onEvent(Event event) {
        try {
            JsonNode command = ParticipantPages.JSON.readTree(event.payload());
            Set<Socket> open = byParticipant.get(command.path("participant").asText(""));
            if (open != null) {
                open.forEach(s -> s.send(event.payload()));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.warn("unreadable {} event: {}", event.topic(), e.getOriginalMessage());
        }
    }
}
