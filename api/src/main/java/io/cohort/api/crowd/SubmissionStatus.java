package io.cohort.api.crowd;

/**
 * A submission's state. MTurk lists only SUBMITTED, APPROVED and REJECTED (a place at work or given back is not
 * an assignment it lists); Prolific has them all.
 * <ul>
 *   <li>{@code ACTIVE}: the worker is at work</li>
 *   <li>{@code SUBMITTED}: finished and waiting for review (Prolific's AWAITING REVIEW)</li>
 *   <li>{@code RETURNED}, {@code TIMED_OUT}: given back or out of time; never paid, the place opens again</li>
 * </ul>
 */
public enum SubmissionStatus {
    ACTIVE,
    SUBMITTED,
    APPROVED,
    REJECTED,
    RETURNED,
    TIMED_OUT
}
