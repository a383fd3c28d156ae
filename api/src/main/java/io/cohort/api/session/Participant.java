package io.cohort.api.session;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;

/**
 * One person (or bot) in a session. {@code token} is the unguessable part of their URL.
 * Crowd fields are null for participants who came by URL or room. Amounts are cents.
 *
 * @param provider     the market they came from ({@link io.cohort.api.crowd.CrowdProvider#name()})
 * @param assignmentId the market's id of their {@link io.cohort.api.crowd.Submission} (MTurk's name, kept since 1.0)
 * @param hitId        the {@link io.cohort.api.crowd.Posting} they took (MTurk's name, kept since 1.0)
 */
public record Participant(
        String id,
        String sessionId,
        String name,
        String token,
        String provider,
        String workerId,
        String assignmentId,
        String hitId,
        CrowdMode mode,
        String condition,
        String codeVersion,
        ParticipantStatus status,
        long bonusCents,
        int pageIndex,
        String group,
        Instant createdAt,
        Instant updatedAt) {}
