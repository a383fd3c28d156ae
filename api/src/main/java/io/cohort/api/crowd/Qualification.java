package io.cohort.api.crowd;

import java.time.Instant;

/**
 * A mark we give workers and that postings can require: an MTurk qualification type (with an integer score),
 * a Prolific participant group (membership only).
 */
public record Qualification(String id, String name, String description, boolean active, Instant created) {}
