package io.cohort.api.payment;

/** A ledger row moves PLANNED → SENT → CONFIRMED or FAILED; SENT with no answer is asked about before resending. */
public enum PaymentState {
    PLANNED,
    SENT,
    CONFIRMED,
    FAILED
}
