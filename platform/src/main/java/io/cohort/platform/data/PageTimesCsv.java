package io.cohort.platform.data;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Every page visit: when a participant entered and left each page, and the seconds between (empty while there). */
final class PageTimesCsv {

    private PageTimesCsv() {}

    static void write(DataSource db, SessionScope scope, OutputStream out) throws Exception {
        SpreadsheetSafeCsv csv = Exports.printer(
                out,
                Exports.header(scope, "participant", "name", "page_index", "page", "entered_at", "left_at", "seconds"));
        Cursor.each(
                db,
                "SELECT p.session_id, p.id, p.name, v.page_index, v.page, v.entered_at, v.left_at,"
                        + " extract(epoch FROM v.left_at - v.entered_at) AS seconds"
                        + " FROM cohort.participant p JOIN cohort.page_visit_times v ON v.participant_id = p.id"
                        + scope.where()
                        + " ORDER BY " + scope.order() + ", v.id",
                scope.args(),
                rs -> {
                    List<Object> row = new ArrayList<>();
                    if (scope.all()) {
                        row.add(rs.getString("session_id"));
                    }
                    BigDecimal seconds = rs.getBigDecimal("seconds");
                    row.addAll(java.util.Arrays.asList(
                            rs.getString("id"),
                            rs.getString("name"),
                            rs.getInt("page_index"),
                            rs.getString("page"),
                            Cells.time(rs, "entered_at"),
                            Cells.time(rs, "left_at"),
                            seconds == null
                                    ? null
                                    : seconds.setScale(3, java.math.RoundingMode.HALF_UP)
                                            .toPlainString()));
                    csv.printRecord(row);
                });
        csv.flush();
    }
}
