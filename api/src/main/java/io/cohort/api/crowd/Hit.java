package io.cohort.api.crowd;

import java.time.Instant;

/**
 * A posted task and its assignment counts. Reward in cents.
 *
 * @param sessionId the session whose participants it recruits; null if not posted through Cohort
 * @param available free slots; {@code pending} accepted and not submitted; {@code completed} approved or rejected
 */
public record Hit(
        String id,
        String sessionId,
        String title,
        CrowdMode mode,
        HitStatus status,
        long rewardCents,
        int maxAssignments,
        int available,
        int pending,
        int completed,
        Instant created,
        Instant expires) {}
