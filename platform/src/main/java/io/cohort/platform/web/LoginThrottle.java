package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without letting anyone lock the admin out. Failures are counted per (user name, client)
 * and per client: after {@value #FREE_TRIES} of either, each further try from that client must wait twice as long
 * as the last (2 s, 4 s, 8 s … at most 15 minutes). The right password from a client that has not failed is never
 * held up, whatever others tried. A success clears the client's counts; counts are forgotten an hour after their
 * last failure.
 */
@Singleton
public final class LoginThrottle {

    static final int FREE_TRIES = 5;
    private static final long MAX_WAIT_MILLIS = 15 * 60_000;
    static final long FORGET_MILLIS = 60 * 60_000;

    private record Failures(int count, long last) {}

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds {@code client} must wait before trying {@code user} again; 0 if now. */
    public long waitSeconds(String user, String client) {
        return Math.max(wait(pair(user, client)), wait(clientKey(client)));
    }

    private long wait(String key) {
        Failures f = failures.get(key);
        if (f == null || f.count < FREE_TRIES || clock.millis() - f.last > FORGET_MILLIS) {
            return 0;
        }
        long delay = Math.min(MAX_WAIT_MILLIS, 2_000L << Math.min(20, f.count - FREE_TRIES));
        long left = f.last + delay - clock.millis();
        return left <= 0 ? 0 : (left + 999) / 1000;
    }

    public void failed(String user, String client) {
        long now = clock.millis();
        failures.values().removeIf(f -> now - f.last > FORGET_MILLIS);
        for (String key : new String[] {pair(user, client), clientKey(client)}) {
            failures.merge(
                    key,
                    new Failures(1, now),
                    (old, one) -> now - old.last > FORGET_MILLIS ? one : new Failures(old.count + 1, now));
        }
    }

    public void succeeded(String user, String client) {
        failures.remove(pair(user, client));
        failures.remove(clientKey(client));
    }

    /** How many (user, client) and client counts are kept: what an attacker could make it hold. */
    int size() {
        return failures.size();
    }

    private static String pair(String user, String client) {
        return "user:" + user + "\n" + client;
    }

    private static String clientKey(String client) {
        return "client:" + client;
    }
}
