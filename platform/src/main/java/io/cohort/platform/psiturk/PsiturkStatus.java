package io.cohort.platform.psiturk;

import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;

/**
 * psiTurk's participant statuses, with psiTurk's numbers ({@code /check_worker_status} answers the number), read
 * from Cohort's status and page: Cohort's STARTED is psiTurk's ALLOCATED until {@code /inexp} moves the participant
 * to the task page; APPROVED is psiTurk's CREDITED.
 */
public enum PsiturkStatus {
    NOT_ACCEPTED(0),
    ALLOCATED(1),
    STARTED(2),
    COMPLETED(3),
    SUBMITTED(4),
    CREDITED(5),
    QUITEARLY(6),
    BONUSED(7),
    /** Cohort's own: rejected on the market (psiTurk has no status for it). */
    REJECTED(8),
    /** Cohort's own: dropped out by the admin or a timeout. */
    DROPOUT(9);

    private final int code;

    PsiturkStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static PsiturkStatus of(Participant p) {
        return of(p.status(), p.pageIndex());
    }

    public static PsiturkStatus of(ParticipantStatus status, int pageIndex) {
        return switch (status) {
            case ALLOCATED -> ALLOCATED;
            case STARTED -> pageIndex >= PsiturkProject.TASK ? STARTED : ALLOCATED;
            case COMPLETED -> COMPLETED;
            case SUBMITTED -> SUBMITTED;
            case APPROVED -> CREDITED;
            case REJECTED -> REJECTED;
            case BONUSED -> BONUSED;
            case QUIT_EARLY -> QUITEARLY;
            case DROPOUT -> DROPOUT;
        };
    }
}
