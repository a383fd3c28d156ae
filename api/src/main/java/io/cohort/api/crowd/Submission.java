package io.cohort.api.crowd;

import java.time.Instant;

/**
 * One worker's place in a posting and what became of it: an MTurk assignment, a Prolific submission.
 *
 * @param submitted null until the worker submits
 */
public record Submission(
        String id, String postingId, String workerId, SubmissionStatus status, Instant accepted, Instant submitted) {}
