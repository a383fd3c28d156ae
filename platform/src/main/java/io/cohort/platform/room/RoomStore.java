package io.cohort.platform.room;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Room;
import io.cohort.api.session.Rooms;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.session.RegisteredServices;
import io.cohort.platform.session.SessionStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@link Rooms} over {@code cohort.room} and {@code cohort.room_waiting}. */
@Singleton
public final class RoomStore implements Rooms {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    static final int MAX_CAPACITY = 10_000;
    static final int MAX_LABEL = 64;
    static final String COLUMNS = "r.name, r.experiment, r.labels, r.capacity, r.open, r.closed, r.session_id";
    /** Online: a socket open, or a poll in the last few seconds (the waiting page polls every 2 s without one). */
    static String online(String seat) {
        return "(" + seat + ".sockets > 0 OR " + seat + ".last_seen > clock_timestamp() - interval '5 seconds')";
    }

    private final Transactions tx;
    private final Experiments experiments;
    private final Sessions sessions;
    private final RoomFeed feed;

    @Inject
    public RoomStore(Transactions tx, RegisteredServices services, SessionStore sessions, RoomFeed feed) {
        this(tx, (Experiments) services, (Sessions) sessions, feed);
    }

    public RoomStore(Transactions tx, Experiments experiments, Sessions sessions, RoomFeed feed) {
        this.tx = tx;
        this.experiments = experiments;
        this.sessions = sessions;
        this.feed = feed;
    }

    static Room read(ResultSet rs) throws SQLException {
        Array labels = rs.getArray("labels");
        return new Room(
                rs.getString("name"),
                rs.getString("experiment"),
                List.of((String[]) labels.getArray()),
                rs.getInt("capacity"),
                rs.getBoolean("open"),
                rs.getBoolean("closed"),
                rs.getString("session_id"));
    }

    private static Room existing(Connection c, String name) throws SQLException {
        return lock(c, name).orElseThrow(() -> new IllegalArgumentException("room: there is no room '" + name + "'"));
    }

