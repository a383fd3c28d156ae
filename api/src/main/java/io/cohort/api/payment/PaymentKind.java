package io.cohort.api.payment;

public enum PaymentKind {
    APPROVE,
    REJECT,
    BONUS,
    QUALIFY,
    /** Approves an assignment that was rejected (MTurk's OverrideRejection): the worker is paid after all. */
    OVERRIDE
}
