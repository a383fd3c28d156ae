package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.platform.session.RegisteredServices;
import io.cohort.platform.session.Transactions;
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
    public record Row(String id, String session, String name, String url, String status, String condition,
                      String group, int pageIndex, String page, int pages, boolean online, Instant lastChange,
                      String bonus) {
    }

    private static final String SELECT = "SELECT p.id, p.session_id, p.name, p.token, p.status, p.condition, p.group_name,"
            + " p.page_index, p.online, greatest(p.updated_at, p.last_seen), p.bonus_cents, s.experiment"
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
                        Optional<Experiment> experiment = known.computeIfAbsent(rs.getString(12), experiments::find);
                        List<Page> pages = experiment.map(Experiment::pages).orElse(List.of());
                        int index = rs.getInt(8);
                        String page = experiment.isEmpty() ? "?" : index < pages.size() ? pages.get(index).name() : "end";
                        long cents = rs.getLong(11);
                        rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                                "/p/" + rs.getString(2) + "/" + rs.getString(4) + "/", rs.getString(5), rs.getString(6),
                                rs.getString(7), index, page,
                                pages.size(), rs.getBoolean(9), rs.getTimestamp(10).toInstant(),
                                String.format("%d.%02d", cents / 100, cents % 100)));
                    }
                }
            }
            return rows;
        });
    }
}
