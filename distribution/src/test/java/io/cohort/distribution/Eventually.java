package io.cohort.distribution;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a value is as expected, for what a node does a moment later (hot deploy, configuration). */
final class Eventually {

    private Eventually() {}

    /** What a poll found, and how long after the start it was found. */
    record Found<T>(T value, Duration after) {}

    /** Polls {@code probe} every 50 ms until {@code expected} holds; fails naming {@code what} and the last value. */
    static <T> Found<T> within(Duration timeout, String what, Supplier<T> probe, Predicate<T> expected) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        T last;
        while (true) {
            last = probe.get();
            if (expected.test(last)) {
                return new Found<>(last, Duration.ofNanos(System.nanoTime() - start));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout + "; last seen: " + last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
