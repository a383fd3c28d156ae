package io.cohort.platform.data;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The records a page appended to one key ({@code cohort.append("trials", {...})}) as a tidy table: one row per
 * record, numbered per participant, then one column per key the records hold (in the order they first appear). A
 * record that is not an object fills a single {@code value} column.
 */
final class RecordsCsv {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private RecordsCsv() {}

    static void write(DataSource db, SessionScope scope, String key, OutputStream out) throws Exception {
        List<Object> args = new ArrayList<>();
        args.add(key);
        args.addAll(scope.args());
        String from = " FROM cohort.participant p JOIN cohort.field_value fv ON fv.participant_id = p.id"
                + " AND fv.key = ? AND fv.record";
        String asObject =
                "CASE jsonb_typeof(fv.value) WHEN 'object' THEN fv.value ELSE jsonb_build_object('value', fv.value) END";
        List<String> columns = new ArrayList<>();
        Cursor.all(
                db,
                "SELECT k FROM (SELECT e.key AS k, min(fv.id) AS first" + from + " CROSS JOIN LATERAL jsonb_each("
                        + asObject + ") e" + scope.where() + " GROUP BY e.key) keys ORDER BY first",
                args,
                rs -> columns.add(rs.getString("k")));
        List<String> header = new ArrayList<>(
                List.of("session", "participant", "label", "condition", "code_version", "record", "time"));
        for (String column : columns) {
            // A record's own "time" or "record" must not pass for the host's: it gets a name no record key can have.
            header.add(header.subList(0, 7).contains(column) ? key + "." + column : column);
        }
        SpreadsheetSafeCsv csv = Exports.printer(out, header);
        Cursor.each(
                db,
                "SELECT p.session_id, p.id, p.label, p.condition, p.code_version, fv.set_at,"
                        + " row_number() OVER (PARTITION BY p.id ORDER BY fv.id) AS n,"
                        + " " + asObject + " AS v" + from + scope.where() + " ORDER BY " + scope.order() + ", fv.id",
                args,
                rs -> {
                    List<Object> row = new ArrayList<>(header.size());
                    row.add(rs.getString("session_id"));
                    row.add(rs.getString("id"));
                    row.add(rs.getString("label"));
                    row.add(rs.getString("condition"));
                    row.add(rs.getString("code_version"));
                    row.add(rs.getLong("n"));
                    row.add(Cells.time(rs, "set_at"));
                    com.fasterxml.jackson.databind.JsonNode v = JSON.readTree(rs.getString("v"));
                    for (String column : columns) {
                        com.fasterxml.jackson.databind.JsonNode cell = v.get(column);
                        row.add(
                                cell == null || cell.isNull()
                                        ? null
                                        : cell.isTextual() ? cell.asText() : cell.toString());
                    }
                    csv.printRecord(row);
                });
        csv.flush();
    }
}
