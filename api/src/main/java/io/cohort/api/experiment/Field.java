package io.cohort.api.experiment;

import java.util.List;

/**
 * A typed form field.
 *
 * @param min     lower bound for numbers and scales (null: none)
 * @param max     upper bound (null: none)
 * @param choices the allowed values of a CHOICE field
 */
public record Field(
        String name, FieldType type, String label, boolean required, Double min, Double max, List<String> choices) {}
