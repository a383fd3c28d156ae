package io.cohort.platform.data;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The wide shape: one row per participant, then one column per field key (every key of the scope, read first)
 * with its current value. The host's own columns come once: the fields it keeps beside them ({@code status},
 * {@code condition}) are not repeated. A key a page appended records to shows how many ("24 records"); the records
 * themselves are in {@link RecordsCsv}. Rows arrive one per (participant, key) and are folded as they come.
 */
final class CurrentFieldsCsv {

    private CurrentFieldsCsv() {}

    static void write(DataSource db, SessionScope scope, OutputStream out) throws Exception {
        List<String> keys = new ArrayList<>();
        Cursor.all(
                db,
                "SELECT DISTINCT fv.key FROM cohort.field_value fv JOIN cohort.participant p"
                        + " ON p.id = fv.participant_id" + scope.where() + " ORDER BY 1",
                scope.args(),
                rs -> keys.add(rs.getString("key")));
        List<String> header = Exports.header(scope, "id", "name", "status", "condition", "code_version", "bonus");
        int fixed = header.size();
        keys.removeAll(header.subList(0, fixed));
        header.addAll(keys);
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            column.put(keys.get(i), fixed + i);
        }
        SpreadsheetSafeCsv csv = Exports.printer(out, header);
        Object[][] row = {null};
        String[] current = {null};
        Cursor.each(
                db,
                "SELECT p.session_id, p.id, p.name, p.status, p.condition, p.code_version, p.bonus_cents,"
                        + " f.key, f.text FROM cohort.participant p LEFT JOIN LATERAL ("
                        + " SELECT DISTINCT ON (fv.key) fv.key, CASE WHEN fv.record THEN (SELECT count(*)"
                        + "   FROM cohort.field_value r WHERE r.participant_id = p.id AND r.key = fv.key AND r.record)"
                        + "   || ' records' ELSE " + Cells.VALUE_TEXT + " END AS text FROM cohort.field_value fv"
                        + " WHERE fv.participant_id = p.id ORDER BY fv.key, fv.id DESC) f ON true" + scope.where()
                        + " ORDER BY " + scope.order() + ", f.key",
                scope.args(),
                rs -> {
                    String id = rs.getString("id");
                    if (!id.equals(current[0])) {
                        if (row[0] != null) {
                            csv.printRecord(row[0]);
                        }
                        current[0] = id;
                        row[0] = new Object[header.size()];
                        List<Object> start = new ArrayList<>();
                        if (scope.all()) {
                            start.add(rs.getString("session_id"));
                        }
                        start.addAll(java.util.Arrays.asList(
                                id,
                                rs.getString("name"),
                                rs.getString("status"),
                                rs.getString("condition"),
                                rs.getString("code_version"),
                                Cells.money(rs.getLong("bonus_cents"))));
                        System.arraycopy(start.toArray(), 0, row[0], 0, fixed);
                    }
                    String key = rs.getString("key");
                    if (key != null && column.containsKey(key)) {
                        row[0][column.get(key)] = rs.getString("text");
                    }
                });
        if (row[0] != null) {
            csv.printRecord(row[0]);
        }
        csv.flush();
    }
}