    @Override
    public List<Room> list() {
        return tx.run(c -> {
            List<Room> out = new ArrayList<>();
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT " + COLUMNS + " FROM cohort.room r ORDER BY r.name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<Room> find(String name) {
        return tx.run(c -> find(c, name));
    }

    static Optional<Room> find(Connection c, String name) throws SQLException {
        return select(c, name, "");
    }

    /** The room, locked until the transaction ends: arrivals, edits and session creation take turns. */
    static Optional<Room> lock(Connection c, String name) throws SQLException {
        return select(c, name, " FOR UPDATE");
    }

    private static Optional<Room> select(Connection c, String name, String suffix) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + COLUMNS + " FROM cohort.room r WHERE r.name = ?" + suffix)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * A label as typed: trimmed, at most {@value #MAX_LABEL} characters, no commas or control characters (the
     * admin form lists labels separated by commas or lines; labels become participant names).
     */
    static String checkLabel(String raw, String field) {
        String label = raw == null ? "" : raw.strip();
        if (label.isEmpty()) {
            throw new IllegalArgumentException(field + ": a label may not be blank");
        }
        if (label.length() > MAX_LABEL) {
            throw new IllegalArgumentException(
                    field + ": '" + label.substring(0, 20) + "…' is longer than " + MAX_LABEL + " characters");
        }
        if (label.chars().anyMatch(ch -> ch == ',' || Character.isISOControl(ch))) {
            throw new IllegalArgumentException(field + ": '" + label + "' holds a comma or a control character");
        }
        return label;
    }

    @Override
    public Room save(Room room, String by) {
        String name = room.name() == null ? "" : room.name().strip();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' must be 1 to 64 letters, digits, '-' or '_',"
                    + " starting with a letter or digit (it is part of the room's URL)");
        }
        String experiment = room.experiment() == null ? "" : room.experiment().strip();
        if (experiments.find(experiment).isEmpty()) {
            throw new IllegalArgumentException("experiment: there is no experiment '" + experiment + "'");
        }
        if (room.capacity() < 1 || room.capacity() > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity: " + room.capacity() + " is not between 1 and " + MAX_CAPACITY);
        }
        List<String> labels = new ArrayList<>();
        for (String label : room.labels() == null ? List.<String>of() : room.labels()) {
            labels.add(checkLabel(label, "labels"));
        }
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("labels: each label may appear only once");
        }
        if (!room.open() && labels.isEmpty()) {
            throw new IllegalArgumentException(
                    "labels: a restricted room needs at least one label (or choose free join)");
        }
        Room saved = tx.run(c -> {
            Optional<Room> before = lock(c, name);
            if (before.isPresent() && before.get().sessionId() != null) {
                throw new IllegalArgumentException("room: '" + name + "' feeds session "
                        + before.get().sessionId() + "; disassociate it before editing");
            }
            String sql = before.isPresent()
                    ? "UPDATE cohort.room SET experiment = ?, labels = ?, capacity = ?, open = ?, updated_at = now()"
                            + " WHERE name = ?"
                    : "INSERT INTO cohort.room (experiment, labels, capacity, open, name, created_by) VALUES (?, ?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, experiment);
                ps.setArray(2, c.createArrayOf("text", labels.toArray()));
                ps.setInt(3, room.capacity());
                ps.setBoolean(4, room.open());
                ps.setString(5, name);
                if (before.isEmpty()) {
                    ps.setString(6, by);
                }
                ps.executeUpdate();
            }
            return existing(c, name);
        });
        feed.changed(name);
        return saved;
    }

    @Override
    public List<Waiting> waiting(String room) {
        return tx.run(c -> {
            List<Waiting> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT w.label, w.arrived_at, " + online("w") + " AS online"
                            + " FROM cohort.room_waiting w WHERE w.room = ? AND w.participant_id IS NULL ORDER BY w.arrived_at, w.seat")) {
                ps.setString(1, room);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Waiting(
                                room,
                                rs.getString("label"),
                                rs.getTimestamp("arrived_at").toInstant(),
                                rs.getBoolean("online")));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Room setClosed(String name, boolean closed, String by) {
        return change(name, "closed = ?", closed);
    }

    @Override
    public Room disassociate(String name, String by) {
        Room room = tx.run(c -> {
            Room r = existing(c, name);
            if (r.sessionId() == null) {
                throw new IllegalArgumentException("room: '" + name + "' has no session to disassociate");
            }
            // Seats that became participants belong to the session now; without them the same labels may come again.
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM cohort.room_waiting WHERE room = ? AND participant_id IS NOT NULL")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return update(c, name, "session_id = ?", null);
        });
        feed.changed(name);
        return room;
    }

    private Room change(String name, String assignment, Object value) {
        Room room = tx.run(c -> {
            existing(c, name);
            return update(c, name, assignment, value);
        });
        feed.changed(name);
        return room;
    }

    private static Room update(Connection c, String name, String assignment, Object value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.room r SET " + assignment + ", updated_at = now()"
                + " WHERE r.name = ? RETURNING " + COLUMNS)) {
            ps.setObject(1, value);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    @Override
    public Session createSession(String name, String settings, String by) {
        Session session = tx.run(c -> {
            Room room = existing(c, name);
            if (room.sessionId() != null) {
                throw new IllegalArgumentException(
                        "room: '" + name + "' feeds session " + room.sessionId() + " already; disassociate it first");
            }
            List<String> labels = waiting(name).stream().map(Waiting::label).toList();
            if (labels.isEmpty()) {
                throw new IllegalArgumentException("waiting list: nobody is waiting in room '" + name + "'");
            }
            // Joins this transaction: if anything below fails, the session is not created either.
            Session s = sessions.create(new NewSession(
                    room.experiment(),
                    labels.size(),
                    settings == null || settings.isBlank() ? null : settings,
                    null,
                    labels,
                    false,
                    by));
            execute(c, "UPDATE cohort.participant SET label = name WHERE session_id = ?", s.id());
            execute(
                    c,
                    "UPDATE cohort.room_waiting w SET participant_id = p.id FROM cohort.participant p"
                            + " WHERE w.room = ? AND w.participant_id IS NULL AND p.session_id = ? AND p.name = w.label",
                    name,
                    s.id());
            update(c, name, "session_id = ?", s.id());
            return s;
        });
        feed.changed(name);
        return session;
    }

    private static void execute(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    /** Labels as an admin types them: separated by commas or line breaks. */
    public static List<String> splitLabels(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split("[,\\r\\n]+"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
