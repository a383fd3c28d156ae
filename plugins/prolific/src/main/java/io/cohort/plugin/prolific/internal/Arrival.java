package io.cohort.plugin.prolific.internal;

/** A row of the {@code arrival} table: a Prolific submission and the participant it became. */
public record Arrival(String submissionId, String participantId, String prolificPid, String studyId) {}
