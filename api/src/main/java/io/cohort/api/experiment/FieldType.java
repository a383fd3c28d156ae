package io.cohort.api.experiment;

public enum FieldType {
    INT,
    DECIMAL,
    TEXT,
    CHOICE,
    BOOLEAN,
    SCALE
}
