package io.cohort.testkit.prolific;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** The emulator's time: the wall clock plus whatever a test moved it forward, so time-outs and schedules can be seen. */
final class ProlificClock {
    private final AtomicLong offsetMillis = new AtomicLong();

    Instant now() {
        return Instant.ofEpochMilli(System.currentTimeMillis() + offsetMillis.get());
    }

    void advance(Duration by) {
        if (by.isNegative()) throw new IllegalArgumentException("the clock only moves forward, not by " + by);
        offsetMillis.addAndGet(by.toMillis());
    }
}
