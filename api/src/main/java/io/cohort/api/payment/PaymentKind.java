package io.cohort.api.payment;

public enum PaymentKind {
    APPROVE,
    REJECT,
    BONUS,
    /**
     * Gives a worker a qualification score (MTurk's AssociateQualificationWithWorker). Its rows carry the
     * qualification type id as their reason and the integer score as their amount (since 1.2).
     */
    QUALIFY,
    /** Approves an assignment that was rejected (MTurk's OverrideRejection): the worker is paid after all. */
    OVERRIDE
}
