package io.cohort.platform.room;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cohort.api.event.Events;
import io.cohort.platform.session.Transactions;
import java.util.List;
import java.util.Map;

/**
 * Tells every node that a room's waiting list, state or session changed ({@value #TOPIC}), once the transaction
 * that changed it commits, so the sockets that re-read it see the change.
 */
public final class RoomFeed {

    public static final String TOPIC = "room/changed";
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Events events;
    private final Transactions tx;

    public RoomFeed(Events events, Transactions tx) {
        this.events = events;
        this.tx = tx;
    }

    public void changed(String room) {
        tx.afterCommit(List.of(TOPIC, room), () -> {
            try {
                events.publish(TOPIC, JSON.writeValueAsString(Map.of("room", room)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
