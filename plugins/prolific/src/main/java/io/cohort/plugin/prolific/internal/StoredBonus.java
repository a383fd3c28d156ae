package io.cohort.plugin.prolific.internal;

import java.time.Instant;

/**
 * A row of the {@code bonus} table: one bonus and how far paying it got.
 *
 * @param setupId Prolific's bulk bonus set-up, null until it is made
 * @param state      SET_UP (made, not paid), PAY_SENT (pay sent, answer not yet seen), PAID
 * @param paidBefore how many bonuses the submission showed on Prolific just before the pay call
 */
public record StoredBonus(
        String token,
        String studyId,
        String submissionId,
        String prolificPid,
        long amountCents,
        String reason,
        String setupId,
        String state,
        int paidBefore,
        Instant updated) {}
