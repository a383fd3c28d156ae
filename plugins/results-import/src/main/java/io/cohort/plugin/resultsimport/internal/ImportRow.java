package io.cohort.plugin.resultsimport.internal;

/**
 * A checked row of an import, as stored in {@code import_row} (columns in this order, so MyBatis maps by
 * constructor; public for its proxy): what to do for one worker's assignment.
 *
 * @param seq         its place in the import (1-based), the line number the ledger is given
 * @param decision    APPROVE, REJECT, or "" (none: only a bonus or a qualification)
 * @param bonusCents  0 for none
 * @param feedback    what the worker is told with the approval or rejection ("" for nothing)
 */
public record ImportRow(
        int seq,
        String file,
        int line,
        String workerId,
        String assignmentId,
        String hitId,
        String decision,
        long bonusCents,
        String exitCode,
        String qualification,
        Integer qualificationValue,
        String feedback) {

    String where() {
        return file + " line " + line + " (worker " + workerId + ")";
    }
}
