package io.cohort.api.experiment;

import java.util.List;

/**
 * An experiment definition, read from {@code experiments/<name>/experiment.yaml} or registered as a service by a
 * bundle. {@code version} is the code version recorded on every participant.
 */
public record Experiment(
        String name,
        String title,
        String version,
        List<Page> pages,
        List<Condition> conditions,
        int groupSize,
        String defaultSettings,
        String completionCode,
        String completionRedirect) {}
