package io.cohort.platform.data;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** How values look in tables and files: field values as text, times in ISO-8601 UTC, cents as {@code 0.00}. */
final class Cells {

    /** A field's value (jsonb) as a cell: a JSON string as its bare text, anything else as JSON. */
    static final String VALUE_TEXT =
            "CASE jsonb_typeof(fv.value) WHEN 'string' THEN fv.value #>> '{}' ELSE fv.value::text END";

    private Cells() {}

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static String time(ResultSet rs, String column) throws SQLException {
        Instant t = instant(rs, column);
        return t == null ? null : t.toString();
    }

    static String money(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    static String mode(String mode) {
        return mode == null ? null : mode.toLowerCase(java.util.Locale.ROOT);
    }
}
