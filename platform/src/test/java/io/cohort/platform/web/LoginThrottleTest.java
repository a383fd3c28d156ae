package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The throttle on its own clock: free tries, doubling waits, a cap, other clients untouched, forgetting. */
class LoginThrottleTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-05T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();
    final LoginThrottle throttle = new LoginThrottle(clock);

    @Test
    void fiveFreeTriesThenEachWaitDoublesUpToFifteenMinutes() {
        for (int i = 0; i < LoginThrottle.FREE_TRIES - 1; i++) {
            throttle.failed("admin", "10.0.0.1");
            assertEquals(0, throttle.waitSeconds("admin", "10.0.0.1"), "free try " + (i + 1));
        }
        throttle.failed("admin", "10.0.0.1");
        assertEquals(2, throttle.waitSeconds("admin", "10.0.0.1"));
        clock.advance(Duration.ofMillis(1_500));
        assertEquals(1, throttle.waitSeconds("admin", "10.0.0.1"), "rounded up, never 0 early");
        clock.advance(Duration.ofMillis(500));
        assertEquals(0, throttle.waitSeconds("admin", "10.0.0.1"));

        throttle.failed("admin", "10.0.0.1");
        assertEquals(4, throttle.waitSeconds("admin", "10.0.0.1"));
        throttle.failed("admin", "10.0.0.1");
        assertEquals(8, throttle.waitSeconds("admin", "10.0.0.1"));
        for (int i = 0; i < 20; i++) {
            throttle.failed("admin", "10.0.0.1");
        }
        assertEquals(15 * 60, throttle.waitSeconds("admin", "10.0.0.1"), "capped at 15 minutes");
    }

    @Test
    void anotherClientIsNotHeldUpAndASuccessClearsTheClient() {
        for (int i = 0; i < 7; i++) {
            throttle.failed("admin", "10.0.0.1");
        }
        assertEquals(8, throttle.waitSeconds("admin", "10.0.0.1"));
        assertEquals(0, throttle.waitSeconds("admin", "10.0.0.2"), "the lab's own machine logs in at once");
        assertEquals(8, throttle.waitSeconds("alice", "10.0.0.1"), "the client is slowed for every user name");

        throttle.succeeded("admin", "10.0.0.1");
        assertEquals(0, throttle.waitSeconds("admin", "10.0.0.1"));
        assertEquals(0, throttle.waitSeconds("alice", "10.0.0.1"));
    }

    @Test
    void countsAreForgottenAnHourAfterTheLastFailureAndDropped() {
        for (int i = 0; i < 6; i++) {
            throttle.failed("admin", "10.0.0.1");
        }
        assertEquals(4, throttle.waitSeconds("admin", "10.0.0.1"));
        assertEquals(2, throttle.size(), "one (user, client) and one client count");

        clock.advance(Duration.ofMillis(LoginThrottle.FORGET_MILLIS + 1));
        assertEquals(0, throttle.waitSeconds("admin", "10.0.0.1"), "forgotten after an hour");
        // The next failure anywhere drops the old counts: guessing from many addresses cannot grow the map for ever.
        throttle.failed("bob", "10.0.0.9");
        assertEquals(2, throttle.size());
        throttle.failed("admin", "10.0.0.1");
        assertEquals(0, throttle.waitSeconds("admin", "10.0.0.1"), "the count started again at one");
    }
}
