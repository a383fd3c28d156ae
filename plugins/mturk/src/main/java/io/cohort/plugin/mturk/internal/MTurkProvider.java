package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.Bonus;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.EligibilityRule;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.crowd.Qualification;
import io.cohort.api.crowd.RejectionOverride;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.storage.PluginDatabase;
import io.github.bucket4j.Bucket;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.mturk.MTurkClient;
import software.amazon.awssdk.services.mturk.model.HITAccessActions;
import software.amazon.awssdk.services.mturk.model.ListAssignmentsForHitResponse;
import software.amazon.awssdk.services.mturk.model.ListBonusPaymentsResponse;
import software.amazon.awssdk.services.mturk.model.MTurkException;
import software.amazon.awssdk.services.mturk.model.NotifyWorkersFailureStatus;
import software.amazon.awssdk.services.mturk.model.QualificationTypeStatus;
import software.amazon.awssdk.services.mturk.model.RequestErrorException;
import software.amazon.awssdk.services.mturk.model.ServiceException;

/**
 * {@link CrowdProvider} over the AWS SDK v2 {@link MTurkClient}. Every HTTP attempt (retries included) waits for a
 * token of a Bucket4j bucket filled at {@code ratePerSecond}; the SDK retries throttling and service faults
 * {@code retries} times. Errors become {@link CrowdException}s with MTurk's TurkErrorCode (or the error type), and
 * the repeats the contract promises to be harmless (a repeated token, approving an approved assignment, deleting a
 * deleted HIT) return normally.
 * <p>
 * In the api's words a HIT is a {@link Posting} and an assignment a {@link Submission}. MTurk's own settings come in
 * {@link PostingSpec#options()}: {@value #KEYWORDS} (none by default) and {@value #AUTO_APPROVAL} (seconds, by
 * default {@value #DEFAULT_AUTO_APPROVAL_SECONDS}); {@link PostingSpec#estimatedSeconds()} is not used. The MTurk
 * tab, in this bundle, also reaches the provider as {@code MTurkProvider}, for what only MTurk has (MTurk's own HIT
 * status, qualification keywords).
 */
@Component(
        service = {CrowdProvider.class, MTurkProvider.class},
        configurationPid = MTurkProvider.PID,
        immediate = true,
        property = CrowdProvider.NAME + "=" + MTurkProvider.NAME)
@Designate(ocd = MTurkConfig.class)
public final class MTurkProvider implements CrowdProvider, RejectionOverride {

    /** The node's own address, the default publicUrl. */
    private final String nodeUrl;

    static final String PID = "io.cohort.mturk";
    static final String NAME = "mturk";
    static final String EXTERNAL_QUESTION_NS =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd";
    /** MTurk's locale system qualification: compared against countries, not integers. */
    static final String LOCALE_TYPE = "00000000000000000071";
    /** A HIT of more assignments than this pays MTurk's higher fee (40 % instead of 20 %): see {@link #feeCents}. */
    static final int PLACES_PER_HIT = 9;
    /** {@link PostingSpec#options()}: the HIT's keywords, searched by workers. */
    static final String KEYWORDS = "keywords";
    /** {@link PostingSpec#options()}: seconds after submission when MTurk approves what was not reviewed. */
    static final String AUTO_APPROVAL = "autoApprovalDelaySeconds";
    /** Three days, what the tab and campaigns asked for before it was an option. */
    static final long DEFAULT_AUTO_APPROVAL_SECONDS = 3 * 24 * 3600L;

    private static final Pattern ID = Pattern.compile("[A-Z0-9]{1,64}");
    private static final Pattern WORKER_ID = Pattern.compile("A[A-Z0-9]{1,63}");
    private static final Pattern QUOTED_ID = Pattern.compile("\\b[A-Z0-9]{20,64}\\b");
    private static final int PAGE = 100;

    private final PluginDatabase database;
    private volatile Connection connection;

    @Activate
    public MTurkProvider(@Reference PluginDatabase database, MTurkConfig config, BundleContext context) {
        this.nodeUrl = MTurkSettings.nodeUrl(context);
        this.database = database;
        this.connection = Connection.open(MTurkSettings.of(config, nodeUrl));
    }

    @Modified
    void modified(MTurkConfig config) {
        Connection old = connection;
        connection = Connection.open(MTurkSettings.of(config, nodeUrl));
        old.close();
    }

