package io.cohort.platform.room;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many times one client may come into rooms without a seat, per minute: enough for a classroom behind one
 * address to join, too few to fill a room's seats or try labels by the thousand. Counts are per whole minute and
 * forgotten with it.
 */
final class JoinLimit {

    private static final long MINUTE_MILLIS = 60_000;

    private final int perMinute;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private record Window(long minute, int count) {}

    JoinLimit(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Counts one join by {@code client}; false once it has had its joins this minute. */
    boolean allow(String client) {
        long minute = clock.millis() / MINUTE_MILLIS;
        if (windows.size() > 10_000) {
            windows.values().removeIf(w -> w.minute() < minute);
        }
        Window w = windows.merge(
                client,
                new Window(minute, 1),
                (old, one) -> old.minute() == minute ? new Window(minute, old.count() + 1) : one);
        return w.count() <= perMinute;
    }

    /** Seconds until the next minute starts: the Retry-After of a refusal. */
    long retryAfterSeconds() {
        return Math.max(1, (MINUTE_MILLIS - clock.millis() % MINUTE_MILLIS + 999) / 1000);
    }
}
