package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.platform.db.Transactions;
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
    private final MonitorColumns columns;

    @Inject
    public MonitorTable(Transactions tx, RegisteredServices experiments, MonitorColumns columns) {
        this.tx = tx;
        this.experiments = experiments;
        this.columns = columns;
    }

    /**
     * One participant as the monitor shows them.
     *
     * @param url        their personal link
     * @param page       the current page's name ({@code end} past the last one, {@code ?} when the experiment is gone)
     * @param pages      how many pages the experiment has
     * @param lastChange their row's last change or last sign of life, whichever is later
     * @param bonus      formatted {@code 0.00}
     * @param error      the latest error the participant met (page, message, code location), or null
     * @param mode       {@code sandbox}, {@code test}, {@code live}, {@code bot} (a simulation's) or null
     * @param cells      the plugins' columns ({@link MonitorColumns}): column name → cell
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
            String bonus,
            String error,
            String mode,
            Map<String, io.cohort.api.web.MonitorColumn.Cell> cells) {}

    public List<Row> ofSession(String sessionId) {
        return rows(tx.mapper(MonitorMapper.class, m -> m.ofSession(sessionId)));
    }

    public Optional<Row> find(String participantId) {
        return rows(tx.mapper(MonitorMapper.class, m -> m.participant(participantId))).stream()
                .findFirst();
    }

    private List<Row> rows(List<MonitorMapper.Stored> stored) {
        List<Row> rows = new ArrayList<>();
        // One call per plugin column for the whole set (the rows are of one session).
        Map<String, Map<String, io.cohort.api.web.MonitorColumn.Cell>> cells = stored.isEmpty()
                ? Map.of()
                : columns.cells(
                        stored.get(0).sessionId(),
                        stored.stream().map(MonitorMapper.Stored::id).toList());
        Map<String, Optional<Experiment>> known = new HashMap<>();
        for (MonitorMapper.Stored p : stored) {
            Optional<Experiment> experiment = known.computeIfAbsent(p.experiment(), experiments::find);
            List<Page> pages = experiment.map(Experiment::pages).orElse(List.of());
            int index = p.pageIndex();
            String page = experiment.isEmpty()
                    ? "?"
                    : index < pages.size() ? pages.get(index).name() : "end";
            long cents = p.bonusCents();
            rows.add(new Row(
                    p.id(),
                    p.sessionId(),
                    p.name(),
                    "/p/" + p.sessionId() + "/" + p.token() + "/",
                    p.status(),
                    p.condition(),
                    p.group(),
                    index,
                    page,
                    pages.size(),
                    p.online(),
                    p.activeAt(),
                    String.format("%d.%02d", cents / 100, cents % 100),
                    p.errorMessage() == null
                            ? null
                            : "on " + p.errorPage() + " at " + p.errorAt() + ": " + p.errorMessage() + " ("
                                    + p.errorLocation() + ")",
                    p.mode(),
                    cells.getOrDefault(p.id(), Map.of())));
        }
        return rows;
    }
}
