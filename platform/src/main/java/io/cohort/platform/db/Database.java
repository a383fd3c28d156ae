package io.cohort.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.cohort.platform.Config;
import io.cohort.platform.ConfigException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, over the configured PostgreSQL or, when {@code db.url} is empty, an embedded one whose
 * data stays in {@code data/pg} under the home folder. Migrates the core schema {@code cohort}.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    static final long POOL_WAIT_MILLIS = 20_000;

    private final HikariDataSource pool;
    private final String listenUrl;
    private final EmbeddedServer embedded;

    private Database(HikariDataSource pool, String listenUrl, EmbeddedServer embedded) {
        this.pool = pool;
        this.listenUrl = listenUrl;
        this.embedded = embedded;
    }

    /** Opens the pool (starting or attaching to the embedded server if needed); does not migrate. */
    public static Database open(Config config) {
        String url = config.get("db.url");
        EmbeddedServer embedded = null;
        String user = config.get("db.user");
        String password = config.get("db.password");
        if (url.isEmpty()) {
            embedded = EmbeddedServer.open(config.dataDir());
            url = embedded.jdbcUrl();
            user = EmbeddedServer.ROLE;
            password = embedded.rolePassword();
        }
        HikariConfig hc = new HikariConfig();
        // The host's own SQL names its schema; plugins get theirs from PluginDatabase.
        hc.setJdbcUrl(url);
        if (!user.isEmpty()) {
            hc.setUsername(user);
        }
        if (!password.isEmpty()) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(config.integer("db.pool.size", 1, 1000));
        hc.setPoolName("cohort");
        // How long a request waits for a free connection before it fails. A participant would rather wait a few
        // seconds than see an error page when every connection is busy for a moment: a burst, a lock held
        // elsewhere, a node just started whose code is still cold. Well under the proxy's 60 s server timeout.
        hc.setConnectionTimeout(POOL_WAIT_MILLIS);
        hc.setInitializationFailTimeout(1);
        try {
            return new Database(new HikariDataSource(hc), withCredentials(url, user, password), embedded);
        } catch (HikariPool.PoolInitializationException e) {
            if (embedded != null) {
                embedded.stop();
            }
            throw new ConfigException(
                    "cannot reach the database at " + address(url) + " (db.url): " + rootMessage(e), e);
        }
    }

    /**
     * Migrations whose comments were reworded after they had run (no statement changed), by version: the checksum an
     * existing database recorded, and the file's checksum now. Flyway refuses to start on any mismatch, so
     * {@link #migrate} moves exactly these old checksums to the new ones, and nothing else.
     */
    static final Map<String, int[]> REWORDED = Map.of(
            "2", new int[] {-1387572624, 927244867},
            "3", new int[] {1254168076, 193110982},
            "5", new int[] {-1073416347, 2053311026},
            "6", new int[] {-1341355003, 728372463});

    /** Applies the core migrations. */
    public void migrate() {
        acceptRewordedComments();
        Flyway.configure(Database.class.getClassLoader())
                .dataSource(pool)
                .schemas("cohort")
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private void acceptRewordedComments() {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement exists =
                            c.prepareStatement("SELECT to_regclass('cohort.flyway_schema_history') IS NOT NULL");
                    ResultSet rs = exists.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cohort.flyway_schema_history SET checksum = ?" + " WHERE version = ? AND checksum = ?")) {
                for (Map.Entry<String, int[]> e : REWORDED.entrySet()) {
                    ps.setInt(1, e.getValue()[1]);
                    ps.setString(2, e.getKey());
                    ps.setInt(3, e.getValue()[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new ConfigException("cannot read the migration history: " + e.getMessage(), e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /** A JDBC URL with the credentials in it, for the one connection that must not come from the pool (LISTEN). */
    public String listenUrl() {
        return listenUrl;
    }

    static String withCredentials(String url, String user, String password) {
        StringBuilder full = new StringBuilder(url);
        for (String[] p : new String[][] {{"user", user}, {"password", password}}) {
            if (!p[1].isEmpty() && !url.contains(p[0] + "=")) {
                full.append(full.indexOf("?") < 0 ? '?' : '&')
                        .append(p[0])
                        .append('=')
                        .append(java.net.URLEncoder.encode(p[1], java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return full.toString();
    }

    public boolean embedded() {
        return embedded != null;
    }

    static String address(String url) {
        String rest = url.substring(url.indexOf("//") + 2);
        int end = rest.indexOf('/');
        return end < 0 ? rest : rest.substring(0, end);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            embedded.stop();
        }
    }
}
