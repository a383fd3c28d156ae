package io.cohort.api.session;

import java.util.List;
import java.util.Optional;

/** Service: rooms, where participants wait until a session takes them. */
public interface Rooms {

    List<Room> list();

    Optional<Room> find(String name);

    /** Creates or edits a room; editing is refused while a session is associated. */
    Room save(Room room, String by);

    /** The participants waiting, oldest first. */
    List<Waiting> waiting(String room);

    /** One person in a room's waiting list. */
    record Waiting(String room, String label, java.time.Instant arrivedAt, boolean online) {
    }
}
