package io.cohort.platform.participant;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.session.LiveFeed;
import io.cohort.platform.session.NodePresence;
import io.cohort.platform.session.ParticipantMoves;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket every open participant page holds ({@code /ws/p/{session}/{token}}; the host checks the token and
 * names the participant as the socket's principal). Open and close are the participant's online status; the
 * {@value LiveFeed#COMMAND} events (from any node) for a participant go, as they are, to their sockets on this node.
 * Commands are kept in the database until the page acknowledges one ({@code {"ack": id}}); a page that connects
 * (after a reconnect, or on another node) and says hello gets those it has not acknowledged, from the last
 * {@value #KEPT_HOURS} hours. The page ignores one it already has (the event and the reconnect may both bring it).
 */
@Singleton
public final class ParticipantSockets implements SocketEndpoint, EventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSockets.class);

    /** A command older than this is not delivered any more: the page it was meant for is long gone. */
    static final int KEPT_HOURS = 24;

    private final ParticipantMoves moves;
    private final Transactions tx;
    private final Map<String, Set<Socket>> byParticipant = new ConcurrentHashMap<>();

    private final NodePresence presence;

    @Inject
    public ParticipantSockets(ParticipantMoves moves, Transactions tx, NodePresence presence) {
        this.moves = moves;
        this.tx = tx;
        this.presence = presence;
    }

    @Override
    public void onOpen(Socket socket) {
        byParticipant.compute(socket.principal(), (k, open) -> {
            Set<Socket> sockets = open == null ? ConcurrentHashMap.newKeySet() : open;
            sockets.add(socket);
            return sockets;
        });
        try {
            presence.opened("participant", socket.principal());
        } catch (RuntimeException e) {
            LOG.warn("participant {}: cannot record the socket's node: {}", socket.principal(), e.getMessage());
        }
        online(socket.principal(), true);
    }

    /**
     * What was sent while no socket of theirs was open (or on a node that left), oldest first. A reload or advance
     * from before {@code since} (the participant's row as the page shows it) is left out: the page is newer.
     */
    private List<String> pending(String participantId, String since) {
        return tx.run(c -> {
            List<String> payloads = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, payload::text FROM cohort.participant_command"
                    + " WHERE participant_id = ? AND delivered_at IS NULL"
                    + " AND created_at > now() - make_interval(hours => ?)"
                    + " AND (payload->>'type' NOT IN ('reload', 'advance') OR ?::timestamptz IS NULL"
                    + "      OR created_at > ?::timestamptz) ORDER BY id")) {
                ps.setString(1, participantId);
                ps.setInt(2, KEPT_HOURS);
                ps.setString(3, since);
                ps.setString(4, since);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        com.fasterxml.jackson.databind.node.ObjectNode payload =
                                (com.fasterxml.jackson.databind.node.ObjectNode)
                                        ParticipantPages.JSON.readTree(rs.getString(2));
                        payloads.add(payload.put("id", rs.getLong(1)).toString());
                    }
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            return payloads;
        });
    }

    /**
     * The page's messages: {@code {"hello": since}} when its socket opens (the commands it has not had are sent),
     * and {@code {"ack": id}}, a command it has (it is not sent again).
     */
    @Override
    public void onMessage(Socket socket, String message) {
        try {
            JsonNode m = ParticipantPages.JSON.readTree(message);
            if (m.has("hello")) {
                String since = m.get("hello").isTextual() ? m.get("hello").asText() : null;
                if (since != null) {
                    java.time.Instant.parse(since); // a time, or the message is refused below
                }
                pending(socket.principal(), since).forEach(socket::send);
                return;
            }
            JsonNode ack = m.path("ack");
            if (!ack.canConvertToLong()) {
                return;
            }
            tx.run(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.participant_command"
                        + " SET delivered_at = now() WHERE id = ? AND participant_id = ? AND delivered_at IS NULL")) {
                    ps.setLong(1, ack.asLong());
                    ps.setString(2, socket.principal());
                    return ps.executeUpdate();
                }
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            LOG.debug("participant {}: socket message not used: {}", socket.principal(), e.getMessage());
        }
    }

    @Override
    public void onClose(Socket socket) {
        String pid = socket.principal();
        boolean last = byParticipant.computeIfPresent(pid, (k, open) -> {
                    open.remove(socket);
                    return open.isEmpty() ? null : open;
                })
                == null;
        boolean elsewhere;
        try {
            elsewhere = presence.closed("participant", pid);
        } catch (RuntimeException e) {
            LOG.warn("participant {}: cannot record the socket's close: {}", pid, e.getMessage());
            elsewhere = !last;
        }
        // Another tab of theirs still open, on this node or another live one: still online.
        if (last && !elsewhere) {
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
