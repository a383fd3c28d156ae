package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;

/** A row of the {@code hit} table: what we posted (columns in this order, so MyBatis maps by constructor). */
public record StoredHit(
        String hitId,
        String sessionId,
        String title,
        String description,
        long rewardCents,
        int maxAssignments,
        long assignmentDurationSeconds,
        CrowdMode mode,
        boolean allowRepeats,
        String token,
        Instant expires,
        Instant created) {}
