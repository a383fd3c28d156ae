package io.cohort.api.session;

import java.time.Instant;

/**
 * One run of an experiment.
 *
 * @param settings JSON object text
 */
public record Session(
        String id,
        String name,
        String experiment,
        String codeVersion,
        int size,
        boolean active,
        boolean testing,
        boolean simulate,
        String description,
        String settings,
        Instant createdAt) {}
