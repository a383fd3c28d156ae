package io.cohort.plugin.prolific.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cohort.api.crowd.Bonus;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.EligibilityRule;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.crowd.Qualification;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.storage.PluginDatabase;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * {@link CrowdProvider} over Prolific's REST API v1 ({@link ProlificApi}). A posting is a study, a submission is
 * Prolific's submission, a qualification is a participant group.
 * <p>
 * Prolific recognises no repeated request, so what the contract promises to be safe to repeat is made so here:
 * a study is made with {@code internal_name = "cohort <token>"} after its row is stored, so a retry finds it;
 * places are set to an absolute total stored with the token; a bonus's bulk set-up id is stored before "pay" is
 * sent, and a bonus whose pay answer was lost is settled by reading the submission's {@code bonus_payments} from
 * Prolific, never by paying again blindly; approvals and rejections read the submission's state before they are
 * sent again.
 */
@Component(
        service = CrowdProvider.class,
        configurationPid = ProlificProvider.PID,
        immediate = true,
        property = CrowdProvider.NAME + "=" + ProlificProvider.NAME)
@Designate(ocd = ProlificConfig.class)
public final class ProlificProvider implements CrowdProvider {

    static final String PID = "io.cohort.prolific";
    static final String NAME = "prolific";
    /** Prolific's rejection categories; a reject feedback may start with one and a colon. */
    static final Set<String> REJECTION_CATEGORIES = Set.of(
            "TOO_QUICKLY",
            "TOO_SLOWLY",
            "FAILED_INSTRUCTIONS",
            "INCOMP_LONGITUDINAL",
            "FAILED_CHECK",
            "LOW_EFFORT",
            "MALINGERING",
            "NO_CODE",
            "BAD_CODE",
            "NO_DATA",
            "UNSUPP_DEVICE",
            "OTHER");
    /** Prolific asks a rejection message of at least this many characters. */
    static final int MIN_REJECTION_MESSAGE = 100;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern CATEGORY = Pattern.compile("^([A-Z_]{2,30}):\\s*(.*)$", Pattern.DOTALL);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String nodeUrl;
    private final PluginDatabase database;
    private volatile ProlificApi api;
    private volatile String currency;

    @Activate
    public ProlificProvider(@Reference PluginDatabase database, ProlificConfig config, BundleContext context) {
        this.nodeUrl = ProlificSettings.nodeUrl(context);
        this.database = database;
        this.api = new ProlificApi(ProlificSettings.of(config, nodeUrl));
    }

    @Modified
    void modified(ProlificConfig config) {
        currency = null; // perhaps another workspace
        api = new ProlificApi(ProlificSettings.of(config, nodeUrl));
    }

