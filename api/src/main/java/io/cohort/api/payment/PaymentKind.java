package io.cohort.api.payment;

public enum PaymentKind {
    APPROVE,
    REJECT,
    BONUS,
    QUALIFY
}
