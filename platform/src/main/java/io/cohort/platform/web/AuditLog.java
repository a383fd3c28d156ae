package io.cohort.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/** Appends to {@code cohort.audit_log}: who did what to what, from the admin pages, the API or the CLI. */
@Singleton
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource db;
    private final String node;

    @Inject
    public AuditLog(DataSource db, Config config) {
        this(db, config.node());
    }

    public AuditLog(DataSource db, String node) {
        this.db = db;
        this.node = node;
    }

    public void record(String actor, String action, String target, Map<String, ?> detail) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO cohort.audit_log (actor, action, target, detail, node) VALUES (?, ?, ?, ?::jsonb, ?)")) {
            ps.setString(1, actor);
            ps.setString(2, action);
            ps.setString(3, target);
            ps.setString(4, JSON.writeValueAsString(detail));
            ps.setString(5, node);
            ps.executeUpdate();
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the audit row for " + action + ": " + e.getMessage(), e);
        }
    }
}