    @Deactivate
    void deactivate() {
        connection.close();
    }

    /** The configuration in force, for the admin tab's mode line and notices. */
    MTurkSettings settings() {
        return connection.settings();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CrowdMode mode() {
        return connection.settings().mode();
    }

    @Override
    public long balanceCents() {
        return cents(call(c -> c.getAccountBalance(r -> {})).availableBalance(), "AvailableBalance");
    }

    /** MTurk pays in US dollars only. */
    @Override
    public String currency() {
        return "USD";
    }

    @Override
    public long feeCents(long amountCents, int places) {
        if (amountCents < 0) {
            throw new IllegalArgumentException("amountCents: " + amountCents + " is negative");
        }
        // MTurk's fee: 20 %, at least one cent; 20 % more for HITs of 10 or more assignments. Rounded half up.
        return Math.max(1, (amountCents * (places > PLACES_PER_HIT ? 40 : 20) + 50) / 100);
    }

    /** {@value #PLACES_PER_HIT}: from 10 assignments a HIT, MTurk's fee doubles; more places are more HITs. */
    @Override
    public int placesPerPosting() {
        return PLACES_PER_HIT;
    }

    @Override
    public Posting post(PostingSpec spec) {
        check(spec);
        MTurkSettings settings = connection.settings();
        String keywords = keywords(spec);
        long autoApproval = autoApprovalSeconds(spec);
        String token = spec.token() == null || spec.token().isBlank()
                ? UUID.randomUUID().toString()
                : spec.token();
        StoredHit known = database.transaction(MTurkMapper.class, m -> m.hitByToken(token));
        if (known != null) {
            return refreshed(known).posting();
        }
        software.amazon.awssdk.services.mturk.model.HIT posted;
        try {
            posted = call(c -> c.createHIT(r -> r.title(spec.title().strip())
                            .description(spec.description().strip())
                            .keywords(keywords)
                            .reward(money(spec.rewardCents()))
                            .assignmentDurationInSeconds(spec.durationSeconds())
                            .lifetimeInSeconds(spec.lifetimeSeconds())
                            .autoApprovalDelayInSeconds(autoApproval)
                            .maxAssignments(spec.places())
                            .requesterAnnotation("cohort session " + spec.sessionId())
                            .question(externalQuestion(settings.publicUrl() + "/mturk/start"))
                            .qualificationRequirements(
                                    spec.eligibility() == null
                                            ? List.of()
                                            : spec.eligibility().stream()
                                                    .map(MTurkProvider::requirement)
                                                    .toList())
                            .uniqueRequestToken(token)))
                    .hit();
        } catch (CrowdException e) {
            if (!is(e, "HitAlreadyExists")) {
                throw e;
            }
            // Posted before, but our row was lost (a crash between the two): the message names the HIT.
            Matcher id = QUOTED_ID.matcher(String.valueOf(e.getMessage()));
            if (!id.find()) {
                throw e;
            }
            String hitId = id.group();
            posted = call(c -> c.getHIT(r -> r.hitId(hitId))).hit();
        }
        StoredHit row = new StoredHit(
                posted.hitId(),
                spec.sessionId(),
                spec.title().strip(),
                spec.description().strip(),
                spec.rewardCents(),
                spec.places(),
                spec.durationSeconds(),
                settings.mode(),
                spec.allowRepeats(),
                token,
                posted.expiration(),
                posted.creationTime() == null ? Instant.now() : posted.creationTime());
        database.transaction(MTurkMapper.class, m -> m.addHit(row));
        return listed(row, posted).posting();
    }

    @Override
    public List<Posting> postings() {
        return listed().stream().map(Listed::posting).toList();
    }

    /**
     * A HIT we posted, as the api sees it and with MTurk's own status ({@code Assignable}, {@code Unassignable},
     * {@code Reviewable}, {@code Reviewing}, {@code Disposed}), which the api's {@link PostingStatus} merges.
     */
    record Listed(Posting posting, String hitStatus) {}

    /** {@link #postings()} with MTurk's status of each, for the tab. */
    List<Listed> listed() {
        List<StoredHit> rows = database.transaction(MTurkMapper.class, m -> m.hits(mode()));
        List<Listed> hits = new ArrayList<>();
        for (StoredHit row : rows) {
            hits.add(refreshed(row));
        }
        return hits;
    }

    @Override
    public Optional<Posting> posting(String hitId) {
        StoredHit row = stored(hitId);
        return row == null ? Optional.empty() : Optional.of(refreshed(row).posting());
    }

    /** MTurk's ExtendHIT and CreateAdditionalAssignmentsForHIT: more time, more assignments. */
    @Override
    public Posting addPlaces(String hitId, long extraSeconds, int extraAssignments, String token) {
        requireId(hitId, "hitId");
        if (extraSeconds < 0 || extraAssignments < 0 || extraSeconds + extraAssignments == 0) {
            throw new IllegalArgumentException("extend: give a positive number of seconds or assignments (got "
                    + extraSeconds + " seconds, " + extraAssignments + " assignments)");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw new IllegalArgumentException("token: '" + token + "' must be 1 to 64 characters");
        }
        StoredHit row = requireStored(hitId);
        if (extraSeconds > 0) {
            // The target time is kept with the token, so a repeat sets the same time instead of extending again.
            Instant target = database.transaction(MTurkMapper.class, m -> m.extension(token, hitId));
            if (target == null) {
                Instant expires = call(c -> c.getHIT(r -> r.hitId(hitId))).hit().expiration();
                Instant from = expires == null || expires.isBefore(Instant.now()) ? Instant.now() : expires;
                Instant at = from.plusSeconds(extraSeconds);
                database.transaction(MTurkMapper.class, m -> m.addExtension(token, hitId, at));
                target = at;
            }
            Instant expireAt = target;
            call(c -> c.updateExpirationForHIT(r -> r.hitId(hitId).expireAt(expireAt)));
        }
        if (extraAssignments > 0) {
            idempotent(() -> call(c -> c.createAdditionalAssignmentsForHIT(r -> r.hitId(hitId)
                    .numberOfAdditionalAssignments(extraAssignments)
                    .uniqueRequestToken(token))));
        }
        return refreshed(row).posting();
    }

    /** Expires the HIT now. */
    @Override
    public Posting close(String hitId) {
        StoredHit row = requireStored(requireId(hitId, "hitId"));
        // MTurk takes a time in the past as "now".
        call(c -> c.updateExpirationForHIT(r -> r.hitId(hitId).expireAt(Instant.EPOCH)));
        return refreshed(row).posting();
    }

    @Override
    public void delete(String hitId) {
        requireId(hitId, "hitId");
        try {
            call(c -> c.deleteHIT(r -> r.hitId(hitId)));
        } catch (CrowdException e) {
            if (!String.valueOf(e.getMessage()).contains("'Disposed'")) {
                throw e;
            }
        }
    }

    @Override
    public List<Submission> submissions(String hitId) {
        requireId(hitId, "hitId");
        return allPages(
                next -> call(c -> c.listAssignmentsForHIT(
                        r -> r.hitId(hitId).maxResults(PAGE).nextToken(next))),
                answer -> answer.assignments().stream()
                        .map(MTurkProvider::submission)
                        .toList(),
                ListAssignmentsForHitResponse::nextToken);
    }

    @Override
    public Optional<Submission> submission(String assignmentId) {
        requireId(assignmentId, "assignmentId");
        try {
            return Optional.of(submission(call(c -> c.getAssignment(r -> r.assignmentId(assignmentId)))
                    .assignment()));
        } catch (CrowdException e) {
            if (is(e, "AssignmentDoesNotExist")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void approve(String assignmentId, String feedback) {
        approve(assignmentId, feedback, false);
    }

    @Override
    public void approveRejected(String assignmentId, String feedback) {
        approve(assignmentId, feedback, true);
    }

    /** @param override MTurk's OverrideRejection: approve an assignment that was rejected */
    private void approve(String assignmentId, String feedback, boolean override) {
        requireId(assignmentId, "assignmentId");
        settle(
                assignmentId,
                SubmissionStatus.APPROVED,
                () -> call(c -> c.approveAssignment(r -> r.assignmentId(assignmentId)
                        .overrideRejection(override ? true : null)
                        .requesterFeedback(feedback == null || feedback.isBlank() ? null : feedback))));
    }

    @Override
    public void reject(String assignmentId, String feedback) {
        requireId(assignmentId, "assignmentId");
        if (feedback == null || feedback.isBlank()) {
            throw new IllegalArgumentException(
                    "feedback: MTurk requires a reason to reject assignment " + assignmentId);
        }
        settle(
                assignmentId,
                SubmissionStatus.REJECTED,
                () -> call(c ->
                        c.rejectAssignment(r -> r.assignmentId(assignmentId).requesterFeedback(feedback))));
    }

    @Override
    public void bonus(String workerId, String assignmentId, long cents, String reason, String token) {
        requireWorker(workerId);
        requireId(assignmentId, "assignmentId");
        if (cents <= 0) {
            throw new IllegalArgumentException("cents: a bonus must be positive (got " + cents + ")");
        }
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason: MTurk shows workers a reason for each bonus");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw new IllegalArgumentException("token: '" + token + "' must be 1 to 64 characters");
        }
        idempotent(() -> call(c -> c.sendBonus(r -> r.workerId(workerId)
                .assignmentId(assignmentId)
                .bonusAmount(money(cents))
                .reason(reason)
                .uniqueRequestToken(token))));
    }

    @Override
    public List<Bonus> bonuses(String assignmentId) {
        requireId(assignmentId, "assignmentId");
        return allPages(
                next -> call(c -> c.listBonusPayments(
                        r -> r.assignmentId(assignmentId).maxResults(PAGE).nextToken(next))),
                answer -> answer.bonusPayments().stream()
                        .map(b -> new Bonus(
                                b.workerId(),
                                b.assignmentId(),
                                cents(b.bonusAmount(), "BonusAmount"),
                                b.reason(),
                                b.grantTime()))
                        .toList(),
                ListBonusPaymentsResponse::nextToken);
    }

    @Override
    public Qualification createQualification(String name, String description) {
        return createQualification(name, description, null).qualification();
    }

    /** With MTurk's keywords (the tab's form has them; the api has not). */
    StoredQualification createQualification(String name, String description, String keywords) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: a qualification type needs a name");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("description: a qualification type needs a description");
        }
        String words = keywords == null || keywords.isBlank() ? null : keywords.strip();
        var created = call(c -> c.createQualificationType(r -> r.name(name.strip())
                        .description(description.strip())
                        .keywords(words)
                        .qualificationTypeStatus(QualificationTypeStatus.ACTIVE)))
                .qualificationType();
        // Stored with MTurk's creation time, so the type we return and the one listed later are the same.
        StoredQualification type = new StoredQualification(
                created.qualificationTypeId(),
                name.strip(),
                description.strip(),
                words,
                true,
                created.creationTime() == null ? Instant.now() : created.creationTime());
        CrowdMode mode = mode();
        database.transaction(MTurkMapper.class, m -> m.addQualificationType(type, mode));
        return type;
    }

    @Override
    public List<Qualification> qualifications(String query) {
        return storedQualifications(query).stream()
                .map(StoredQualification::qualification)
                .toList();
    }

    /** {@link #qualifications(String)} with their keywords, for the tab. */
    List<StoredQualification> storedQualifications(String query) {
        String q = query == null ? "" : query.strip();
        return database.transaction(MTurkMapper.class, m -> m.qualificationTypes(mode(), q));
    }

    @Override
    public void qualify(String typeId, String workerId, int value, boolean notify) {
        requireId(typeId, "typeId");
        requireWorker(workerId);
        call(c -> c.associateQualificationWithWorker(r -> r.qualificationTypeId(typeId)
                .workerId(workerId)
                .integerValue(value)
                .sendNotification(notify)));
    }

    @Override
    public Map<String, String> notify(List<String> workerIds, String subject, String message) {
        if (workerIds == null || workerIds.isEmpty()) {
            throw new IllegalArgumentException("workerIds: name at least one worker");
        }
        workerIds.forEach(MTurkProvider::requireWorker);
        if (subject == null || subject.isBlank() || subject.length() > 200) {
            throw new IllegalArgumentException(
                    "subject: 1 to 200 characters (got " + (subject == null ? 0 : subject.length()) + ")");
        }
        if (message == null || message.isBlank() || message.length() > 4096) {
            throw new IllegalArgumentException(
                    "message: 1 to 4096 characters (got " + (message == null ? 0 : message.length()) + ")");
        }
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> distinct = workerIds.stream().distinct().toList();
        // NotifyWorkers takes at most 100 workers a call.
        for (int from = 0; from < distinct.size(); from += PAGE) {
            List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + PAGE));
            List<NotifyWorkersFailureStatus> refused;
            try {
                refused = call(c -> c.notifyWorkers(
                                r -> r.workerIds(chunk).subject(subject).messageText(message)))
                        .notifyWorkersFailureStatuses();
            } catch (CrowdException e) {
                if (from == 0) {
                    throw e; // nobody was written to: the error says it all
                }
                // Earlier calls reached their workers: name the ones left out instead of hiding that.
                String why = "not sent: " + e.getMessage() + " (" + e.code() + ")";
                distinct.subList(from, distinct.size()).forEach(w -> failures.put(w, why));
                break;
            }
            refused.forEach(f -> failures.put(f.workerId(), f.notifyWorkersFailureMessage()));
        }
        return failures;
    }

    @Override
    public void block(String workerId, String reason) {
        requireWorker(workerId);
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason: MTurk requires a reason to block worker " + workerId);
        }
        call(c -> c.createWorkerBlock(r -> r.workerId(workerId).reason(reason)));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Our stored HIT with the provider's live status and counts; a HIT MTurk no longer knows shows as disposed. */
    private Listed refreshed(StoredHit row) {
        try {
            return listed(row, call(c -> c.getHIT(r -> r.hitId(row.hitId()))).hit());
        } catch (CrowdException e) {
            if (!is(e, "HITDoesNotExist")) {
                throw e;
            }
            return new Listed(
                    new Posting(
                            row.hitId(),
                            row.sessionId(),
                            row.title(),
                            row.mode(),
                            PostingStatus.CLOSED,
                            row.rewardCents(),
                            row.maxAssignments(),
                            0,
                            0,
                            0,
                            row.created(),
                            row.expires()),
                    "Disposed");
        }
    }

    private static Listed listed(StoredHit row, software.amazon.awssdk.services.mturk.model.HIT live) {
        return new Listed(posting(row, live), String.valueOf(live.hitStatusAsString()));
    }

    private static Posting posting(StoredHit row, software.amazon.awssdk.services.mturk.model.HIT live) {
        return new Posting(
                row.hitId(),
                row.sessionId(),
                row.title(),
                row.mode(),
                status(live.hitStatusAsString()),
                row.rewardCents(),
                live.maxAssignments() == null ? row.maxAssignments() : live.maxAssignments(),
                number(live.numberOfAssignmentsAvailable()),
                number(live.numberOfAssignmentsPending()),
                number(live.numberOfAssignmentsCompleted()),
                row.created(),
                live.expiration() == null ? row.expires() : live.expiration());
    }

    private static int number(Integer value) {
        return value == null ? 0 : value;
    }

    private static PostingStatus status(String status) {
        return switch (String.valueOf(status)) {
            case "Assignable" -> PostingStatus.OPEN;
            case "Unassignable" -> PostingStatus.FULL;
            case "Reviewable", "Reviewing" -> PostingStatus.AWAITING_REVIEW;
            case "Disposed" -> PostingStatus.CLOSED;
            default ->
                throw new CrowdException("UnknownHITStatus", "MTurk answered HIT status '" + status + "'", false, null);
        };
    }

    private static Submission submission(software.amazon.awssdk.services.mturk.model.Assignment a) {
        SubmissionStatus status = switch (a.assignmentStatusAsString()) {
            case "Submitted" -> SubmissionStatus.SUBMITTED;
            case "Approved" -> SubmissionStatus.APPROVED;
            case "Rejected" -> SubmissionStatus.REJECTED;
            default ->
                throw new CrowdException(
                        "UnknownAssignmentStatus",
                        "MTurk answered assignment status '" + a.assignmentStatusAsString() + "'",
                        false,
                        null);
        };
        return new Submission(a.assignmentId(), a.hitId(), a.workerId(), status, a.acceptTime(), a.submitTime());
    }

    private static software.amazon.awssdk.services.mturk.model.QualificationRequirement requirement(EligibilityRule q) {
        var builder = software.amazon.awssdk.services.mturk.model.QualificationRequirement.builder()
                .qualificationTypeId(q.qualificationId())
                .comparator(q.comparator())
                .actionsGuarded(HITAccessActions.ACCEPT);
        if (q.values() != null && !q.values().isEmpty()) {
            builder.integerValues(q.values());
        }
        if (q.countries() != null && !q.countries().isEmpty()) {
            builder.localeValues(q.countries().stream()
                    .map(c -> software.amazon.awssdk.services.mturk.model.Locale.builder()
                            .country(c)
                            .build())
                    .toList());
        }
        return builder.build();
    }

    /** Every item of a paged list: MaxResults 100 until there is no NextToken. */
    private static <R, T> List<T> allPages(
            Function<String, R> page, Function<R, List<T>> items, Function<R, String> nextToken) {
        List<T> all = new ArrayList<>();
        String next = null;
        do {
            R answer = page.apply(next);
            all.addAll(items.apply(answer));
            next = nextToken.apply(answer);
        } while (next != null);
        return all;
    }

    /** Whether {@code e} carries MTurk's error {@code name}, with or without the {@code AWS.MechanicalTurk.} prefix. */
    private static boolean is(CrowdException e, String name) {
        return e.code() != null && (e.code().equals(name) || e.code().endsWith("." + name));
    }

    /** A change whose repeat MTurk refuses as already done: approving an approved assignment, rejecting a rejected one. */
    private void settle(String assignmentId, SubmissionStatus wanted, Runnable change) {
        try {
            change.run();
        } catch (CrowdException e) {
            if (!String.valueOf(e.getMessage()).contains("can be called with a status of")) {
                throw e;
            }
            Optional<Submission> now = submission(assignmentId);
            if (now.isEmpty() || now.get().status() != wanted) {
                throw e;
            }
        }
    }

    /** A request with an idempotency token whose repeat MTurk answers "already been processed". */
    private static void idempotent(Runnable request) {
        try {
            request.run();
        } catch (CrowdException e) {
            if (!String.valueOf(e.getMessage()).contains("has already been processed")) {
                throw e;
            }
        }
    }

    private StoredHit stored(String hitId) {
        requireId(hitId, "hitId");
        return database.transaction(MTurkMapper.class, m -> m.hit(hitId));
    }

    private StoredHit requireStored(String hitId) {
        StoredHit row = stored(hitId);
        if (row == null) {
            throw new IllegalArgumentException("hitId: " + hitId + " is not a HIT this installation posted");
        }
        return row;
    }

    /** One SDK call, paced and retried by the client, with its errors turned into CrowdExceptions. */
    private <T> T call(Function<MTurkClient, T> request) {
        Connection c = connection;
        if (c.client() == null) {
            throw new CrowdException(
                    "NotConfigured",
                    "MTurk is not configured: " + String.join(" ", c.settings().problems()),
                    false,
                    null);
        }
        try {
            return request.apply(c.client());
        } catch (MTurkException e) {
            throw crowdException(e);
        } catch (SdkClientException | UncheckedIOException e) {
            throw new CrowdException("ClientError", "calling MTurk failed: " + e.getMessage(), true, e);
        } catch (SdkException e) {
            throw new CrowdException("SdkError", "calling MTurk failed: " + e.getMessage(), false, e);
        }
    }

    static CrowdException crowdException(AwsServiceException e) {
        String code = null;
        if (e instanceof RequestErrorException r) {
            code = r.turkErrorCode();
        } else if (e instanceof ServiceException s) {
            code = s.turkErrorCode();
        }
        if (code == null || code.isBlank()) {
            code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        }
        String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage()
                : e.getMessage();
        boolean retryable = e.isThrottlingException() || e instanceof ServiceException || e.statusCode() >= 500;
        return new CrowdException(code == null ? "Unknown" : code, message, retryable, e);
    }

    private static void check(PostingSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec: missing");
        }
        if (spec.sessionId() == null || spec.sessionId().isBlank()) {
            throw new IllegalArgumentException("sessionId: a HIT recruits for a session");
        }
        requireText(spec.title(), "title", 128);
        requireText(spec.description(), "description", 2000);
        keywords(spec);
        if (spec.rewardCents() < 0) {
            throw new IllegalArgumentException("rewardCents: " + spec.rewardCents() + " is negative");
        }
        requireRange(spec.durationSeconds(), 30, 365L * 24 * 3600, "durationSeconds");
        requireRange(spec.lifetimeSeconds(), 30, 365L * 24 * 3600, "lifetimeSeconds");
        autoApprovalSeconds(spec);
        requireRange(spec.places(), 1, 1_000_000, "places");
        if (spec.eligibility() != null && spec.eligibility().size() > 10) {
            throw new IllegalArgumentException(
                    "eligibility: at most 10 rules (got " + spec.eligibility().size() + ")");
        }
        if (spec.token() != null && spec.token().length() > 64) {
            throw new IllegalArgumentException("token: at most 64 characters");
        }
        for (EligibilityRule q : spec.eligibility() == null ? List.<EligibilityRule>of() : spec.eligibility()) {
            requireId(q.qualificationId(), "eligibility.qualificationId");
            if (q.comparator() == null || q.comparator().isBlank()) {
                throw new IllegalArgumentException("eligibility.comparator: missing for " + q.qualificationId());
            }
        }
    }

    /** The {@value #KEYWORDS} option, stripped; null when none is given. */
    private static String keywords(PostingSpec spec) {
        String keywords = option(spec, KEYWORDS);
        if (keywords == null || keywords.isBlank()) {
            return null;
        }
        if (keywords.length() > 1000) {
            throw new IllegalArgumentException("options." + KEYWORDS + ": at most 1000 characters");
        }
        return keywords.strip();
    }

    /** The {@value #AUTO_APPROVAL} option, {@value #DEFAULT_AUTO_APPROVAL_SECONDS} when none is given. */
    private static long autoApprovalSeconds(PostingSpec spec) {
        String value = option(spec, AUTO_APPROVAL);
        if (value == null || value.isBlank()) {
            return DEFAULT_AUTO_APPROVAL_SECONDS;
        }
        long seconds;
        try {
            seconds = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "options." + AUTO_APPROVAL + ": '" + value + "' is not a whole number of seconds");
        }
        requireRange(seconds, 0, 30L * 24 * 3600, "options." + AUTO_APPROVAL);
        return seconds;
    }

    private static String option(PostingSpec spec, String name) {
        return spec.options() == null ? null : spec.options().get(name);
    }

    private static void requireText(String value, String field, int max) {
        if (value == null || value.isBlank() || value.strip().length() > max) {
            throw new IllegalArgumentException(field + ": 1 to " + max + " characters (got "
                    + (value == null ? "none" : value.strip().length()) + ")");
        }
    }

    private static void requireRange(long value, long min, long max, String field) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + ": " + value + " is not between " + min + " and " + max);
        }
    }

    static String requireId(String id, String field) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(field + ": '" + id + "' is not an MTurk ID (A-Z, 0-9)");
        }
        return id;
    }

    static String requireWorker(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new IllegalArgumentException("workerId: '" + workerId + "' is not an MTurk worker ID");
        }
        return workerId;
    }

    /** Cents as MTurk's money string, {@code 0.00}. */
    static String money(long cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }

    static long cents(String money, String field) {
        try {
            return new BigDecimal(money).movePointRight(2).longValueExact();
        } catch (RuntimeException e) {
            throw new CrowdException("BadAnswer", "MTurk answered " + field + " '" + money + "'", false, e);
        }
    }

    static String externalQuestion(String url) {
        String escaped = url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return "<ExternalQuestion xmlns=\"" + EXTERNAL_QUESTION_NS + "\"><ExternalURL>" + escaped
                + "</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>";
    }

    /** The client a configuration calls through, or none when it can't be used. */
    private record Connection(MTurkSettings settings, MTurkClient client) {

        static Connection open(MTurkSettings settings) {
            if (!settings.usable()) {
                return new Connection(settings, null);
            }
            Bucket bucket = bucket(settings.ratePerSecond());
            ExecutionInterceptor pace = new ExecutionInterceptor() {
                @Override
                public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                    try {
                        bucket.asBlocking().consume(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw SdkClientException.create("interrupted while waiting for the MTurk rate limit", e);
                    }
                }
            };
            MTurkClient client = MTurkClient.builder()
                    .region(Region.US_EAST_1)
                    .endpointOverride(settings.endpoint())
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                    // Chosen here, not found through ServiceLoader, which sees no other bundle's jars in OSGi.
                    .httpClient(UrlConnectionHttpClient.create())
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                    .maxAttempts(settings.retries() + 1)
                                    .build())
                            .addExecutionInterceptor(pace))
                    .build();
            return new Connection(settings, client);
        }

        /**
         * At most {@code perSecond} on average, in bursts of at most a tenth of a second's worth: a service that
         * limits at the same rate with a small burst throttles little, and each throttled call costs a token here too.
         */
        private static Bucket bucket(double perSecond) {
            long tokens = Math.max(1, Math.round(perSecond / 10));
            Duration period = Duration.ofNanos(Math.round(tokens / perSecond * 1e9));
            return Bucket.builder()
                    .addLimit(limit -> limit.capacity(tokens).refillGreedy(tokens, period))
                    .build();
        }

        void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
