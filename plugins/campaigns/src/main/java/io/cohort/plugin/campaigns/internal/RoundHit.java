package io.cohort.plugin.campaigns.internal;

import java.time.Instant;

/**
 * A row of {@code round_hit}: one HIT (a market's posting) of a round, its idempotency token fixed before it is
 * posted; or, for a market without a limit per posting, the places a round adds to the campaign's open posting.
 *
 * @param hitId     null until the provider named it; for an addition, the posting the places are added to
 * @param expiredAt when the campaign expired it (stale slots, goal met, cancelled), or null
 * @param adds      the row's places are added to {@code hitId} (with the row's token) instead of posted
 */
public record RoundHit(
        long campaignId,
        int round,
        int index,
        String token,
        int assignments,
        String hitId,
        Instant expiredAt,
        boolean adds) {}
