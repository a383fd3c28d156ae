package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Admin logins, kept in {@code cohort.admin_session} so they survive a restart, are shared by every node and
 * can be listed and revoked. The cookie holds a random token; the table holds its SHA-256.
 */
@Singleton
public final class AdminSessions {

    /** Idle logins end after this. */
    static final String IDLE = "12 hours";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource db;
    /** A login ends this long after it began, however busy (a stolen cookie does not live for ever). */
    private final String lifetime;

    /** @param lifetimeHours {@code login.lifetime.hours}: the absolute lifetime of a login */
    @Inject
    public AdminSessions(DataSource db, Config config) {
        this(db, config.integer("login.lifetime.hours", 1, 24 * 365));
    }

    public AdminSessions(DataSource db, int lifetimeHours) {
        this.db = db;
        this.lifetime = lifetimeHours + " hours";
    }

    /** The SQL condition of a live login. */
    private String live() {
        return "revoked_at IS NULL AND last_seen > now() - interval '" + IDLE + "' AND created_at > now() - interval '"
                + lifetime + "'";
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
    public String create(String user, String ip, String userAgent) throws SQLException {
        String token = token();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO cohort.admin_session (token_hash, username, csrf, ip, user_agent) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, hash(token));
            ps.setString(2, user);
            ps.setString(3, token());
            ps.setString(4, ip);
            ps.setString(5, userAgent == null ? null : userAgent.substring(0, Math.min(300, userAgent.length())));
            ps.executeUpdate();
        }
        return token;
    }

    /** The live login for a cookie token, touching its last-seen time. */
    public Optional<Login> find(String token) throws SQLException {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("UPDATE cohort.admin_session SET last_seen = now() WHERE token_hash = ? AND "
                                + live() + " RETURNING " + COLUMNS)) {
            ps.setString(1, hash(token));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(login(rs)) : Optional.empty();
            }
        }
    }

    private static final String COLUMNS = "token_hash, username, csrf, ip, user_agent, created_at, last_seen";

    private static Login login(ResultSet rs) throws SQLException {
        return new Login(
                rs.getString("token_hash"),
                rs.getString("username"),
                rs.getString("csrf"),
                rs.getString("ip"),
                rs.getString("user_agent"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_seen").toInstant());
    }

    public List<Login> active() throws SQLException {
        List<Login> logins = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM cohort.admin_session WHERE "
                        + live() + " ORDER BY last_seen DESC");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                logins.add(login(rs));
            }
        }
        return logins;
    }

    /** Ends a login by its id (the hash); true if it was live. */
    public boolean revoke(String id, String by) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE cohort.admin_session SET revoked_at = now(), revoked_by = ? WHERE token_hash = ? AND revoked_at IS NULL")) {
            ps.setString(1, by);
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }
}
