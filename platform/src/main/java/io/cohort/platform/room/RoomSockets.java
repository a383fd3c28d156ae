package io.cohort.platform.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.session.Rooms;
import io.cohort.api.web.SocketEndpoint;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live rooms over WebSocket. A waiting page opens {@code /ws/}{@value #SEATS} and sends
 * {@code {"room": name, "seat": token}}; it gets {@code {"waiting": n}} whenever the count changes and
 * {@code {"url": "/p/..."}} once a session took its seat. An admin's room page opens {@code /ws/}{@value #MONITORS}
 * and sends {@code {"room": name}}; it gets the room and its waiting list on every change. Changes come as
 * {@value RoomFeed#TOPIC} events, so pages on every node hear them.
 */
@Singleton
public final class RoomSockets implements EventListener {

    static final String SEATS = "room";
    static final String MONITORS = "rooms";
    private static final Logger LOG = LoggerFactory.getLogger(RoomSockets.class);

    private final RoomSeats seats;
    private final Rooms rooms;
    /** What each open socket watches; {@code seat} is null for an admin's monitor. */
    private final Map<SocketEndpoint.Socket, Watch> open = new ConcurrentHashMap<>();

    private record Watch(String room, String seat) {}

    @Inject
    public RoomSockets(RoomSeats seats, RoomStore rooms) {
        this(seats, (Rooms) rooms);
    }

    public RoomSockets(RoomSeats seats, Rooms rooms) {
        this.seats = seats;
        this.rooms = rooms;
    }

    /** Registers the two endpoints and the event listener on the host's context. */
    public List<ServiceRegistration<?>> register(BundleContext context) {
        return List.of(
                context.registerService(
                        SocketEndpoint.class,
                        new SeatEndpoint(),
                        properties(SocketEndpoint.PATH, SEATS, SocketEndpoint.AUDIENCE, "participant")),
                context.registerService(
                        SocketEndpoint.class,
                        new MonitorEndpoint(),
                        properties(SocketEndpoint.PATH, MONITORS, SocketEndpoint.AUDIENCE, "admin")),
                context.registerService(EventListener.class, this, properties(EventListener.TOPIC, RoomFeed.TOPIC)));
    }

    private static Hashtable<String, Object> properties(String... kv) {
        Hashtable<String, Object> p = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private static JsonNode parse(String message) {
        try {
            return RoomFeed.JSON.readTree(message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return RoomFeed.JSON.createObjectNode();
        }
    }

    private static void send(SocketEndpoint.Socket socket, Object body) {
        try {
            String text = RoomFeed.JSON.writeValueAsString(body);
            // Jetty refuses a blocking send while another is under way on the same connection (events and replies
            // race).
            synchronized (socket) {
                socket.send(text);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a waiting page should do about where its seat stands. */
    static Map<String, Object> seatMessage(RoomSeats.Arrival a, String room) {
        return switch (a.outcome()) {
            case WAITING -> Map.of("waiting", a.waiting());
            case TO_PARTICIPANT -> Map.of("url", a.url());
            // The seat is gone (the room forgot its session) or the room is: the room's page says what now.
            default -> Map.of("url", "/room/" + room + "/");
        };
    }

    private final class SeatEndpoint implements SocketEndpoint {
        @Override
        public void onMessage(Socket socket, String message) {
            if (open.containsKey(socket)) {
                return;
            }
            JsonNode m = parse(message);
            String room = m.path("room").asText("");
            String seat = m.path("seat").asText("");
            if (!RoomStore.NAME.matcher(room).matches()) {
                socket.close();
                return;
            }
            RoomSeats.Arrival a = seats.check(room, seat);
            if (a.outcome() == RoomSeats.Outcome.WAITING) {
                open.put(socket, new Watch(room, seat));
                seats.socket(seat, +1);
            }
            send(socket, seatMessage(a, room));
        }

        @Override
        public void onClose(Socket socket) {
            Watch w = open.remove(socket);
            if (w != null) {
                seats.socket(w.seat(), -1);
            }
        }
    }

    private final class MonitorEndpoint implements SocketEndpoint {
        @Override
        public void onMessage(Socket socket, String message) {
            String room = parse(message).path("room").asText("");
            if (rooms.find(room).isEmpty()) {
                send(socket, Map.of("error", "room: there is no room '" + room + "'"));
                return;
            }
            open.put(socket, new Watch(room, null));
            send(socket, RoomsAdmin.detail(rooms, room));
        }

        @Override
        public void onClose(Socket socket) {
            open.remove(socket);
        }
    }

    @Override
    public void onEvent(Event event) {
        String room = parse(event.payload()).path("room").asText("");
        RoomSeats.View view = null;
        Object detail = null;
        for (Map.Entry<SocketEndpoint.Socket, Watch> e : open.entrySet()) {
            Watch w = e.getValue();
            if (!w.room().equals(room)) {
                continue;
            }
            try {
                if (w.seat() == null) {
                    detail = detail != null ? detail : RoomsAdmin.detail(rooms, room);
                    send(e.getKey(), detail);
                } else {
                    view = view != null ? view : seats.view(room);
                    String url = view.urls().get(w.seat());
                    send(e.getKey(), url != null ? Map.of("url", url) : Map.of("waiting", view.waiting()));
                }
            } catch (RuntimeException ex) {
                LOG.warn("cannot update a socket of room {}: {}", room, ex.getMessage());
            }
        }
    }
}
