package io.cohort.api.crowd;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Service: a crowd market (MTurk first). Register it with {@value #NAME} set to {@link #name()}. Amounts are
 * cents. Every call may throw {@link CrowdException}; the provider paces its own calls to its configured rate.
 * <p>
 * Calls that change something are safe to repeat: a repeated token, approving an approved assignment,
 * deleting a deleted HIT all return normally. The ledger relies on this to resume after a crash.
 */
@ConsumerType
public interface CrowdProvider {

    String NAME = "cohort.crowd.provider";

    /** e.g. {@code mturk}; the value of {@link io.cohort.api.session.Participant#provider()}. */
    String name();

    CrowdMode mode();

    long balanceCents();

    /** The provider's fee on {@code amountCents} paid for a HIT of {@code maxAssignments} slots (1 for a bonus). */
    long feeCents(long amountCents, int maxAssignments);

    Hit post(HitSpec spec);

    /** The HITs this installation posted (stored locally, never found by listing the whole account), newest first. */
    List<Hit> hits();

    Optional<Hit> hit(String hitId);

    Hit extend(String hitId, long extraSeconds, int extraAssignments, String token);

    /** Stops new workers taking it; the ones at work may still submit. */
    Hit expire(String hitId);

    /**
     * @throws CrowdException when the HIT can't be deleted yet (assignments pending or awaiting review), with the
     *                        provider's reason
     */
    void delete(String hitId);

    List<Assignment> assignments(String hitId);

    Optional<Assignment> assignment(String assignmentId);

    void approve(String assignmentId, String feedback);

    void reject(String assignmentId, String feedback);

    void bonus(String workerId, String assignmentId, long cents, String reason, String token);

    /** Bonuses paid on one assignment, to learn whether a request whose answer was lost arrived. */
    List<Bonus> bonuses(String assignmentId);

    QualificationType createQualification(String name, String description, String keywords);

    /** Our qualification types whose name or description contains {@code query} ("" for all). */
    List<QualificationType> qualifications(String query);

    void qualify(String typeId, String workerId, int value, boolean notify);

    /** @return the workers it could not notify, with why */
    Map<String, String> notify(List<String> workerIds, String subject, String message);

    void block(String workerId, String reason);
}
