package io.cohort.api.payment;

/**
 * What a plan will do, before anything is written: counts, totals (cents), the bonus spread, and the balance.
 *
 * @param feesCents the provider's fees on top of the amounts
 */
public record Preview(
        int count,
        long totalCents,
        long feesCents,
        double meanCents,
        double stdCents,
        long minCents,
        long maxCents,
        long balanceBeforeCents,
        long balanceAfterCents) {}
