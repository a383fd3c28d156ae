package io.cohort.plugin.resultsimport.internal;

import java.time.Instant;

/** A row of {@code results_import} (columns in this order, so MyBatis maps by constructor); public for its proxy. */
public record ImportRecord(
        long id,
        String name,
        String parameters,
        String state,
        String problems,
        String alreadyDone,
        String rooms,
        String summary,
        Long balanceBeforeCents,
        Long balanceAfterCents,
        String createdBy,
        Instant createdAt) {

    static final String COLUMNS =
            "id, name, parameters, state, problems, already_done, rooms, summary, balance_before_cents,"
                    + " balance_after_cents, created_by, created_at";
}
