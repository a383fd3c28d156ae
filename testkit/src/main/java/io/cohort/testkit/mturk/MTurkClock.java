package io.cohort.testkit.mturk;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The emulator's time: the wall clock plus whatever a test moved it forward, so expiry and auto-approval can be seen. */
final class MTurkClock {
    private final AtomicLong offsetMillis = new AtomicLong();

    long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    void advance(Duration by) {
        offsetMillis.addAndGet(by.toMillis());
    }
}
