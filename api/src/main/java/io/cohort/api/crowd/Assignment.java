package io.cohort.api.crowd;

import java.time.Instant;

/** A worker's take on a HIT. */
public record Assignment(String id, String hitId, String workerId, AssignmentStatus status, Instant accepted,
                         Instant submitted) {
}
