package io.cohort.platform.db;

import io.cohort.platform.ConfigException;
import io.cohort.platform.session.RandomIds;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL in {@code data/pg}: durable, password-protected, and used by Cohort through a role of
 * its own that is not a superuser.
 *
 * <ul>
 *   <li>Durable: the embedding library starts its server for throw-away tests (fsync off, asynchronous commit), so
 *       a crash lost acknowledged answers. Here fsync, synchronous commit and full page writes are on.</li>
 *   <li>Passwords: {@code data/pg-superuser-password} and {@code data/pg-password} (the {@value #ROLE} role), both
 *       random, made at first start and readable only by Cohort's user; every connection, local or not, needs a
 *       password (scram-sha-256). A home made before this had {@code trust}: it is converted at start.</li>
 *   <li>Ownership: {@code data/pg-owner} holds the process id of the Cohort process that started the server. A
 *       server found running whose owner is alive is shared (e.g. {@code bin/cohort dump} beside a running node);
 *       one whose owner died (a crash) is stopped and started again cleanly.</li>
 * </ul>
 */
final class EmbeddedServer {

    static final String ROLE = "cohort";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServer.class);

    private final Path dataDir;
    private final Path pgDir;
    private final String superuserPassword;
    private final String rolePassword;
    /** Null when attached to a server another live Cohort process started. */
    private final EmbeddedPostgres server;

    private final int port;

    private EmbeddedServer(
            Path dataDir, String superuserPassword, String rolePassword, EmbeddedPostgres server, int port) {
        this.dataDir = dataDir;
        this.pgDir = dataDir.resolve("pg");
        this.superuserPassword = superuserPassword;
        this.rolePassword = rolePassword;
        this.server = server;
        this.port = port;
    }

    /** Starts the server in {@code dataDir/pg}, or attaches to the one a live Cohort process runs there. */
    static EmbeddedServer open(Path dataDir) {
        Path pg = dataDir.resolve("pg");
        try {
            Files.createDirectories(pg);
            String superuser = secret(dataDir.resolve("pg-superuser-password"));
            String role = secret(dataDir.resolve("pg-password"));
            Integer running = runningPort(pg);
            if (running != null) {
                Long owner = owner(dataDir);
                if (owner != null
                        && ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    return new EmbeddedServer(dataDir, superuser, role, null, running);
                }
                LOG.warn(
                        "An embedded PostgreSQL left running by a process that is gone (pid {}) is stopped and"
                                + " started again",
                        owner);
                stopOrphan(pg);
            }
            boolean fresh = !Files.exists(pg.resolve("PG_VERSION"));
            LOG.info("starting embedded PostgreSQL in {}", pg);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pg)
                    .setCleanDataDirectory(false)
                    // The library's shutdown hook would stop the server before the host is done with it.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setConnectConfig("password", superuser);
            Path pwfile = null;
            if (fresh) {
                pwfile = Files.createTempFile(
                        dataDir,
                        "pg-init",
                        ".txt",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(pwfile, superuser + "\n");
                // initdb's last --auth wins over the library's "-A trust".
                builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", pwfile.toString());
            }
            EmbeddedPostgres started;
            try {
                started = builder.start();
            } finally {
                if (pwfile != null) {
                    Files.deleteIfExists(pwfile);
                }
            }
            EmbeddedServer embedded = new EmbeddedServer(dataDir, superuser, role, started, started.getPort());
            embedded.secure();
            Files.writeString(
                    dataDir.resolve("pg-owner"),
                    Long.toString(ProcessHandle.current().pid()));
            return embedded;
        } catch (IOException | SQLException e) {
            throw new ConfigException("cannot start the embedded PostgreSQL in " + pg + ": " + e.getMessage(), e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    String rolePassword() {
        return rolePassword;
    }

    /** Whether this process started the server (and so stops it). */
    boolean owned() {
        return server != null;
    }

    /** Stops the server if this process started it. */
    void stop() {
        if (server == null) {
            return;
        }
        Long pid = postmasterPid(pgDir);
        try {
            server.close();
            // pg_ctl gives up waiting after 5 s while a shutdown checkpoint may still be writing: wait it out, so a
            // stopped Cohort never leaves a server behind.
            if (pid != null) {
                ProcessHandle.of(pid)
                        .ifPresent(p -> p.onExit()
                                .completeOnTimeout(p, 60, TimeUnit.SECONDS)
                                .join());
            }
            Files.deleteIfExists(dataDir.resolve("pg-owner"));
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }

    /** Passwords everywhere, Cohort's own role, and the schemas it uses made its own (idempotent). */
    private void secure() throws SQLException, IOException {
        Properties as = new Properties();
        as.setProperty("user", "postgres");
        as.setProperty("password", superuserPassword);
        try (Connection c = DriverManager.getConnection(jdbcUrl(), as);
                Statement s = c.createStatement()) {
            // A home from before had trust and no password: give the superuser one before trust goes.
            s.execute("ALTER ROLE postgres PASSWORD " + literal(superuserPassword));
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "') THEN"
                    + " CREATE ROLE " + ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$");
            s.execute("ALTER ROLE " + ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD "
                    + literal(rolePassword));
            s.execute("GRANT CONNECT, CREATE, TEMPORARY ON DATABASE postgres TO " + ROLE);
            // Schemas a superuser made before (cohort, plugin_*) and everything in them become the role's.
            s.execute("""
                    DO $$ DECLARE r record; BEGIN
                      FOR r IN SELECT n.nspname FROM pg_namespace n JOIN pg_roles o ON o.oid = n.nspowner
                               WHERE o.rolname = 'postgres' AND (n.nspname = 'cohort' OR n.nspname LIKE 'plugin\\_%')
                      LOOP EXECUTE format('ALTER SCHEMA %I OWNER TO cohort', r.nspname); END LOOP;
                      FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c
                               JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_roles o ON o.oid = c.relowner
                               WHERE o.rolname = 'postgres' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                                 AND (n.nspname = 'cohort' OR n.nspname LIKE 'plugin\\_%')
                      LOOP EXECUTE format(CASE WHEN r.relkind = 'S' THEN 'ALTER SEQUENCE %I.%I OWNER TO cohort'
                                               WHEN r.relkind IN ('v') THEN 'ALTER VIEW %I.%I OWNER TO cohort'
                                               WHEN r.relkind IN ('m') THEN 'ALTER MATERIALIZED VIEW %I.%I OWNER TO cohort'
                                               ELSE 'ALTER TABLE %I.%I OWNER TO cohort' END, r.nspname, r.relname);
                      END LOOP;
                      FOR r IN SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                               JOIN pg_roles o ON o.oid = t.typowner
                               WHERE o.rolname = 'postgres' AND t.typtype IN ('e', 'd')
                                 AND (n.nspname = 'cohort' OR n.nspname LIKE 'plugin\\_%')
                      LOOP EXECUTE format('ALTER TYPE %I.%I OWNER TO cohort', r.nspname, r.typname); END LOOP;
                    END $$""");
            Path hba = pgDir.resolve("pg_hba.conf");
            List<String> lines = Files.readAllLines(hba);
            if (lines.stream().anyMatch(l -> !l.strip().startsWith("#") && l.matches(".*\\btrust\\s*$"))) {
                LOG.warn("Embedded PostgreSQL: pg_hba.conf trusted every local user; it now asks for a password");
                Path next = pgDir.resolve("pg_hba.conf.new");
                Files.writeString(next, """
                        # Written by Cohort: every connection needs a password (data/pg-superuser-password for
                        # postgres, data/pg-password for cohort).
                        local   all   all                  scram-sha-256
                        host    all   all   127.0.0.1/32   scram-sha-256
                        host    all   all   ::1/128        scram-sha-256
                        """, StandardCharsets.UTF_8);
                Files.move(next, hba, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                s.execute("SELECT pg_reload_conf()");
            }
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** The secret in {@code file}, made (random, owner-only) if there is none. */
    private static String secret(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            return Files.readString(file).strip();
        }
        String value = RandomIds.token() + RandomIds.token();
        Path tmp = Files.createTempFile(
                file.getParent(),
                file.getFileName().toString(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return value;
    }

    private static Long owner(Path dataDir) {
        try {
            return Long.parseLong(Files.readString(dataDir.resolve("pg-owner")).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** A fast shutdown (SIGINT) of a server no live process owns; SIGKILL if it is still there after 30 s. */
    private static void stopOrphan(Path pg) throws IOException {
        Long pid = postmasterPid(pg);
        if (pid == null) {
            return;
        }
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        if (handle == null) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid))
                    .inheritIO()
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
            if (!handle.onExit()
                            .toCompletableFuture()
                            .completeOnTimeout(null, 30, TimeUnit.SECONDS)
                            .isDone()
                    || handle.isAlive()) {
                handle.destroyForcibly();
                handle.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the old server", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("the old server (pid " + pid + ") did not stop", e);
        }
    }

    private static Long postmasterPid(Path pg) {
        try {
            return Long.parseLong(
                    Files.readAllLines(pg.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The port of a server alive on {@code pg}, read from {@code postmaster.pid}; null if none is.
     */
    static Integer runningPort(Path pg) {
        Path pidFile = pg.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).trim());
            if (lines.size() < 4
                    || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return null;
            }
            return Integer.parseInt(lines.get(3).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
