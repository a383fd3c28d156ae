package io.cohort.platform.room;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.events.PgEvents;
import io.cohort.platform.session.LiveFeed;
import java.util.List;
import java.util.Map;

/**
 * Tells every node that a room's waiting list, state or session changed ({@value #TOPIC}). Published on the
 * changing transaction's connection, as {@link LiveFeed} does: it is heard once that transaction commits, so the
 * sockets that re-read the room see the change, and never if it rolls back.
 */
@Singleton
public final class RoomFeed {

    public static final String TOPIC = "room/changed";
    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final LiveFeed.Notifier notifier;
    private final Transactions tx;

    @Inject
    public RoomFeed(PgEvents events, Transactions tx) {
        this(events::publish, tx);
    }

    public RoomFeed(LiveFeed.Notifier notifier, Transactions tx) {
        this.notifier = notifier;
        this.tx = tx;
    }

    public void changed(String room) {
        String payload;
        try {
            payload = JSON.writeValueAsString(Map.of("room", room));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        tx.beforeCommit(List.of(TOPIC, room), c -> {
            notifier.publish(c, TOPIC, payload);
            return null;
        });
    }
}
