package io.cohort.api.experiment;

/** What a session setting holds. JSON is any object or list (a payoff table); the others are single values. */
public enum SettingType {
    INT,
    DECIMAL,
    TEXT,
    BOOLEAN,
    CHOICE,
    JSON
}
