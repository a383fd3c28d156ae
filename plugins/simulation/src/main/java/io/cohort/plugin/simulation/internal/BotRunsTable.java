package io.cohort.plugin.simulation.internal;

import io.cohort.api.data.ExportTable;
import io.cohort.api.storage.PluginDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The bot runs in a session's exports ({@code tables/bot_runs.csv}), read with a cursor, never all at once. */
@Component(service = ExportTable.class, property = ExportTable.NAME + "=bot_runs")
public final class BotRunsTable implements ExportTable {

    private final PluginDatabase database;

    /**
     * The plugin's database, not {@link BotRuns}: the host holds every export table as it is registered, and a table
     * that needs another of the plugin's components may be asked for while that one is still being registered.
     */
    @Activate
    public BotRunsTable(@Reference PluginDatabase database) {
        this.database = database;
    }

    @Override
    public List<String> columns() {
        return List.of("session", "participant", "bot", "started", "finished", "pages", "error");
    }

    @Override
    public void rows(String sessionId, Rows out) throws Exception {
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false); // PostgreSQL fetches in batches only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT session_id, participant_id, bot, started, finished, pages, error FROM bot_run"
                            + (sessionId == null ? "" : " WHERE session_id = ?") + " ORDER BY session_id, id")) {
                ps.setFetchSize(500);
                if (sessionId != null) {
                    ps.setString(1, sessionId);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.row(Arrays.asList(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                time(rs.getTimestamp(4)),
                                time(rs.getTimestamp(5)),
                                rs.getInt(6),
                                rs.getString(7)));
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private static String time(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
