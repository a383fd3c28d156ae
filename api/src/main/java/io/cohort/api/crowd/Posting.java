package io.cohort.api.crowd;

import java.time.Instant;

/**
 * A market's offer of paid places in a session: an MTurk HIT, a Prolific study. Reward in cents.
 *
 * @param sessionId the session whose participants it recruits; null if not posted through Cohort
 * @param places every place it offers (MTurk's MaxAssignments, Prolific's total_available_places)
 * @param available places no one holds; {@code pending} taken and not yet submitted; {@code completed} submitted,
 *                  approved or rejected (returned and timed-out places count as available again)
 * @param expires when it stops taking workers; null where the market has no deadline (Prolific)
 */
public record Posting(
        String id,
        String sessionId,
        String title,
        CrowdMode mode,
        PostingStatus status,
        long rewardCents,
        int places,
        int available,
        int pending,
        int completed,
        Instant created,
        Instant expires) {}
