package io.cohort.plugin.prolific.internal;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;

/** A row of the {@code study} table (columns in this order, so MyBatis maps by constructor). */
public record StoredStudy(
        String token,
        String studyId,
        String sessionId,
        String title,
        long rewardCents,
        int places,
        long estimatedSeconds,
        long durationSeconds,
        CrowdMode mode,
        boolean allowRepeats,
        String completionCode,
        String screenoutCode,
        Instant created) {}
