package io.cohort.platform.data;

import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.osgi.framework.launch.Framework;

/** A real host on a fresh database, with fixture rows written in plain SQL (the data pages only read). */
final class DataHost implements AutoCloseable {

    static final String TOKEN = "data-token";
    static final String PASSWORD = "data-secret";

    final InProcessNode node;
    final Framework framework;
    final Host host;
    final String db;
    /** Bearer-token client. */
    final AdminHttp api;

    private DataHost(InProcessNode node, String db) {
        this.node = node;
        this.framework = node.framework();
        this.host = node.host();
        this.db = db;
        this.api = anonymous().bearer(TOKEN);
    }

    static DataHost start(Path home) throws Exception {
        String db = TestDatabase.create();
        return new DataHost(
                InProcessNode.start(
                        home,
                        Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN, "COHORT_ADMIN_PASSWORD", PASSWORD)),
                db);
    }

    /** No cookie, no token. */
    AdminHttp anonymous() {
        return new AdminHttp(URI.create(host.url()));
    }

    /** Logged in as admin with a cookie, as a browser is. */
    AdminHttp browser() {
        AdminHttp http = anonymous();
        http.login("admin", PASSWORD);
        return http;
    }

    void sql(String sql, Object... args) throws Exception {
        try (Connection c = DriverManager.getConnection(db);
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        }
    }

    void session(String id) throws Exception {
        sql(
                "INSERT INTO cohort.session (id, name, experiment, code_version, size, created_by)"
                        + " VALUES (?, ?, 'stroop', 'v1', 10, 'test')",
                id,
                "Session " + id);
    }

    /** A participant created at {@code createdAt} (ISO-8601), mode SANDBOX/LIVE/BOT or null (a bot has no market). */
    void participant(
            String session,
            String id,
            String name,
            String status,
            String condition,
            String mode,
            String codeVersion,
            long bonusCents,
            String createdAt)
            throws Exception {
        sql(
                "INSERT INTO cohort.participant (id, session_id, name, token, mode, experiment, code_version, condition,"
                        + " status, bonus_cents, created_at, updated_at, worker_id, provider)"
                        + " VALUES (?, ?, ?, ?, ?, 'stroop', ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, ?, ?)",
                id,
                session,
                name,
                "tok-" + id,
                mode,
                codeVersion,
                condition,
                status,
                bonusCents,
                createdAt,
                createdAt,
                crowd(mode) ? "W" + id : null,
                // Crowd participants come from two markets: live ones from Prolific, sandbox ones from MTurk.
                crowd(mode) ? mode.equals("SANDBOX") ? "mturk" : "prolific" : null);
    }

    private static boolean crowd(String mode) {
        return mode != null && !mode.equals("BOT");
    }

    /** A field value (JSON text) set at {@code setAt} (ISO-8601). */
    void field(String participant, String key, String json, String setAt, String setBy) throws Exception {
        sql(
                "INSERT INTO cohort.field_value (participant_id, key, value, set_at, set_by)"
                        + " VALUES (?, ?, ?::jsonb, ?::timestamptz, ?)",
                participant,
                key,
                json,
                setAt,
                setBy);
    }

    @Override
    public void close() throws Exception {
        node.close();
    }
}
