package io.cohort.plugin.resultsimport.internal;

import java.util.Map;

/**
 * One row of a results file as read: where it is, and its cells by header, with nodegame-mturk's column names
 * added for the headers the mapping points at (so {@code WorkerId} reads the {@code worker} header).
 */
record ResultRow(String file, int line, Map<String, String> cells) {

    /** The cell, trimmed; "" when the column is missing. */
    String get(String column) {
        String value = cells.get(column);
        return value == null ? "" : value.strip();
    }

    boolean has(String column) {
        return cells.containsKey(column);
    }

    /** "results.csv line 4 (worker A1)", the start of every message about this row. */
    String where() {
        String worker = get("WorkerId");
        return file + " line " + line + (worker.isEmpty() ? "" : " (worker " + worker + ")");
    }

    /** nodegame-mturk's truthiness: anything but empty, 0, false or no. */
    static boolean truthy(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
        return !v.isEmpty() && !v.equals("0") && !v.equals("false") && !v.equals("no");
    }
}
