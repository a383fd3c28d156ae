package io.cohort.api.session;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;

/**
 * One person (or bot) in a session. {@code token} is the unguessable part of their URL.
 * Crowd fields are null for participants who came by URL or room.
 * Amounts are cents.
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
