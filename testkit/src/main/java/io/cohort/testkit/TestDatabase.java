package io.cohort.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Real PostgreSQL for tests. With {@code COHORT_TEST_DB_URL} set (a JDBC URL of a server where the user may
 * create databases, as {@code .ci/run} sets it), each call makes a new empty database on that server; without
 * it, an embedded PostgreSQL is started once per JVM and databases are made there. Databases made here are
 * dropped when the JVM exits.
 */
public final class TestDatabase {

    public static final String ENV = "COHORT_TEST_DB_URL";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> CREATED = new ArrayList<>();
    private static String serverUrl;
    private static EmbeddedPostgres embedded;

    private TestDatabase() {}

    /** JDBC URL (user included) of a new, empty database. */
    public static synchronized String create() {
        String server = server();
        String name = "cohort_test_" + Long.toUnsignedString(RANDOM.nextLong(), 36);
        try (Connection c = DriverManager.getConnection(server);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database on " + server + ": " + e.getMessage(), e);
        }
        CREATED.add(name);
        return withDatabase(server, name);
    }

    /** Replaces the database name in a {@code jdbc:postgresql://host:port/db?params} URL. */
    static String withDatabase(String url, String database) {
        int hostStart = url.indexOf("//") + 2;
        int slash = url.indexOf('/', hostStart);
        int query = url.indexOf('?', hostStart);
        String hostPart = url.substring(0, slash < 0 ? (query < 0 ? url.length() : query) : slash);
        String params = query < 0 ? "" : url.substring(query);
        return hostPart + "/" + database + params;
    }

    private static String server() {
        if (serverUrl != null) {
            return serverUrl;
        }
        String fromEnv = System.getenv(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            serverUrl = fromEnv.contains("user=")
                    ? fromEnv
                    : fromEnv + (fromEnv.contains("?") ? "&" : "?") + "user=postgres";
        } else {
            try {
                // Durable like the platform's own embedded server, so what tests and benchmarks measure is real.
                embedded = EmbeddedPostgres.builder()
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start an embedded PostgreSQL for tests", e);
            }
            serverUrl = embedded.getJdbcUrl("postgres", "postgres");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropAll, "drop-test-databases"));
        return serverUrl;
    }

    private static synchronized void dropAll() {
        try (Connection c = DriverManager.getConnection(serverUrl);
                Statement s = c.createStatement()) {
            for (String name : CREATED) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            // The server may already be gone at exit; leftover databases are named cohort_test_*.
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }
    }
}
