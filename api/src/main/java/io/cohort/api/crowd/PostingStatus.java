package io.cohort.api.crowd;

/**
 * Where a posting is in its life, in terms both markets share.
 * <ul>
 *   <li>{@code DRAFT}: made but not yet shown to workers (Prolific's UNPUBLISHED)</li>
 *   <li>{@code OPEN}: workers can take a place (MTurk's Assignable, Prolific's ACTIVE)</li>
 *   <li>{@code FULL}: every place is taken or it expired while some are at work (MTurk's Unassignable)</li>
 *   <li>{@code PAUSED}: stopped for now by the researcher and can be resumed (Prolific's PAUSED)</li>
 *   <li>{@code AWAITING_REVIEW}: no one is at work and submissions wait for approval (MTurk's Reviewable and
 *       Reviewing, Prolific's AWAITING REVIEW)</li>
 *   <li>{@code CLOSED}: over: disposed or deleted (MTurk), COMPLETED (Prolific)</li>
 * </ul>
 */
public enum PostingStatus {
    DRAFT,
    OPEN,
    FULL,
    PAUSED,
    AWAITING_REVIEW,
    CLOSED
}
