package io.cohort.api.payment;

/**
 * One ledger row. {@code token} is the idempotency token sent to the provider.
 *
 * @param amountCents bonus in cents; 0 for approvals and rejections
 */
public record Payment(long id, String participantId, String workerId, String assignmentId, PaymentKind kind,
                      long amountCents, String reason, String token, PaymentState state, String response) {
}
