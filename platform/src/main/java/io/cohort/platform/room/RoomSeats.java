package io.cohort.platform.room;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Room;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.session.NodePresence;
import io.cohort.platform.session.RandomIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The participant's side of a room: who may come in, their seat (the token in their cookie, so a reload keeps
 * their place), and where a seat points once a session took it.
 */
@Singleton
public final class RoomSeats {

    /** What an arrival or a seat's check comes to. */
    public enum Outcome {
        /** Waiting: {@code seat} is theirs. */
        WAITING,
        /** A session has a participant for them: go to {@code url}. */
        TO_PARTICIPANT,
        /** No label yet: ask for one. */
        ASK_LABEL,
        NOT_ON_LIST,
        /** Free join: someone else waits under this label already. */
        LABEL_TAKEN,
        FULL,
        CLOSED,
        NO_ROOM
    }

    /**
     * @param waiting how many wait in the room now
     * @param error   why a typed label was refused (ASK_LABEL), or null
     */
    public record Arrival(
            Outcome outcome, Room room, String seat, String label, String url, int waiting, String error) {}

    private final Transactions tx;
    private final RoomFeed feed;

    /** Which node holds a waiting page's socket: a dead node's stop counting (NodePresence). */
    private final NodePresence presence;

    @Inject
    public RoomSeats(Transactions tx, RoomFeed feed, NodePresence presence) {
        this.tx = tx;
        this.feed = feed;
        this.presence = presence;
    }

    static String participantUrl(String session, String token) {
        return "/p/" + session + "/" + token + "/";
    }

