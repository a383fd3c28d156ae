package io.cohort.plugin.campaigns.internal;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;

/**
 * A row of {@code campaign} (columns in this order, so MyBatis maps by constructor). Public: the templates read it.
 *
 * @param goal      completed participants wanted
 * @param perRound  at most this many assignments posted by one round
 * @param batchSize at most this many assignments in one HIT, where the market limits a posting's places (MTurk's
 *                  fee doubles from 10: its {@code placesPerPosting()} is 9); unused where it does not
 */
public record Campaign(
        long id,
        String provider,
        String experiment,
        String codeVersion,
        String sessionId,
        CrowdMode mode,
        int goal,
        long rewardCents,
        long durationSeconds,
        long lifetimeSeconds,
        int perRound,
        int minutesBetweenRounds,
        int batchSize,
        String title,
        String description,
        String keywords,
        CampaignState state,
        String createdBy,
        Instant createdAt,
        Instant endedAt) {

    static final String COLUMNS = "id, provider, experiment, code_version, session_id, mode, goal, reward_cents,"
            + " duration_seconds, lifetime_seconds, per_round, minutes_between_rounds, batch_size, title, description,"
            + " keywords, state, created_by, created_at, ended_at";

    /** The scheduler's task that runs its rounds. */
    public String task() {
        return "campaign-" + id;
    }
}
