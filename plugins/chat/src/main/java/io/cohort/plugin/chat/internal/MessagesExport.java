package io.cohort.plugin.chat.internal;

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

/**
 * The session export's {@code chat_messages} table: every message by time. Streamed with a cursor (a fetch size
 * inside a transaction), so a long chat never sits in memory whole.
 */
@Component(service = ExportTable.class, property = ExportTable.NAME + "=chat_messages")
public final class MessagesExport implements ExportTable {

    private static final List<String> COLUMNS = List.of("session", "participant", "from", "text", "sent_at", "read_at");

    private final PluginDatabase db;

    @Activate
    public MessagesExport(@Reference PluginDatabase db) {
        this.db = db;
    }

    @Override
    public List<String> columns() {
        return COLUMNS;
    }

    @Override
    public void rows(String sessionId, Rows out) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams only inside a transaction
            try (PreparedStatement s = c.prepareStatement("SELECT session_id, participant_id,"
                    + " coalesce(admin, 'participant'), body, sent_at, read_at FROM message"
                    + " WHERE ?::text IS NULL OR session_id = ? ORDER BY id")) {
                s.setString(1, sessionId);
                s.setString(2, sessionId);
                s.setFetchSize(500);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.row(Arrays.asList(
                                r.getString(1),
                                r.getString(2),
                                r.getString(3),
                                r.getString(4),
                                time(r.getTimestamp(5)),
                                time(r.getTimestamp(6))));
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static String time(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
