package io.cohort.api.crowd;

public enum AssignmentStatus {
    SUBMITTED,
    APPROVED,
    REJECTED
}
