package io.cohort.platform.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The admin accounts: those of {@code admin.<name>} settings first, then the one chosen through the one-time
 * start-up link, kept bcrypt-hashed in {@code cohort.admin_account}. A setting that is a bcrypt hash is used as it
 * is; a plain password is hashed at start-up and never kept in the clear.
 */
public final class AdminAccounts {

    /** Compared against for unknown users so a wrong name costs as long as a wrong password (bcrypt of "dummy"). */
    private static final String DUMMY = "$2a$10$gSLWsCk4GN6sc/kOcENLPOhV/AzFy/5B5wT/6q5UGxky0fEczTnOq";

    /** Long enough that the throttle's 10 guesses a minute could not get near it in a lab's lifetime. */
    public static final int MIN_PASSWORD = 10;

    private final Map<String, String> hashes = new HashMap<>();
    /** Null: no database (accounts from settings only). */
    private final DataSource database;

    public AdminAccounts(Map<String, String> configured) {
        this(configured, null);
    }

    public AdminAccounts(Map<String, String> configured, DataSource database) {
        configured.forEach((user, secret) ->
                hashes.put(user, isHash(secret) ? secret : BCrypt.hashpw(secret, BCrypt.gensalt(10))));
        this.database = database;
    }

    static boolean isHash(String value) {
        return value.matches("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    }

    /** No account at all: the one-time link is how the first admin gets in. */
    public boolean none() {
        if (!hashes.isEmpty()) {
            return false;
        }
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM cohort.admin_account LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            return !rs.next();
        } catch (SQLException | IllegalStateException e) {
            return true;
        }
    }

    public boolean check(String user, String password) {
        String name = user == null ? "" : user;
        String hash = hashes.containsKey(name) ? hashes.get(name) : stored(name);
        boolean ok = BCrypt.checkpw(password == null ? "" : password, hash == null ? DUMMY : hash);
        return ok && hash != null;
    }

    /**
     * Keeps the password chosen through the one-time link. Only while there is no account: a second use of an old
     * link cannot replace a password.
     *
     * @throws IllegalArgumentException naming what is wrong with the password
     * @return false when an account exists already (nothing changed)
     */
    public boolean choose(String user, String password, String repeated) throws SQLException {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("password: at least " + MIN_PASSWORD + " characters, please");
        }
        if (!password.equals(repeated)) {
            throw new IllegalArgumentException("repeat: the two passwords differ");
        }
        if (!hashes.isEmpty()) {
            return false;
        }
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.admin_account (name, password_hash)"
                        + " SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM cohort.admin_account)")) {
            ps.setString(1, user);
            ps.setString(2, BCrypt.hashpw(password, BCrypt.gensalt(10)));
            return ps.executeUpdate() == 1;
        }
    }

    private String stored(String user) {
        if (database == null) {
            return null;
        }
        try (Connection c = connection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT password_hash FROM cohort.admin_account WHERE name = ?")) {
            ps.setString(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString("password_hash") : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    private Connection connection() throws SQLException {
        if (database == null) {
            throw new IllegalStateException("no database");
        }
        return database.getConnection();
    }
}
