package io.cohort.api.experiment;

import java.util.List;

/** One step of an experiment, rendered from {@code template}. */
public record Page(String name, PageKind kind, String template, List<Field> fields) {}
