package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.platform.db.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The session page's live monitor: one row per participant, read fresh for every change. */
@Singleton
public final class MonitorTable {

    private final Transactions tx;
    private final RegisteredServices experiments;

    @Inject
    public MonitorTable(Transactions tx, RegisteredServices experiments) {
        this.tx = tx;
        this.experiments = experiments;
    }

    /**
     * One participant as the monitor shows them.
     *
     * @param url        their personal link
     * @param page       the current page's name ({@code end} past the last one, {@code ?} when the experiment is gone)
     * @param pages      how many pages the experiment has
     * @param lastChange their row's last change or last sign of life, whichever is later
     * @param bonus      formatted {@code 0.00}
     */
    public record Row(
            String id,
            String session,
            String name,
            String url,
            String status,
            String condition,
            String group,
            int pageIndex,
            String page,
            int pages,
            boolean online,
            Instant lastChange,
            String bonus) {}

    private static final String SELECT =
            "SELECT p.id, p.session_id, p.name, p.token, p.status, p.condition, p.group_name,"
                    + " p.page_index, p.online, greatest(p.updated_at, p.last_seen) AS active_at, p.bonus_cents, s.experiment"
                    + " FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id ";

    public List<Row> ofSession(String sessionId) {
        return query("WHERE p.session_id = ? ORDER BY p.created_at, p.id", sessionId);
    }

    public Optional<Row> find(String participantId) {
        return query("WHERE p.id = ?", participantId).stream().findFirst();
    }

    private List<Row> query(String where, String arg) {
        return tx.run(c -> {
            List<Row> rows = new ArrayList<>();
            Map<String, Optional<Experiment>> known = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + where)) {
                ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Optional<Experiment> experiment =
                                known.computeIfAbsent(rs.getString("experiment"), experiments::find);
                        List<Page> pages = experiment.map(Experiment::pages).orElse(List.of());
                        int index = rs.getInt("page_index");
                        String page = experiment.isEmpty()
                                ? "?"
                                : index < pages.size() ? pages.get(index).name() : "end";
                        long cents = rs.getLong("bonus_cents");
                        String session = rs.getString("session_id");
                        rows.add(new Row(
                                rs.getString("id"),
                                session,
                                rs.getString("name"),
                                "/p/" + session + "/" + rs.getString("token") + "/",
                                rs.getString("status"),
                                rs.getString("condition"),
                                rs.getString("group_name"),
                                index,
                                page,
                                pages.size(),
                                rs.getBoolean("online"),
                                rs.getTimestamp("active_at").toInstant(),
                                String.format("%d.%02d", cents / 100, cents % 100)));
                    }
                }
            }
            return rows;
        });
    }
}
