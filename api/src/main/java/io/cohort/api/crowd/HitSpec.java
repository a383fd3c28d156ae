package io.cohort.api.crowd;

import java.util.List;

/**
 * What to post. The provider points the task at its own start route for {@code sessionId}.
 *
 * @param token idempotency token: posting the same spec twice with one token posts one HIT
 * @param allowRepeats whether a worker who already took part in an earlier HIT of this installation may take it
 */
public record HitSpec(
        String sessionId,
        String title,
        String description,
        String keywords,
        long rewardCents,
        long assignmentDurationSeconds,
        long lifetimeSeconds,
        long autoApprovalDelaySeconds,
        int maxAssignments,
        List<QualificationRequirement> requirements,
        boolean allowRepeats,
        String token) {}
