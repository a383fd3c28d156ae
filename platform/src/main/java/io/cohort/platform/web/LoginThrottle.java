package io.cohort.platform.web;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@value #FREE_TRIES} failures for a user name or an address, each further try
 * must wait twice as long as the last (2 s, 4 s, 8 s … at most 15 minutes). A success clears the count.
 */
public final class LoginThrottle {

    static final int FREE_TRIES = 5;
    private static final long MAX_WAIT_MILLIS = 15 * 60_000;

    private record Failures(int count, long last) {
    }

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds to wait before {@code user} may try again from {@code ip}; 0 if now. */
    public long waitSeconds(String user, String ip) {
        return Math.max(wait("user:" + user), wait("ip:" + ip));
    }

    private long wait(String key) {
        Failures f = failures.get(key);
        if (f == null || f.count < FREE_TRIES) {
            return 0;
        }
        long delay = Math.min(MAX_WAIT_MILLIS, 2_000L << Math.min(20, f.count - FREE_TRIES));
        long left = f.last + delay - clock.millis();
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    public void failed(String user, String ip) {
        long now = clock.millis();
        for (String key : new String[] {"user:" + user, "ip:" + ip}) {
            failures.merge(key, new Failures(1, now), (old, one) -> new Failures(old.count + 1, now));
        }
    }

    public void succeeded(String user, String ip) {
        failures.remove("user:" + user);
        failures.remove("ip:" + ip);
    }
}
