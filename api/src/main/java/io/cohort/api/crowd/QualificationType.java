package io.cohort.api.crowd;

import java.time.Instant;

/** A qualification type this installation created. */
public record QualificationType(
        String id, String name, String description, String keywords, boolean active, Instant created) {}
