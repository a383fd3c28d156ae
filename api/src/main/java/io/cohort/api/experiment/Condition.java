package io.cohort.api.experiment;

/** A between-subjects condition; {@code weight} scales its share of participants. */
public record Condition(String name, int weight) {}
