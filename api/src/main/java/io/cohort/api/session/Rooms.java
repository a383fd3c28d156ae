package io.cohort.api.session;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Service: rooms, where participants wait until a session takes them. Every change records who made it. */
@ProviderType
public interface Rooms {

    List<Room> list();

    Optional<Room> find(String name);

    /**
     * Creates or edits a room (experiment, labels, capacity, join mode). Its {@code closed} flag and session are
     * not changed here: see {@link #setClosed}, {@link #createSession}, {@link #disassociate}.
     *
     * @throws IllegalArgumentException naming the field; also when a session is associated — nothing changes then
     */
    Room save(Room room, String by);

    /** The participants waiting (not yet in a session), oldest first. */
    List<Waiting> waiting(String room);

    /** A closed room refuses arrivals; who is waiting stays, and the session is not touched. */
    Room setClosed(String room, boolean closed, String by);

    /**
     * Opens a session of the room's experiment with one participant per waiting person, named by their label
     * (pre-assigned slots), associates it with the room and sends each waiting person to their participant URL.
     *
     * @param settings JSON object text, or null for the experiment's defaults
     * @throws IllegalArgumentException when a session is associated already, nobody waits, or the session is refused
     */
    Session createSession(String room, String settings, String by);

    /** The room forgets its session (which goes on), so it can be edited and fill again. */
    Room disassociate(String room, String by);

    /** One person in a room's waiting list. */
    record Waiting(String room, String label, Instant arrivedAt, boolean online) {}
}
