package io.cohort.api.crowd;

import java.time.Instant;

/** A worker's take on a HIT (submitted or later: the providers list no earlier ones). */
public record Assignment(
        String id, String hitId, String workerId, AssignmentStatus status, Instant accepted, Instant submitted) {}
