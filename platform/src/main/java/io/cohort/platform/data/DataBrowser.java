package io.cohort.platform.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestError;
import io.cohort.platform.web.Tab;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * A session's data: one row per participant, one column per field key with the current value (its time and
 * origin on hover), and each field's full history, newest first.
 */
@Singleton
public final class DataBrowser implements Tab {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource db;
    private final Layout layout;
    private final ExportTables tables;

    @Inject
    public DataBrowser(DataSource db, Layout layout, ExportTables tables) {
        this.db = db;
        this.layout = layout;
        this.tables = tables;
    }

    /**
     * One value of a field; {@code text} is how a cell shows it. {@code records}: how many records a page appended
     * to the key (then the cell says "24 records" and {@code value} is the latest), 0 for a field that is set.
     */
    public record Value(JsonNode value, @JsonIgnore String text, Instant setAt, String setBy, long records) {

        static Value read(ResultSet rs) throws SQLException {
            try {
                long records = rs.getLong("records");
                return new Value(
                        JSON.readTree(rs.getString("json")),
                        records > 0 ? records + (records == 1 ? " record" : " records") : rs.getString("text"),
                        Cells.instant(rs, "set_at"),
                        rs.getString("set_by"),
                        records);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("field value is not JSON: " + e.getMessage(), e);
            }
        }
    }

    public record Row(
            String id,
            String name,
            String status,
            String condition,
            int pageIndex,
            String page,
            Map<String, Value> fields) {}

    @Override
    public void routes(Application app) {
        TwinRoutes.page(app, layout, "/sessions/{id}/data", "data.peb", this::session, (ctx, model) -> {
            Map<String, String> paths = new HashMap<>();
            for (Object key : (List<?>) model.get("keys")) {
                paths.put((String) key, TwinRoutes.pathPart((String) key));
            }
            model.put("keyPaths", paths);
        });
        TwinRoutes.page(app, layout, "/participants/{pid}/fields/{key: .+}", "field-history.peb", this::history);
    }

    private Map<String, Object> session(RouteContext ctx) throws Exception {
        SessionScope session = SessionScope.find(db, ctx.getParameter("id").toString());
        Map<String, Row> rows = new LinkedHashMap<>();
        Cursor.all(
                db,
                "SELECT p.id, p.name, p.status, p.condition, p.page_index,"
                        + " (SELECT v.page FROM cohort.page_visit v WHERE v.participant_id = p.id ORDER BY v.id DESC LIMIT 1) AS page"
                        + " FROM cohort.participant p" + session.where() + " ORDER BY " + session.order(),
                session.args(),
                rs -> rows.put(
                        rs.getString("id"),
                        new Row(
                                rs.getString("id"),
                                rs.getString("name"),
                                rs.getString("status"),
                                rs.getString("condition"),
                                rs.getInt("page_index"),
                                rs.getString("page"),
                                new HashMap<>())));
        TreeSet<String> keys = new TreeSet<>();
        TreeSet<String> recordKeys = new TreeSet<>();
        Cursor.all(
                db,
                "SELECT DISTINCT ON (fv.participant_id, fv.key) fv.participant_id, fv.key,"
                        + " fv.value::text AS json, " + Cells.VALUE_TEXT + " AS text, fv.set_at, fv.set_by,"
                        + " CASE WHEN fv.record THEN (SELECT count(*) FROM cohort.field_value r"
                        + "   WHERE r.participant_id = fv.participant_id AND r.key = fv.key AND r.record) ELSE 0 END"
                        + " AS records"
                        + " FROM cohort.field_value fv JOIN cohort.participant p ON p.id = fv.participant_id"
                        + session.where()
                        + " ORDER BY fv.participant_id, fv.key, fv.id DESC",
                session.args(),
                rs -> {
                    keys.add(rs.getString("key"));
                    Value v = Value.read(rs);
                    if (v.records() > 0) {
                        recordKeys.add(rs.getString("key"));
                    }
                    rows.get(rs.getString("participant_id")).fields().put(rs.getString("key"), v);
                });
        Map<String, Object> model = new HashMap<>();
        model.put("session", Map.of("id", session.id(), "name", session.name()));
        model.put("keys", new ArrayList<>(keys));
        model.put("recordKeys", new ArrayList<>(recordKeys));
        model.put("participants", new ArrayList<>(rows.values()));
        model.put("exportTables", new ArrayList<>(tables.byName().keySet()));
        return model;
    }

    private Map<String, Object> history(RouteContext ctx) throws Exception {
        String pid = ctx.getParameter("pid").toString();
        String key = ctx.getParameter("key").toString();
        Map<String, Object> participant = new HashMap<>();
        Cursor.all(
                db,
                "SELECT p.id, p.name, p.session_id, s.name AS session_name FROM cohort.participant p"
                        + " JOIN cohort.session s ON s.id = p.session_id WHERE p.id = ?",
                List.of(pid),
                rs -> {
                    participant.put("id", rs.getString("id"));
                    participant.put("name", rs.getString("name"));
                    participant.put("session", rs.getString("session_id"));
                    participant.put("sessionName", rs.getString("session_name"));
                });
        if (participant.isEmpty()) {
            throw RequestError.notFound("There is no participant '" + pid + "'.");
        }
        List<Value> values = new ArrayList<>();
        Cursor.all(
                db,
                "SELECT fv.value::text AS json, " + Cells.VALUE_TEXT + " AS text, fv.set_at, fv.set_by, 0 AS records"
                        + " FROM cohort.field_value fv WHERE fv.participant_id = ? AND fv.key = ? ORDER BY fv.id DESC",
                List.of(pid, key),
                rs -> values.add(Value.read(rs)));
        if (values.isEmpty()) {
            throw RequestError.notFound("Participant '" + pid + "' has no field '" + key + "'.");
        }
        return Map.of("participant", participant, "key", key, "history", values);
    }
}
