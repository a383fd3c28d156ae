package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import io.cohort.platform.db.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Admin logins, kept in {@code cohort.admin_session} so they survive a restart, are shared by every node and
 * can be listed and revoked. The cookie holds a random token; the table holds its SHA-256.
 */
@Singleton
public final class AdminSessions {

    /** Idle logins end after this. */
    static final String IDLE = "12 hours";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Transactions tx;
    /** A login ends this long after it began, however busy (a stolen cookie does not live for ever). */
    private final int lifetimeHours;

    @Inject
    public AdminSessions(Transactions tx, Config config) {
        this(tx, config.integer("login.lifetime.hours", 1, 24 * 365));
    }

    /** @param lifetimeHours {@code login.lifetime.hours}: the absolute lifetime of a login */
    public AdminSessions(Transactions tx, int lifetimeHours) {
        this.tx = tx;
        this.lifetimeHours = lifetimeHours;
    }

    /** A logged-in admin: {@code id} is the stored hash (safe to show), {@code csrf} the token forms carry. */
    public record Login(
            String id, String user, String csrf, String ip, String userAgent, Instant created, Instant lastSeen) {}

    /** A new unguessable token (URL- and cookie-safe). */
    public static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a login and returns the cookie's token. */
    public String create(String user, String ip, String userAgent) {
        String token = token();
        String agent = userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length()));
        tx.mapper(AdminSessionMapper.class, m -> m.insert(hash(token), user, token(), ip, agent));
        return token;
    }

    /** The live login for a cookie token, touching its last-seen time. */
    public Optional<Login> find(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return tx.mapper(AdminSessionMapper.class, m -> m.touch(hash(token), lifetimeHours)).stream()
                .findFirst();
    }

    public List<Login> active() {
        return tx.mapper(AdminSessionMapper.class, m -> m.live(lifetimeHours));
    }

    /** Ends a login by its id (the hash); true if it was live. */
    public boolean revoke(String id, String by) {
        return tx.mapper(AdminSessionMapper.class, m -> m.revoke(id, by)) == 1;
    }
}