    /**
     * Someone at {@code /room/{name}/}.
     *
     * @param seat          the seat token from their cookie, or null
     * @param label         the label they typed or came with, or null
     * @param generateLabel in a free-join room, make up a label when none is given (they pressed "Join")
     */
    public Arrival arrive(String name, String seat, String label, boolean generateLabel) {
        return tx.run(c -> {
            Optional<Room> found = RoomStore.lock(c, name);
            if (found.isEmpty()) {
                return new Arrival(Outcome.NO_ROOM, null, null, null, null, 0, null);
            }
            Room room = found.get();
            Optional<Arrival> seated = seated(c, room, seat);
            if (seated.isPresent()) {
                return seated.get();
            }
            String given;
            try {
                given = label == null || label.isBlank() ? null : RoomStore.checkLabel(label, "label");
            } catch (IllegalArgumentException e) {
                return refuse(c, Outcome.ASK_LABEL, room, label, e.getMessage());
            }
            if (given != null && room.sessionId() != null) {
                Optional<String> url = slot(c, room.sessionId(), given);
                if (url.isPresent()) {
                    // A restricted room's label was handed to one person; a free room's label is whatever someone
                    // typed, so it leads to a participant only through the seat cookie of the browser that took it.
                    return room.open()
                            ? refuse(c, Outcome.LABEL_TAKEN, room, given, null)
                            : new Arrival(Outcome.TO_PARTICIPANT, room, null, given, url.get(), 0, null);
                }
            }
            if (room.closed()) {
                return refuse(c, Outcome.CLOSED, room, given, null);
            }
            if (given == null && (!room.open() || !generateLabel)) {
                return refuse(c, Outcome.ASK_LABEL, room, null, null);
            }
            if (given != null && !room.open() && !room.labels().contains(given)) {
                return refuse(c, Outcome.NOT_ON_LIST, room, given, null);
            }
            if (room.sessionId() != null) {
                // The session took the waiting list and has no slot for this label.
                return refuse(c, Outcome.FULL, room, given, null);
            }
            if (given != null) {
                Optional<String> sameLabel = seatOf(c, room.name(), given);
                if (sameLabel.isPresent()) {
                    // A restricted label is one person's: the same person on another device. A free one is anybody's.
                    return room.open()
                            ? refuse(c, Outcome.LABEL_TAKEN, room, given, null)
                            : seated(c, room, sameLabel.get()).orElseThrow();
                }
            }
            if (count(c, room.name()) >= room.capacity()) {
                return refuse(c, Outcome.FULL, room, given, null);
            }
            String newSeat = RandomIds.token();
            String newLabel = given != null ? given : "guest-" + RandomIds.id(6);
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO cohort.room_waiting (seat, room, label) VALUES (?, ?, ?)")) {
                ps.setString(1, newSeat);
                ps.setString(2, room.name());
                ps.setString(3, newLabel);
                ps.executeUpdate();
            }
            feed.changed(room.name());
            return new Arrival(Outcome.WAITING, room, newSeat, newLabel, null, count(c, room.name()), null);
        });
    }

    private static Arrival refuse(Connection c, Outcome outcome, Room room, String label, String error)
            throws SQLException {
        return new Arrival(outcome, room, null, label, null, count(c, room.name()), error);
    }

    /** Where a known seat stands; marks its holder as seen. Empty for an unknown (or forgotten) seat. */
    private Optional<Arrival> seated(Connection c, Room room, String seat) throws SQLException {
        if (seat == null || seat.isBlank()) {
            return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.room_waiting w SET last_seen = clock_timestamp()"
                + " FROM cohort.room_waiting prev LEFT JOIN cohort.participant p ON p.id = prev.participant_id"
                + " WHERE w.seat = ? AND w.room = ? AND prev.seat = w.seat"
                + " RETURNING w.label, p.session_id, p.token, " + RoomStore.online("prev") + " AS online")) {
            ps.setString(1, seat);
            ps.setString(2, room.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!rs.getBoolean("online")) {
                    feed.changed(room.name());
                }
                String label = rs.getString("label");
                if (rs.getString("session_id") != null) {
                    return Optional.of(new Arrival(
                            Outcome.TO_PARTICIPANT,
                            room,
                            seat,
                            label,
                            participantUrl(rs.getString("session_id"), rs.getString("token")),
                            0,
                            null));
                }
                return Optional.of(new Arrival(Outcome.WAITING, room, seat, label, null, count(c, room.name()), null));
            }
        }
    }

    /** The participant URL of the session's participant pre-assigned to {@code label}. */
    private static Optional<String> slot(Connection c, String session, String label) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT token FROM cohort.participant WHERE session_id = ? AND label = ? ORDER BY created_at LIMIT 1")) {
            ps.setString(1, session);
            ps.setString(2, label);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(participantUrl(session, rs.getString("token"))) : Optional.empty();
            }
        }
    }

    private static Optional<String> seatOf(Connection c, String room, String label) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT seat FROM cohort.room_waiting WHERE room = ? AND label = ?")) {
            ps.setString(1, room);
            ps.setString(2, label);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString("seat")) : Optional.empty();
            }
        }
    }

    private static int count(Connection c, String room) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) AS n FROM cohort.room_waiting WHERE room = ? AND participant_id IS NULL")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt("n");
            }
        }
    }

    /** A poll of the waiting page or a socket's first message: where the seat stands now, without arriving anew. */
    public Arrival check(String name, String seat) {
        return tx.run(c -> {
            Optional<Room> room = RoomStore.find(c, name);
            if (room.isEmpty()) {
                return new Arrival(Outcome.NO_ROOM, null, null, null, null, 0, null);
            }
            return seated(c, room.get(), seat)
                    .orElseGet(() -> new Arrival(Outcome.ASK_LABEL, room.get(), null, null, null, 0, null));
        });
    }

    /** A waiting page's socket opened ({@code +1}) or closed ({@code -1}): the holder is online while one is open. */
    public void socket(String seat, int delta) {
        if (delta > 0) {
            presence.opened("seat", seat);
        } else {
            presence.closed("seat", seat);
        }
        tx.run(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE cohort.room_waiting SET sockets = greatest(sockets + ?, 0),"
                            + " last_seen = clock_timestamp() WHERE seat = ? RETURNING room")) {
                ps.setInt(1, delta);
                ps.setString(2, seat);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        feed.changed(rs.getString("room"));
                    }
                }
            }
            return null;
        });
    }

    /** What each open waiting page of a room should show: the count, and for seats a session took, their URL. */
    public record View(int waiting, Map<String, String> urls) {}

    public View view(String room) {
        return tx.run(c -> {
            Map<String, String> urls = new HashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT w.seat, p.session_id, p.token FROM cohort.room_waiting w"
                            + " JOIN cohort.participant p ON p.id = w.participant_id WHERE w.room = ?")) {
                ps.setString(1, room);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        urls.put(
                                rs.getString("seat"),
                                participantUrl(rs.getString("session_id"), rs.getString("token")));
                    }
                }
            }
            return new View(count(c, room), urls);
        });
    }
}
