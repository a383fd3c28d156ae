package io.cohort.platform.data;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.platform.psiturk.PsiturkStatus;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * Participants across all sessions, as psiTurk's dashboard table: filtered, grouped by condition with counts,
 * sorted and paged by the database, so it stays fast at 100,000 rows: counts come from the tally V4 keeps, pages
 * from an index per sortable column.
 */
@Singleton
public final class ParticipantTable implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/participants", "Participants", 200);
    }

    private final DataSource db;
    private final Layout layout;

    @Inject
    public ParticipantTable(DataSource db, Layout layout) {
        this.db = db;
        this.layout = layout;
    }

    public record Row(
            String id,
            String session,
            String name,
            String workerId,
            String mode,
            String market,
            String condition,
            String codeVersion,
            String status,
            String bonus,
            int page,
            Instant created,
            Instant updated,
            String psiturkStatus) {}

    public record Group(String condition, long count) {}

    /** Participants of one crowd market in the filtered table; {@code market} null for those who came by URL. */
    public record Market(String market, long count) {}

    @Override
    public void routes(Application app) {
        TwinRoutes.page(app, layout, "/participants", "participants.peb", this::table, this::links);
    }

    private Map<String, Object> table(RouteContext ctx) throws Exception {
        ParticipantQuery q = ParticipantQuery.parse(name -> TwinRoutes.param(ctx, name));
        List<Object> args = new ArrayList<>();
        String where = q.where(args);
        List<Group> groups = new ArrayList<>();
        long[] total = {0};
        // The tally has the filter columns under the same names, so the same WHERE applies (V4 keeps it exact).
        Cursor.all(
                db,
                "SELECT p.condition, sum(p.n) AS n FROM cohort.participant_tally p" + where
                        + " GROUP BY p.condition HAVING sum(p.n) > 0 ORDER BY p.condition NULLS LAST",
                args,
                rs -> {
                    groups.add(new Group(rs.getString("condition"), rs.getLong("n")));
                    total[0] += rs.getLong("n");
                });
        // A session may recruit from several markets at once: the same filtered count, by market.
        List<Market> markets = new ArrayList<>();
        Cursor.all(
                db,
                "SELECT p.provider, sum(p.n) AS n FROM cohort.participant_tally p" + where
                        + " GROUP BY p.provider HAVING sum(p.n) > 0 ORDER BY p.provider NULLS LAST",
                args,
                rs -> markets.add(new Market(rs.getString("provider"), rs.getLong("n"))));
        List<Row> rows = new ArrayList<>();
        if (q.offset() < total[0]) {
            List<Object> pageArgs = new ArrayList<>(args);
            pageArgs.add(q.size());
            pageArgs.add(q.offset());
            Cursor.all(
                    db,
                    "SELECT p.id, p.session_id, p.name, p.worker_id, p.mode, p.provider, p.condition,"
                            + " p.code_version,"
                            + " p.status, p.bonus_cents, p.page_index, p.created_at, p.updated_at,"
                            // psiTurk's projects: the status psiTurk would show beside Cohort's (psiturk package)
                            + " EXISTS (SELECT 1 FROM cohort.psiturk_participant x WHERE x.participant_id = p.id)"
                            + " AS psiturk FROM cohort.participant p"
                            + where + q.orderBy() + " LIMIT ? OFFSET ?",
                    pageArgs,
                    rs -> rows.add(new Row(
                            rs.getString("id"),
                            rs.getString("session_id"),
                            rs.getString("name"),
                            rs.getString("worker_id"),
                            Cells.mode(rs.getString("mode")),
                            rs.getString("provider"),
                            rs.getString("condition"),
                            rs.getString("code_version"),
                            rs.getString("status"),
                            Cells.money(rs.getLong("bonus_cents")),
                            rs.getInt("page_index"),
                            Cells.instant(rs, "created_at"),
                            Cells.instant(rs, "updated_at"),
                            rs.getBoolean("psiturk")
                                    ? PsiturkStatus.of(
                                                    ParticipantStatus.valueOf(rs.getString("status")),
                                                    rs.getInt("page_index"))
                                            .name()
                                    : null)));
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("total", total[0]);
        model.put("page", q.page());
        model.put("size", q.size());
        // "page 1 of 1" for an empty table, never "of 0".
        model.put("pages", Math.max(1, (total[0] + q.size() - 1) / q.size()));
        model.put("sort", q.sort());
        model.put("dir", q.descending() ? "desc" : "asc");
        model.put("filters", q.filters());
        model.put("groups", groups);
        model.put("markets", markets);
        model.put("rows", rows);
        model.put("options", options());
        return model;
    }

    /** What the filter dropdowns offer: the conditions and code versions that participants have. */
    private Map<String, Object> options() throws Exception {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("modes", ParticipantQuery.MODES);
        options.put("markets", distinct("provider"));
        options.put("conditions", distinct("condition"));
        options.put("code_versions", distinct("code_version"));
        options.put(
                "statuses",
                Arrays.stream(ParticipantStatus.values()).map(Enum::name).toList());
        return options;
    }

    /** From the tally: a few hundred rows, not every participant. */
    private List<String> distinct(String column) throws Exception {
        List<String> values = new ArrayList<>();
        Cursor.all(
                db,
                "SELECT DISTINCT " + column + " FROM cohort.participant_tally WHERE n > 0 AND " + column
                        + " IS NOT NULL ORDER BY 1",
                List.of(),
                rs -> values.add(rs.getString(column)));
        return values;
    }

    /** Links for the page: sort by a column (toggling direction) and previous/next, keeping the filters. */
    private void links(RouteContext ctx, Map<String, Object> model) {
        StringBuilder filters = new StringBuilder();
        ((Map<?, ?>) model.get("filters")).forEach((k, v) -> {
            if (v != null) {
                filters.append('&')
                        .append(k)
                        .append('=')
                        .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        String sizePart = "&size=" + model.get("size");
        Map<String, String> sortLinks = new HashMap<>();
        for (String column : ParticipantQuery.SORTS.keySet()) {
            boolean again = column.equals(model.get("sort"));
            String dir = again ? ("asc".equals(model.get("dir")) ? "desc" : "asc") : "asc";
            sortLinks.put(column, "?sort=" + column + "&dir=" + dir + sizePart + filters);
        }
        model.put("sortLinks", sortLinks);
        String base = "?sort=" + model.get("sort") + "&dir=" + model.get("dir") + sizePart + filters;
        int page = (int) model.get("page");
        long pages = (long) model.get("pages");
        model.put("previous", page > 1 ? base + "&page=" + (page - 1) : null);
        model.put("next", page < pages ? base + "&page=" + (page + 1) : null);
        model.put("columns", ParticipantQuery.SORTS.keySet());
    }
}
