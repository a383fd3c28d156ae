package io.cohort.api.payment;

import java.time.Instant;

/**
 * A committed plan and how far its execution got.
 *
 * @param balanceAfterCents the provider's balance when the batch finished; null before
 */
public record PaymentBatch(
        long id,
        String provider,
        PaymentKind kind,
        String label,
        int count,
        int confirmed,
        int failed,
        int open,
        long totalCents,
        long balanceBeforeCents,
        Long balanceAfterCents,
        String createdBy,
        Instant created,
        Instant finished) {}
