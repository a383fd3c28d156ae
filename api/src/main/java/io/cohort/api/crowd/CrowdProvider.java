package io.cohort.api.crowd;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Service: a crowd market (MTurk, Prolific). Register it with {@value #NAME} set to {@link #name()}. Amounts are
 * cents. Every call may throw {@link CrowdException}; the provider paces its own calls to its configured rate.
 * <p>
 * Calls that change something are safe to repeat: a repeated token, approving an approved submission, deleting a
 * deleted posting all return normally. Where the market itself is not idempotent (Prolific's bonus payment), the
 * provider records what it sent before sending and settles a repeat by reading the market's state. The ledger
 * relies on this to resume after a crash.
 */
@ConsumerType
public interface CrowdProvider {

    String NAME = "cohort.crowd.provider";

    /** e.g. {@code mturk}, {@code prolific}; the value of {@link io.cohort.api.session.Participant#provider()}. */
    String name();

    CrowdMode mode();

    long balanceCents();

    /**
     * The ISO 4217 code of the account's money, in which every amount of this provider is (cents are its minor
     * unit): {@code USD} for MTurk; a Prolific workspace's {@code GBP} or {@code USD}.
     */
    String currency();

    /** The market's fee on {@code amountCents} paid for a posting of {@code places} places (1 for a bonus). */
    long feeCents(long amountCents, int places);

    /**
     * The most places one posting should offer, 0 for no limit. MTurk: 9, since a HIT of 10 or more places pays a
     * higher fee; recruiting more posts several. Prolific: 0, places are added to one study.
     */
    int placesPerPosting();

    Posting post(PostingSpec spec);

    /** What this installation posted (stored locally, never found by listing the whole account), newest first. */
    List<Posting> postings();

    Optional<Posting> posting(String postingId);

    /**
     * Adds places (and, where the market has a deadline, time). Repeating it with one {@code token} adds once.
     */
    Posting addPlaces(String postingId, long extraSeconds, int extraPlaces, String token);

    /** Stops new workers taking it; the ones at work may still submit. */
    Posting close(String postingId);

    /**
     * @throws CrowdException when the posting can't be deleted yet (places at work or awaiting review), with the
     *                        market's reason
     */
    void delete(String postingId);

    List<Submission> submissions(String postingId);

    Optional<Submission> submission(String submissionId);

    void approve(String submissionId, String feedback);

    /**
     * Rejects with a message to the worker. Prolific also needs a category: a feedback starting with one of its
     * categories and a colon ({@code NO_CODE: ...}) gives it; otherwise the provider documents its default.
     */
    void reject(String submissionId, String feedback);

    /** Pays a bonus once per {@code token}, however often it is called. */
    void bonus(String workerId, String submissionId, long cents, String reason, String token);

    /** Bonuses paid on one submission, to learn whether a request whose answer was lost arrived. */
    List<Bonus> bonuses(String submissionId);

    Qualification createQualification(String name, String description);

    /** Our qualifications whose name or description contains {@code query} ("" for all). */
    List<Qualification> qualifications(String query);

    /**
     * Gives a worker a qualification. {@code score} is MTurk's integer value; a market that knows only membership
     * (Prolific's participant groups) adds the worker to the group and ignores it.
     */
    void qualify(String qualificationId, String workerId, int score, boolean notify);

    /** @return the workers it could not notify, with why */
    Map<String, String> notify(List<String> workerIds, String subject, String message);

    /** Keeps a worker from every future posting of ours. */
    void block(String workerId, String reason);
}
