package io.cohort.api.payment;

import java.util.List;

/**
 * A payment plan to check.
 *
 * @param provider   the crowd provider's name, e.g. {@code mturk}
 * @param label      what the admin will see the batch as, e.g. "Bonus all (auto)"
 * @param minCents   smallest bonus allowed (bonus plans)
 * @param maxCents   largest bonus allowed (bonus plans)
 * @param anyWorker  allow assignments no participant of ours matches (approve all workers for all HITs)
 * @param additional a bonus on top of one already paid, asked for on purpose (its own reason); otherwise an
 *                   assignment is bonused once
 */
public record PlanRequest(
        String provider,
        PaymentKind kind,
        String label,
        List<PlanRow> rows,
        long minCents,
        long maxCents,
        boolean anyWorker,
        boolean additional) {

    /** A plan that pays each assignment at most once of its kind (the 1.0 form). */
    public PlanRequest(
            String provider,
            PaymentKind kind,
            String label,
            List<PlanRow> rows,
            long minCents,
            long maxCents,
            boolean anyWorker) {
        this(provider, kind, label, rows, minCents, maxCents, anyWorker, false);
    }
}
