package io.cohort.api.session;

/** psiTurk's lifecycle, so labs coming from it recognise it. */
public enum ParticipantStatus {
    ALLOCATED,
    STARTED,
    COMPLETED,
    SUBMITTED,
    APPROVED,
    REJECTED,
    BONUSED,
    QUIT_EARLY,
    DROPOUT
}
