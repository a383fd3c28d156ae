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
 *
 * <p>Until a socket has said hello, events for it are held: the hello's query brings every command not yet
 * acknowledged that is meant for that page, so held ones are dropped then. A client that never says hello gets what
 * was held {@value #HELLO_MILLIS} ms after opening, and every event after. After the hello, a reload or advance
 * older than the page (its {@code since}) is not sent: it was issued with the change that led to the page.
 */
@Singleton
public final class ParticipantSockets implements SocketEndpoint, EventListener {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSockets.class);

    /** A command older than this is not delivered any more: the page it was meant for is long gone. */
    static final int KEPT_HOURS = 24;

    private final ParticipantMoves moves;
    private final Transactions tx;
    private final Map<String, Set<Socket>> byParticipant = new ConcurrentHashMap<>();
    private final Map<Socket, Greeting> greetings = new ConcurrentHashMap<>();

    static final long HELLO_MILLIS = 2000;

    /** What a socket said on opening, and the events held until it did. */
    private static final class Greeting {
        boolean said;
        /** The page's row time, from the hello; null when the page gave none. */
        java.time.Instant since;

        final List<String> held = new ArrayList<>();
    }

    private static final java.util.concurrent.ScheduledExecutorService LATE =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cohort-socket-hello");
                t.setDaemon(true);
                return t;
            });

    private final NodePresence presence;

    @Inject
    public ParticipantSockets(ParticipantMoves moves, Transactions tx, NodePresence presence) {
        this.moves = moves;
        this.tx = tx;
        this.presence = presence;
    }

    @Override
    public void onOpen(Socket socket) {
        Greeting greeting = new Greeting();
        greetings.put(socket, greeting);
        LATE.schedule(
                () -> {
                    synchronized (greeting) {
                        if (!greeting.said) {
                            greeting.said = true;
                            greeting.held.forEach(socket::send);
                            greeting.held.clear();
                        }
                    }
                },
                HELLO_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
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
                java.time.Instant at = since == null ? null : java.time.Instant.parse(since); // or refused below
                Greeting greeting = greetings.get(socket);
                if (greeting != null) {
                    synchronized (greeting) {
                        greeting.said = true;
                        greeting.since = at;
                        greeting.held.clear(); // the query below brings what is still for this page
                    }
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
        greetings.remove(socket);
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

    /** The participants with a page open on this node now. */
    Set<String> open() {
        return Set.copyOf(byParticipant.keySet());
    }

    /** Sends a message to every page of the participant open on this node (none: nothing happens). */
    void send(String participantId, String payload) {
        Set<Socket> open = byParticipant.get(participantId);
        if (open != null) {
            for (Socket s : open) {
                try {
                    s.send(payload);
                } catch (RuntimeException e) {
                    LOG.debug("participant {}: socket closed while sending: {}", participantId, e.getMessage());
                }
            }
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
            if (open == null) {
                return;
            }
            String type = command.path("type").asText("");
            java.time.Instant issued = command.hasNonNull("at")
                    ? java.time.Instant.parse(command.get("at").asText())
                    : null;
            for (Socket s : open) {
                Greeting greeting = greetings.get(s);
                if (greeting == null) {
                    s.send(event.payload());
                    continue;
                }
                synchronized (greeting) {
                    if (!greeting.said) {
                        greeting.held.add(event.payload());
                    } else if (!(type.equals("reload") || type.equals("advance"))
                            || greeting.since == null
                            || issued == null
                            || issued.isAfter(greeting.since)) {
                        s.send(event.payload());
                    }
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.warn("unreadable {} event: {}", event.topic(), e.getOriginalMessage());
        }
    }
}
