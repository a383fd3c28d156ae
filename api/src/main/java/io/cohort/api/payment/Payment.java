package io.cohort.api.payment;

import java.time.Instant;

/**
 * One ledger row. {@code token} is the idempotency token sent to the provider.
 *
 * @param participantId null for an assignment no participant of ours matches (approve all workers for all HITs)
 * @param amountCents   bonus in cents; 0 for approvals and rejections; a qualification's integer score
 * @param reason        the bonus reason or the approval/rejection feedback; a qualification's type id
 * @param response      what the provider last answered (an error code and message), or null
 */
public record Payment(
        long id,
        long batchId,
        String participantId,
        String workerId,
        String assignmentId,
        PaymentKind kind,
        long amountCents,
        String reason,
        String token,
        PaymentState state,
        String response,
        int attempts,
        Instant updated) {}
