package io.cohort.api.payment;

/**
 * One line of a payment plan as given (typed in, uploaded, or built by a batch action), before it is checked.
 *
 * @param line          where it came from (the file or form line), for error messages
 * @param participantId may be null when {@code workerId} (and {@code assignmentId}) identify the participant
 * @param assignmentId  the market's submission id (MTurk's name, kept since 1.0)
 * @param amount        dollars as text, e.g. {@code 1.25}; empty for approvals and rejections; for a
 *                      qualification, the integer score, e.g. {@code 1}
 * @param reason        the bonus reason or the feedback; for a qualification, its type id
 */
public record PlanRow(
        int line, String participantId, String workerId, String assignmentId, String amount, String reason) {}
