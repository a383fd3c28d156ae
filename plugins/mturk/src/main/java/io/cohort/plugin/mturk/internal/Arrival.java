package io.cohort.plugin.mturk.internal;

/** A row of the {@code arrival} table: an accepted assignment and the participant it became. */
public record Arrival(String assignmentId, String participantId, String workerId, String hitId, String turkSubmitTo) {}