    ProlificSettings settings() {
        return api.settings();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CrowdMode mode() {
        return api.settings().mode();
    }

    @Override
    public long balanceCents() {
        JsonNode balance = api.get("/api/v1/workspaces/" + api.settings().workspace() + "/balance/");
        currency = balance.path("currency_code").asText(currency);
        return balance.path("available_balance").asLong();
    }

    /** The workspace's currency, read with its balance (once, then kept: a workspace does not change it). */
    @Override
    public String currency() {
        String known = currency;
        if (known == null) {
            balanceCents();
            known = currency;
        }
        return known == null ? "GBP" : known;
    }

    @Override
    public long feeCents(long amountCents, int places) {
        if (amountCents < 0) {
            throw new IllegalArgumentException("amountCents: " + amountCents + " is negative");
        }
        return fee(amountCents, api.settings().feePercent());
    }

    /** Rounded half up, as Prolific shows its fees. */
    static long fee(long amountCents, double percent) {
        return BigDecimal.valueOf(amountCents)
                .multiply(BigDecimal.valueOf(percent))
                .divide(BigDecimal.valueOf(100), 0, java.math.RoundingMode.HALF_UP)
                .longValueExact();
    }

    @Override
    public int placesPerPosting() {
        return 0;
    }

    @Override
    public Posting post(PostingSpec spec) {
        check(spec);
        ProlificSettings settings = api.settings();
        String token = spec.token() == null || spec.token().isBlank()
                ? UUID.randomUUID().toString()
                : spec.token();
        StoredStudy known = database.transaction(ProlificMapper.class, m -> m.studyByToken(token));
        if (known == null) {
            StoredStudy row = new StoredStudy(
                    token,
                    null,
                    spec.sessionId(),
                    spec.title().strip(),
                    spec.rewardCents(),
                    spec.places(),
                    spec.estimatedSeconds(),
                    spec.durationSeconds(),
                    settings.mode(),
                    spec.allowRepeats(),
                    code(),
                    code(),
                    Instant.now());
            database.transaction(ProlificMapper.class, m -> m.addStudy(row));
            known = database.transaction(ProlificMapper.class, m -> m.studyByToken(token));
        }
        StoredStudy row = known;
        String studyId = row.studyId();
        if (studyId == null) {
            // A crash may have come between making the study and storing its id: look for it by its name.
            studyId = findByInternalName(internalName(token))
                    .orElseGet(() -> api.post("/api/v1/studies/", studyBody(spec, row, settings))
                            .path("id")
                            .asText());
            String id = studyId;
            database.transaction(ProlificMapper.class, m -> m.setStudyId(token, id));
        }
        boolean draft = "true".equalsIgnoreCase(option(spec, "draft"));
        JsonNode study = api.get("/api/v1/studies/" + studyId + "/");
        if (!draft && "UNPUBLISHED".equals(study.path("status").asText())) {
            transition(studyId, "PUBLISH");
        }
        return postingOf(database.transaction(ProlificMapper.class, m -> m.studyByToken(token)))
                .orElseThrow();
    }

    private ObjectNode studyBody(PostingSpec spec, StoredStudy row, ProlificSettings settings) {
        ObjectNode body = ProlificApi.object();
        body.put("name", spec.title().strip());
        body.put("internal_name", internalName(row.token()));
        body.put("description", spec.description().strip());
        body.put(
                "external_study_url",
                settings.publicUrl() + "/prolific/start?PROLIFIC_PID={{%PROLIFIC_PID%}}"
                        + "&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}");
        body.put("prolific_id_option", "url_parameters");
        ArrayNode codes = body.putArray("completion_codes");
        completionCode(codes, row.completionCode(), "COMPLETED", "MANUALLY_REVIEW");
        completionCode(codes, row.screenoutCode(), "OTHER", "MANUALLY_REVIEW");
        body.put("total_available_places", spec.places());
        body.put("estimated_completion_time", Math.max(1, (spec.estimatedSeconds() + 59) / 60));
        if (spec.durationSeconds() > 0) {
            body.put("maximum_allowed_time", Math.max(1, (spec.durationSeconds() + 59) / 60));
        }
        body.put("reward", spec.rewardCents());
        String devices = option(spec, "deviceCompatibility");
        ArrayNode compatible = body.putArray("device_compatibility");
        for (String device : (devices == null ? "desktop,mobile,tablet" : devices).split(",")) {
            if (!device.isBlank()) {
                compatible.add(device.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (!settings.project().isEmpty()) {
            body.put("project", settings.project());
        }
        ArrayNode filters = body.putArray("filters");
        List<String> allow = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (EligibilityRule rule : spec.eligibility() == null ? List.<EligibilityRule>of() : spec.eligibility()) {
            (rule.comparator().equals("Exists") ? allow : block).add(rule.qualificationId());
        }
        blockedGroup().ifPresent(block::add);
        groupFilter(filters, "participant_group_allowlist", allow);
        groupFilter(filters, "participant_group_blocklist", block);
        return body;
    }

    private static void completionCode(ArrayNode codes, String code, String type, String action) {
        ObjectNode entry = codes.addObject();
        entry.put("code", code);
        entry.put("code_type", type);
        entry.putArray("actions").addObject().put("action", action);
    }

    private static void groupFilter(ArrayNode filters, String filterId, List<String> groups) {
        if (!groups.isEmpty()) {
            ObjectNode filter = filters.addObject();
            filter.put("filter_id", filterId);
            ArrayNode values = filter.putArray("selected_values");
            groups.forEach(values::add);
        }
    }

    private Optional<String> findByInternalName(String internalName) {
        for (JsonNode study : api.list("/api/v1/studies/")) {
            if (internalName.equals(study.path("internal_name").asText())) {
                return Optional.of(study.path("id").asText());
            }
        }
        return Optional.empty();
    }

    static String internalName(String token) {
        return "cohort " + token;
    }

    private static void check(PostingSpec spec) {
        if (spec.sessionId() == null || spec.sessionId().isBlank()) {
            throw new IllegalArgumentException("sessionId: a study recruits for a session");
        }
        if (spec.title() == null || spec.title().isBlank()) {
            throw new IllegalArgumentException("title: a study needs a name");
        }
        if (spec.description() == null || spec.description().isBlank()) {
            throw new IllegalArgumentException("description: a study needs a description");
        }
        if (spec.places() < 1) {
            throw new IllegalArgumentException("places: at least 1 (got " + spec.places() + ")");
        }
        if (spec.rewardCents() < 0) {
            throw new IllegalArgumentException("rewardCents: " + spec.rewardCents() + " is negative");
        }
        if (spec.estimatedSeconds() < 1) {
            throw new IllegalArgumentException("estimatedSeconds: Prolific pays by the estimated time; give it (got "
                    + spec.estimatedSeconds() + ")");
        }
        for (EligibilityRule rule : spec.eligibility() == null ? List.<EligibilityRule>of() : spec.eligibility()) {
            if (!rule.comparator().equals("Exists") && !rule.comparator().equals("DoesNotExist")) {
                throw new IllegalArgumentException("eligibility: Prolific's participant groups know Exists (allow)"
                        + " and DoesNotExist (block) only, not '" + rule.comparator() + "' on "
                        + rule.qualificationId());
            }
        }
    }

    private static String option(PostingSpec spec, String name) {
        return spec.options() == null ? null : spec.options().get(name);
    }

    /** A completion code: 8 letters and digits no one can guess. */
    private static String code() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return code.toString();
    }

    @Override
    public List<Posting> postings() {
        return studies().stream().map(Study::posting).toList();
    }

    /**
     * A study with its submissions counted by status, both from one listing of them (the Prolific tab shows both).
     */
    record Study(Posting posting, Map<SubmissionStatus, Integer> counts) {}

    /** Our studies in the current mode, each read with one listing of its submissions. */
    List<Study> studies() {
        List<Study> studies = new ArrayList<>();
        for (StoredStudy row : database.transaction(ProlificMapper.class, m -> m.studies(mode()))) {
            studyOf(row).ifPresent(studies::add);
        }
        return studies;
    }

    @Override
    public Optional<Posting> posting(String postingId) {
        requireId(postingId, "postingId");
        return postingOf(database.transaction(ProlificMapper.class, m -> m.study(postingId)));
    }

    private Optional<Posting> postingOf(StoredStudy row) {
        return studyOf(row).map(Study::posting);
    }

    private Optional<Study> studyOf(StoredStudy row) {
        if (row == null || row.studyId() == null) {
            return Optional.empty();
        }
        JsonNode study = api.get("/api/v1/studies/" + row.studyId() + "/");
        int places = study.path("total_available_places").asInt(row.places());
        int pending = 0;
        int completed = 0;
        Map<SubmissionStatus, Integer> counts = new java.util.EnumMap<>(SubmissionStatus.class);
        for (SubmissionStatus status : SubmissionStatus.values()) {
            counts.put(status, 0);
        }
        for (JsonNode s : api.list("/api/v1/studies/" + row.studyId() + "/submissions/")) {
            counts.merge(submissionStatus(s.path("status").asText()), 1, Integer::sum);
            // Prolific's own count of places held: a rejected, returned or timed-out submission frees its place.
            switch (s.path("status").asText()) {
                case "ACTIVE", "RESERVED" -> pending++;
                case "AWAITING REVIEW", "APPROVED", "PARTIALLY APPROVED", "SCREENED OUT" -> completed++;
                default -> {}
            }
        }
        String status = study.path("status").asText();
        int free = Math.max(0, places - pending - completed);
        return Optional.of(new Study(
                new Posting(
                        row.studyId(),
                        row.sessionId(),
                        study.path("name").asText(row.title()),
                        row.mode(),
                        postingStatus(status, free),
                        study.path("reward").asLong(row.rewardCents()),
                        places,
                        // Only an active study can be taken: a paused or stopped one's free places are not on offer.
                        status.equals("ACTIVE") ? free : 0,
                        pending,
                        completed,
                        row.created(),
                        null),
                counts));
    }

    static PostingStatus postingStatus(String status, int available) {
        return switch (status) {
            case "UNPUBLISHED", "SCHEDULED" -> PostingStatus.DRAFT;
            case "ACTIVE", "PUBLISHING" -> available > 0 ? PostingStatus.OPEN : PostingStatus.FULL;
            case "PAUSED" -> PostingStatus.PAUSED;
            case "AWAITING REVIEW" -> PostingStatus.AWAITING_REVIEW;
            default -> PostingStatus.CLOSED;
        };
    }

    static SubmissionStatus submissionStatus(String status) {
        return switch (status) {
            case "ACTIVE", "RESERVED" -> SubmissionStatus.ACTIVE;
            case "AWAITING REVIEW" -> SubmissionStatus.SUBMITTED;
            case "APPROVED", "PARTIALLY APPROVED" -> SubmissionStatus.APPROVED;
            case "REJECTED", "SCREENED OUT" -> SubmissionStatus.REJECTED;
            case "RETURNED" -> SubmissionStatus.RETURNED;
            default -> SubmissionStatus.TIMED_OUT;
        };
    }

    @Override
    public Posting addPlaces(String postingId, long extraSeconds, int extraPlaces, String token) {
        requireId(postingId, "postingId");
        if (extraPlaces < 0 || extraSeconds < 0 || extraPlaces + extraSeconds == 0) {
            throw new IllegalArgumentException("addPlaces: give a positive number of places (got " + extraPlaces
                    + " places, " + extraSeconds + " seconds)");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw new IllegalArgumentException("token: '" + token + "' must be 1 to 64 characters");
        }
        StoredStudy row = requireStored(postingId);
        if (extraPlaces > 0) {
            // The target total is kept with the token, so a repeat sets the same total instead of adding again.
            Integer target = database.transaction(ProlificMapper.class, m -> m.placeAddition(token, postingId));
            if (target == null) {
                int now = api.get("/api/v1/studies/" + postingId + "/")
                        .path("total_available_places")
                        .asInt();
                int total = now + extraPlaces;
                database.transaction(ProlificMapper.class, m -> m.addPlaceAddition(token, postingId, total));
                target = total;
            }
            ObjectNode body = ProlificApi.object();
            body.put("total_available_places", target);
            api.patch("/api/v1/studies/" + postingId + "/", body);
            int places = target;
            database.transaction(ProlificMapper.class, m -> m.setPlaces(postingId, places));
        }
        // Prolific studies have no deadline: extra time is nothing to send.
        return postingOf(row).orElseThrow();
    }

    @Override
    public Posting close(String postingId) {
        StoredStudy row = requireStored(requireId(postingId, "postingId"));
        String status =
                api.get("/api/v1/studies/" + postingId + "/").path("status").asText();
        if (status.equals("UNPUBLISHED")) {
            throw new CrowdException(
                    "NotPublished", "study " + postingId + " was never published: delete it", false, null);
        }
        if (!status.equals("COMPLETED") && !status.equals("AWAITING REVIEW")) {
            transition(postingId, "STOP");
        }
        return postingOf(row).orElseThrow();
    }

    /** Pauses a study: no new participants until it is started again. */
    Posting pause(String postingId) {
        StoredStudy row = requireStored(requireId(postingId, "postingId"));
        transition(postingId, "PAUSE");
        return postingOf(row).orElseThrow();
    }

    /** Starts a paused study again. */
    Posting resume(String postingId) {
        StoredStudy row = requireStored(requireId(postingId, "postingId"));
        transition(postingId, "START");
        return postingOf(row).orElseThrow();
    }

    /** Publishes a draft. */
    Posting publish(String postingId) {
        StoredStudy row = requireStored(requireId(postingId, "postingId"));
        transition(postingId, "PUBLISH");
        return postingOf(row).orElseThrow();
    }

    private void transition(String studyId, String action) {
        ObjectNode body = ProlificApi.object();
        body.put("action", action);
        api.post("/api/v1/studies/" + studyId + "/transition/", body);
    }

    @Override
    public void delete(String postingId) {
        requireStored(requireId(postingId, "postingId"));
        String status =
                api.get("/api/v1/studies/" + postingId + "/").path("status").asText();
        if (!status.equals("UNPUBLISHED")) {
            throw new CrowdException(
                    "CannotDelete",
                    "Prolific deletes only unpublished studies; study " + postingId + " is " + status
                            + " (stop it instead)",
                    false,
                    null);
        }
        api.delete("/api/v1/studies/" + postingId + "/");
    }

    @Override
    public List<Submission> submissions(String postingId) {
        requireId(postingId, "postingId");
        return api.list("/api/v1/studies/" + postingId + "/submissions/").stream()
                .map(s -> submission(s, postingId))
                .toList();
    }

    @Override
    public Optional<Submission> submission(String submissionId) {
        requireId(submissionId, "submissionId");
        try {
            JsonNode s = api.get("/api/v1/submissions/" + submissionId + "/");
            return Optional.of(submission(s, s.path("study_id").asText(null)));
        } catch (CrowdException e) {
            if (e.getMessage().contains(": 404 ")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Submission submission(JsonNode s, String studyId) {
        return new Submission(
                s.path("id").asText(),
                studyId,
                s.path("participant_id").asText(s.path("participant").asText(null)),
                submissionStatus(s.path("status").asText()),
                instant(s.path("started_at")),
                instant(s.path("completed_at")));
    }

    private static Instant instant(JsonNode value) {
        if (!value.isTextual() || value.asText().isBlank()) {
            return null;
        }
        return OffsetDateTime.parse(value.asText()).toInstant();
    }

    @Override
    public void approve(String submissionId, String feedback) {
        requireId(submissionId, "submissionId");
        ObjectNode body = ProlificApi.object();
        body.put("action", "APPROVE");
        settle(submissionId, SubmissionStatus.APPROVED, body);
    }

    @Override
    public void reject(String submissionId, String feedback) {
        requireId(submissionId, "submissionId");
        String category = "OTHER";
        String message = feedback == null ? "" : feedback.strip();
        var named = CATEGORY.matcher(message);
        if (named.matches() && REJECTION_CATEGORIES.contains(named.group(1))) {
            category = named.group(1);
            message = named.group(2).strip();
        }
        if (message.length() < MIN_REJECTION_MESSAGE) {
            throw new IllegalArgumentException("feedback: Prolific asks for a rejection message of at least "
                    + MIN_REJECTION_MESSAGE + " characters (got " + message.length() + ") for submission "
                    + submissionId);
        }
        ObjectNode body = ProlificApi.object();
        body.put("action", "REJECT");
        body.put("message", message);
        body.put("rejection_category", category);
        settle(submissionId, SubmissionStatus.REJECTED, body);
    }

    /**
     * Sends a review unless the submission is already where it should be; a refusal because it got there
     * meanwhile (a lost answer, another node) is success.
     */
    private void settle(String submissionId, SubmissionStatus wanted, ObjectNode body) {
        Optional<Submission> now = submission(submissionId);
        if (now.isEmpty()) {
            throw new CrowdException("NotFound", "Prolific has no submission " + submissionId, false, null);
        }
        if (now.get().status() == wanted) {
            return;
        }
        try {
            api.post("/api/v1/submissions/" + submissionId + "/transition/", body);
        } catch (CrowdException e) {
            if (e.retryable()
                    || submission(submissionId).map(Submission::status).orElse(null) != wanted) {
                throw e;
            }
        }
    }

    @Override
    public void bonus(String workerId, String submissionId, long cents, String reason, String token) {
        requireId(workerId, "workerId");
        requireId(submissionId, "submissionId");
        if (cents <= 0) {
            throw new IllegalArgumentException("cents: a bonus must be positive (got " + cents + ")");
        }
        if (token == null || token.isBlank() || token.length() > 64) {
            throw new IllegalArgumentException("token: '" + token + "' must be 1 to 64 characters");
        }
        StoredBonus row = database.transaction(ProlificMapper.class, m -> m.bonus(token));
        if (row == null) {
            String studyId = studyOf(submissionId);
            ObjectNode body = ProlificApi.object();
            body.put("study_id", studyId);
            // By submission: Prolific takes either id, and the bonus then shows on that submission.
            body.put(
                    "csv_bonuses",
                    submissionId + "," + BigDecimal.valueOf(cents, 2).toPlainString());
            // A crash after this call leaves a set-up nobody pays: Prolific charges nothing for it.
            String setupId = api.post("/api/v1/submissions/bonus-payments/", body)
                    .path("id")
                    .asText();
            StoredBonus made = new StoredBonus(
                    token,
                    studyId,
                    submissionId,
                    workerId,
                    cents,
                    reason == null ? "" : reason,
                    setupId,
                    "SET_UP",
                    0,
                    Instant.now());
            database.transaction(ProlificMapper.class, m -> m.addBonus(made));
            row = made;
        } else if (row.amountCents() != cents || !row.prolificPid().equals(workerId)) {
            throw new CrowdException(
                    "TokenReused",
                    "token " + token + " already paid " + row.prolificPid() + " " + row.amountCents() + " cents",
                    false,
                    null);
        }
        pay(row);
    }

    /**
     * Pays a set-up once. PAY_SENT is written, with how many bonuses the submission showed before, ahead of the
     * call; a PAY_SENT row is settled by reading the submission's {@code bonus_payments} from Prolific (it
     * documents no way to read a set-up). Prolific pays in the background, so a payment not yet visible within
     * {@code bonusSettleMinutes} of the call is "pending", never paid again.
     */
    private void pay(StoredBonus row) {
        switch (row.state()) {
            case "PAID" -> {
                return;
            }
            case "PAY_SENT" -> {
                if (paid(row)) {
                    database.transaction(ProlificMapper.class, m -> m.setBonusState(row.token(), "PAID"));
                    return;
                }
                long waited =
                        java.time.Duration.between(row.updated(), Instant.now()).toMinutes();
                if (waited < api.settings().bonusSettleMinutes()) {
                    throw new CrowdException(
                            "PaymentPending",
                            "bonus set-up " + row.setupId() + " was sent to pay " + waited + " minutes ago and"
                                    + " Prolific does not show it yet; it is not paid again before "
                                    + api.settings().bonusSettleMinutes() + " minutes",
                            true,
                            null);
                }
            }
            default -> {}
        }
        int before = bonusPayments(row.submissionId()).size();
        database.transaction(ProlificMapper.class, m -> m.markPaySent(row.token(), before));
        api.post("/api/v1/bulk-bonus-payments/" + row.setupId() + "/pay/", ProlificApi.object());
        database.transaction(ProlificMapper.class, m -> m.setBonusState(row.token(), "PAID"));
    }

    /** Whether Prolific shows the bonus: more entries on the submission than before the pay call. */
    private boolean paid(StoredBonus row) {
        return bonusPayments(row.submissionId()).size() > row.paidBefore();
    }

    private List<Long> bonusPayments(String submissionId) {
        List<Long> amounts = new ArrayList<>();
        api.get("/api/v1/submissions/" + submissionId + "/")
                .path("bonus_payments")
                .forEach(b -> amounts.add(b.asLong()));
        return amounts;
    }

    private String studyOf(String submissionId) {
        Arrival arrival = database.transaction(ProlificMapper.class, m -> m.arrival(submissionId));
        if (arrival != null) {
            return arrival.studyId();
        }
        return submission(submissionId)
                .map(Submission::postingId)
                .orElseThrow(() ->
                        new CrowdException("NotFound", "Prolific has no submission " + submissionId, false, null));
    }

    @Override
    public List<Bonus> bonuses(String submissionId) {
        requireId(submissionId, "submissionId");
        List<Bonus> paid = new ArrayList<>();
        for (StoredBonus row : database.transaction(ProlificMapper.class, m -> m.bonusesOf(submissionId))) {
            boolean done = row.state().equals("PAID");
            if (row.state().equals("PAY_SENT") && paid(row)) {
                database.transaction(ProlificMapper.class, m -> m.setBonusState(row.token(), "PAID"));
                done = true;
            }
            if (done) {
                paid.add(new Bonus(row.prolificPid(), submissionId, row.amountCents(), row.reason(), row.updated()));
            }
        }
        return paid;
    }

    @Override
    public Qualification createQualification(String name, String description) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: a participant group needs a name");
        }
        String text = description == null ? "" : description.strip();
        JsonNode group = createGroup(name.strip(), text);
        Qualification made = new Qualification(group.path("id").asText(), name.strip(), text, true, Instant.now());
        CrowdMode mode = mode();
        database.transaction(
                ProlificMapper.class, m -> m.addGroup(made.id(), made.name(), text, mode, "qualification"));
        return made;
    }

    private JsonNode createGroup(String name, String description) {
        ObjectNode body = ProlificApi.object();
        body.put("name", name);
        body.put("description", description);
        body.put("workspace_id", api.settings().workspace());
        return api.post("/api/v1/participant-groups/", body);
    }

    @Override
    public List<Qualification> qualifications(String query) {
        String q = query == null ? "" : query.strip();
        return database.transaction(ProlificMapper.class, m -> m.groups(mode(), q));
    }

    @Override
    public void qualify(String qualificationId, String workerId, int score, boolean notify) {
        requireId(qualificationId, "qualificationId");
        requireId(workerId, "workerId");
        addToGroup(qualificationId, workerId);
    }

    private void addToGroup(String groupId, String workerId) {
        ObjectNode body = ProlificApi.object();
        body.putArray("participant_ids").add(workerId);
        api.post("/api/v1/participant-groups/" + groupId + "/participants/", body);
    }

    @Override
    public Map<String, String> notify(List<String> workerIds, String subject, String message) {
        if (workerIds == null || workerIds.isEmpty()) {
            throw new IllegalArgumentException("workerIds: name at least one participant");
        }
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("message: empty");
        }
        Map<String, String> failed = new LinkedHashMap<>();
        for (String workerId : workerIds) {
            requireId(workerId, "workerId");
            Arrival last = database.transaction(ProlificMapper.class, m -> m.latestArrival(workerId));
            if (last == null) {
                failed.put(workerId, "never took one of our studies, so Prolific lets us not message them");
                continue;
            }
            ObjectNode body = ProlificApi.object();
            body.put("recipient_id", workerId);
            body.put("study_id", last.studyId());
            body.put("body", subject == null || subject.isBlank() ? message : subject.strip() + "\n\n" + message);
            try {
                api.post("/api/v1/messages/", body);
            } catch (CrowdException e) {
                failed.put(workerId, e.getMessage());
            }
        }
        return failed;
    }

    @Override
    public void block(String workerId, String reason) {
        requireId(workerId, "workerId");
        String group = blockedGroup().orElseGet(() -> {
            String id = createGroup("Cohort: blocked", "Participants kept from every Cohort study")
                    .path("id")
                    .asText();
            CrowdMode mode = mode();
            database.transaction(
                    ProlificMapper.class,
                    m -> m.addGroup(
                            id, "Cohort: blocked", "Participants kept from every Cohort study", mode, "blocked"));
            return database.transaction(ProlificMapper.class, m -> m.blockedGroup(mode));
        });
        addToGroup(group, workerId);
    }

    private Optional<String> blockedGroup() {
        CrowdMode mode = mode();
        return Optional.ofNullable(database.transaction(ProlificMapper.class, m -> m.blockedGroup(mode)));
    }

    /** Messages one participant about a study (the tab's message form). */
    void message(String workerId, String studyId, String text) {
        requireId(workerId, "workerId");
        requireId(studyId, "studyId");
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("message: empty");
        }
        ObjectNode body = ProlificApi.object();
        body.put("recipient_id", workerId);
        body.put("study_id", studyId);
        body.put("body", text.strip());
        api.post("/api/v1/messages/", body);
    }

    StoredStudy requireStored(String studyId) {
        StoredStudy row = database.transaction(ProlificMapper.class, m -> m.study(studyId));
        if (row == null) {
            throw new IllegalArgumentException("study " + studyId + " was not made by this Cohort");
        }
        return row;
    }

    static String requireId(String id, String field) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(field + ": '" + id + "' is not a Prolific id");
        }
        return id;
    }
}
