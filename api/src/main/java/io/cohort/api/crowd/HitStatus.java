package io.cohort.api.crowd;

public enum HitStatus {
    ASSIGNABLE,
    UNASSIGNABLE,
    REVIEWABLE,
    REVIEWING,
    DISPOSED
}
