package io.cohort.plugin.campaigns.internal;

import java.time.Instant;

/**
 * A row of {@code round_hit}: one HIT of a round, its idempotency token fixed before it is posted.
 *
 * @param hitId     null until the provider named it
 * @param expiredAt when the campaign expired it (stale slots, goal met, cancelled), or null
 */
public record RoundHit(
        long campaignId, int round, int index, String token, int assignments, String hitId, Instant expiredAt) {}
