package io.cohort.api.crowd;

import java.util.List;
import java.util.Map;

/**
 * What to post. The provider points the posting at its own start route for {@code sessionId}.
 *
 * @param estimatedSeconds how long the task takes a typical worker (shown by Prolific, which pays by it)
 * @param durationSeconds the most time one worker may take (MTurk's AssignmentDurationInSeconds, Prolific's
 *                        maximal_time)
 * @param lifetimeSeconds how long it stays open; markets without a deadline ignore it
 * @param eligibility who may take it; empty for anyone
 * @param allowRepeats whether a worker who already took part in an earlier posting of this installation may take it
 * @param options one market's own settings by name, e.g. MTurk's {@code keywords} and
 *                {@code autoApprovalDelaySeconds}; each provider documents the names it reads and ignores others
 * @param token idempotency token: posting the same spec twice with one token posts once
 */
public record PostingSpec(
        String sessionId,
        String title,
        String description,
        long rewardCents,
        long estimatedSeconds,
        long durationSeconds,
        long lifetimeSeconds,
        int places,
        List<EligibilityRule> eligibility,
        boolean allowRepeats,
        Map<String, String> options,
        String token) {}
