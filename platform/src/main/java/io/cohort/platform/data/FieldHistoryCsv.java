package io.cohort.platform.data;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The long shape: every value every field ever had, one row each, in the order they were set per participant. */
final class FieldHistoryCsv {

    private FieldHistoryCsv() {}

    static void write(DataSource db, SessionScope scope, OutputStream out) throws Exception {
        SpreadsheetSafeCsv csv =
                Exports.printer(out, Exports.header(scope, "participant", "key", "value", "set_at", "set_by"));
        Cursor.each(
                db,
                "SELECT p.session_id, p.id, fv.key, " + Cells.VALUE_TEXT + " AS text, fv.set_at, fv.set_by"
                        + " FROM cohort.participant p JOIN cohort.field_value fv ON fv.participant_id = p.id"
                        + scope.where()
                        + " ORDER BY " + scope.order() + ", fv.id",
                scope.args(),
                rs -> {
                    List<Object> row = new ArrayList<>(6);
                    if (scope.all()) {
                        row.add(rs.getString("session_id"));
                    }
                    row.add(rs.getString("id"));
                    row.add(rs.getString("key"));
                    row.add(rs.getString("text"));
                    row.add(Cells.time(rs, "set_at"));
                    row.add(rs.getString("set_by"));
                    csv.printRecord(row);
                });
        csv.flush();
    }
}
