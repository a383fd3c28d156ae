package io.cohort.testkit.mturk;

import static io.cohort.testkit.mturk.RequestFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One requester account's state: balance, HIT types, HITs, assignments, bonuses and idempotency tokens.
 * Every public method runs under the account's lock, so the HTTP threads and the in-code worker side see one history.
 * Money is kept in cents.
 */
final class MTurkAccount {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The system qualification types every account may require (sandbox and production Masters, and the built-ins). */
    private static final Set<String> SYSTEM_QUALIFICATIONS = Set.of(
            "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6",
            "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
            "00000000000000000040",
            "000000000000000000L0",
            "00000000000000000071",
            "00000000000000000060");

    static final String PERCENT_APPROVED = "000000000000000000L0";
    static final String NUMBER_APPROVED = "00000000000000000040";
    static final String LOCALE = "00000000000000000071";
    private static final Map<String, String> SYSTEM_NAMES = Map.of(
            PERCENT_APPROVED,
            "Worker_PercentAssignmentsApproved",
            NUMBER_APPROVED,
            "Worker_NumberHITsApproved",
            LOCALE,
            "Worker_Locale",
            "00000000000000000060",
            "Worker_Adult",
            "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6",
            "Masters (sandbox)",
            "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
            "Masters");
    private static final List<String> COMPARATORS = List.of(
            "LessThan",
            "LessThanOrEqualTo",
            "GreaterThan",
            "GreaterThanOrEqualTo",
            "EqualTo",
            "NotEqualTo",
            "Exists",
            "DoesNotExist",
            "In",
            "NotIn");
    /** From least to most guarded: a requirement at index i guards the actions ACCEPT..i+1. */
    private static final List<String> ACTIONS_GUARDED =
            List.of("Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept");

    private static final int ACCEPT = 1, PREVIEW = 2, DISCOVER = 3;
    private static final List<String> QUALIFICATION_TYPE_STATUSES = List.of("Active", "Inactive");
    private static final Pattern COUNTRY = Pattern.compile("^[A-Z]{2}$");

    private final MTurkClock clock;
    private long availableCents;
    private long onHoldCents;
    private final Map<String, ObjectNode> hitTypes = new HashMap<>();
    private final Map<String, Hit> hits = new LinkedHashMap<>();
    private final Map<String, Assignment> assignments = new LinkedHashMap<>();
    private final List<Bonus> bonuses = new ArrayList<>();
    private final Map<String, String> hitTokens = new HashMap<>();
    private final Set<String> bonusTokens = new HashSet<>();
    private final Set<String> assignmentTokens = new HashSet<>();
    private final Map<String, QualificationType> qualificationTypes = new LinkedHashMap<>();
    /** Qualification type ID → worker ID → the worker's qualification of that type. */
    private final Map<String, Map<String, Qualification>> qualifications = new HashMap<>();

    private final Map<String, String> blocks = new LinkedHashMap<>();
    private final Map<String, WorkerProfile> workers = new HashMap<>();
    private final List<MTurkEmulator.Notification> notifications = new ArrayList<>();

    MTurkAccount(MTurkClock clock, long startingCents) {
        this.clock = clock;
        this.availableCents = startingCents;
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    private static final class Hit {
        String id, typeId, title, description, keywords, question, annotation, externalUrl;
        long rewardCents, feeCentsPerAssignment, assignmentDuration, autoApprovalDelay, created, expiration;
        int maxAssignments;
        JsonNode qualifications;
        boolean disposed, reviewing;
    }

    private static final class Assignment {
        String id, hitId, workerId, status, answer, feedback;
        long accepted, submitted, deadline, autoApproval, approved = -1, rejected = -1;
    }

    private record Bonus(String workerId, long cents, String assignmentId, String reason, long granted) {}

    private static final class QualificationType {
        String id, name, description, keywords, status, test, answerKey;
        long created;
        Long testDuration, retryDelay;
        boolean autoGranted;
        Integer autoGrantedValue;
    }

    private static final class Qualification {
        String typeId, workerId, status;
        int value;
        long granted;
    }

    /** What the system qualifications say about a worker; every worker starts at 100 %, 1000 approved HITs, US. */
    static final class WorkerProfile {
        int percentApproved = 100;
        int numberApproved = 1000;
        String country = "US";
        String subdivision;
    }

    /** A HIT as the worker site lists it. */
    record HitListing(String hitId, String title, String reward, int slotsLeft) {}

    /** An accepted assignment as the worker site lists it. */
    record AcceptedAssignment(String assignmentId, String hitId, String title, long deadlineMillis) {}

    synchronized void setBalance(long cents) {
        availableCents = cents;
    }

    synchronized long availableCents() {
        settle();
        return availableCents;
    }

    synchronized int bonusCount(String workerId) {
        return (int) bonuses.stream().filter(b -> b.workerId.equals(workerId)).count();
    }

    /** Does what the real service does on its own as time passes: abandonment and auto-approval. */
    private void settle() {
        long now = clock.millis();
        // Abandoned: accepted and not submitted within the assignment duration; the slot is free again.
        for (Assignment a : assignments.values()) {
            if (a.status.equals("Accepted") && now >= a.deadline) a.status = "Abandoned";
        }
        for (Assignment a : assignments.values()) {
            if (a.status.equals("Submitted") && now >= a.autoApproval) {
                approve(a, a.autoApproval);
            }
        }
    }

    private void approve(Assignment a, long at) {
        Hit h = hits.get(a.hitId);
        long cost = h.rewardCents + h.feeCentsPerAssignment;
        if (!a.status.equals("Rejected")) {
            onHoldCents -= cost; // reserved at CreateHIT, now paid out
        } else {
            requireFunds(cost);
            availableCents -= cost; // the reserve went back at rejection
        }
        a.status = "Approved";
        a.approved = at;
    }

    private String status(Hit h) {
        if (h.disposed) return "Disposed";
        if (available(h) > 0) return "Assignable";
        if (pending(h) > 0) return "Unassignable";
        return h.reviewing ? "Reviewing" : "Reviewable";
    }

    private boolean expired(Hit h) {
        return clock.millis() >= h.expiration;
    }

    private int pending(Hit h) {
        return (int) assignmentsOf(h, a -> a.status.equals("Accepted")).size();
    }

    private int available(Hit h) {
        if (expired(h)) return 0;
        return h.maxAssignments - assignmentsOf(h, MTurkAccount::holdsSlot).size();
    }

    /** Returned and abandoned assignments give their slot back. */
    private static boolean holdsSlot(Assignment a) {
        return !a.status.equals("Returned") && !a.status.equals("Abandoned");
    }

    /** The requester sees an assignment once it is submitted. */
    private static boolean listed(Assignment a) {
        return a.status.equals("Submitted") || a.status.equals("Approved") || a.status.equals("Rejected");
    }

    private List<Assignment> assignmentsOf(Hit h, Predicate<Assignment> which) {
        List<Assignment> out = new ArrayList<>();
        for (Assignment a : assignments.values()) {
            if (a.hitId.equals(h.id) && which.test(a)) out.add(a);
        }
        return out;
    }

    // ---- worker side, in code --------------------------------------------------------------------------------------

    /** A worker takes a free slot of the HIT; returns the new assignment's ID (Accepted: pending, not listed yet). */
    synchronized String accept(String hitId, String workerId) {
        settle();
        Hit h = hit(hitId);
        requireWorkerId(workerId);
        if (h.disposed) throw MTurkError.request("HITDoesNotExist", "Hit " + hitId + " does not exist.");
        if (blocks.containsKey(workerId)) {
            throw MTurkError.request(
                    "WorkerBlocked", "Worker " + workerId + " is blocked by this requester: " + blocks.get(workerId));
        }
        if (!assignmentsOf(h, a -> a.workerId.equals(workerId) && holdsSlot(a)).isEmpty()) {
            throw MTurkError.request(
                    "WorkerAlreadyAccepted",
                    "Worker " + workerId + " already has an assignment for HIT " + hitId + ".");
        }
        if (!status(h).equals("Assignable")) {
            throw MTurkError.request(
                    "HITNotAssignable", "This HIT is no longer available: HIT " + hitId + " is " + status(h) + ".");
        }
        requireQualified(h, workerId, ACCEPT);
        long now = clock.millis();
        Assignment a = new Assignment();
        a.id = newId();
        a.hitId = hitId;
        a.workerId = workerId;
        a.accepted = now;
        a.deadline = now + h.assignmentDuration * 1000;
        a.status = "Accepted";
        assignments.put(a.id, a);
        return a.id;
    }

    /** The worker submits an accepted assignment before its deadline; it becomes Submitted with {@code answer}. */
    synchronized void submit(String assignmentId, String answer) {
        settle(); // an assignment past its deadline is abandoned here and so no longer found
        Assignment a = assignments.get(assignmentId);
        if (a == null || !a.status.equals("Accepted")) {
            throw MTurkError.request(
                    "AssignmentNotAccepted",
                    "Assignment " + assignmentId + " is not accepted by a worker"
                            + (a == null ? " (unknown, returned or abandoned)." : " (it is " + a.status + ")."));
        }
        long now = clock.millis();
        a.submitted = now;
        a.autoApproval = now + hits.get(a.hitId).autoApprovalDelay * 1000;
        a.answer = answer;
        a.status = "Submitted";
    }

    /** The worker gives an accepted assignment back (Returned); its slot is free again. */
    synchronized void giveBack(String assignmentId, String workerId) {
        settle();
        Assignment a = assignments.get(assignmentId);
        if (a == null || !a.workerId.equals(workerId) || !a.status.equals("Accepted")) {
            throw MTurkError.request(
                    "AssignmentNotAccepted",
                    "Assignment " + assignmentId + " is not accepted by worker " + workerId
                            + (a == null || !a.workerId.equals(workerId)
                                    ? " (unknown to this worker)."
                                    : " (it is " + a.status + ")."));
        }
        a.status = "Returned";
    }

    /** The HITs a worker could accept now: assignable, not taken by the worker already; in creation order. */
    synchronized List<HitListing> assignableHits(String workerId) {
        settle();
        List<HitListing> out = new ArrayList<>();
        for (Hit h : hits.values()) {
            if (status(h).equals("Assignable")
                    && assignmentsOf(h, a -> a.workerId.equals(workerId) && holdsSlot(a))
                            .isEmpty()
                    && !blocks.containsKey(workerId)
                    && qualifies(h, workerId, DISCOVER)) {
                out.add(new HitListing(h.id, h.title, money(h.rewardCents), available(h)));
            }
        }
        return out;
    }

    /** The worker's assignments that are accepted and not yet submitted. */
    synchronized List<AcceptedAssignment> acceptedBy(String workerId) {
        settle();
        List<AcceptedAssignment> out = new ArrayList<>();
        for (Assignment a : assignments.values()) {
            if (a.workerId.equals(workerId) && a.status.equals("Accepted")) {
                out.add(new AcceptedAssignment(a.id, a.hitId, hits.get(a.hitId).title, a.deadline));
            }
        }
        return out;
    }

    /** The ExternalURL a worker is sent to for the HIT. */
    synchronized String externalUrlOf(String hitId) {
        return externalUrlFor(hit(hitId));
    }

    /** The ExternalURL to preview the HIT at, if the worker (null: not signed in) meets the requirements guarding preview. */
    synchronized String previewUrlOf(String hitId, String workerId) {
        Hit h = hit(hitId);
        if (workerId != null) requireQualified(h, workerId, PREVIEW);
        return externalUrlFor(h);
    }

    private static String externalUrlFor(Hit h) {
        if (h.disposed) throw MTurkError.request("HITDoesNotExist", "Hit " + h.id + " does not exist.");
        if (h.externalUrl == null) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    "HIT " + h.id + " has no ExternalQuestion; the worker site shows only those.");
        }
        return h.externalUrl;
    }

    /** An assignment's status as the worker side knows it (Accepted, Returned, Abandoned too), or null if unknown. */
    synchronized String assignmentStatus(String assignmentId) {
        settle();
        Assignment a = assignments.get(assignmentId);
        return a == null ? null : a.status;
    }

    /** Assignment ID → how many bonuses it was paid. */
    synchronized Map<String, Integer> bonusesPerAssignment() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        bonuses.forEach(b -> out.merge(b.assignmentId, 1, Integer::sum));
        return out;
    }

    synchronized long bonusTotalCents() {
        return bonuses.stream().mapToLong(Bonus::cents).sum();
    }

    synchronized void changeProfile(String workerId, java.util.function.Consumer<WorkerProfile> change) {
        requireWorkerId(workerId);
        change.accept(workers.computeIfAbsent(workerId, id -> new WorkerProfile()));
    }

    synchronized List<MTurkEmulator.Notification> notifications() {
        return List.copyOf(notifications);
    }

    // ---- operations ------------------------------------------------------------------------------------------------

    synchronized ObjectNode getAccountBalance(JsonNode in) {
        settle();
        ObjectNode out = JSON.createObjectNode();
        out.put("AvailableBalance", money(availableCents));
        out.put("OnHoldBalance", money(onHoldCents));
        return out;
    }

    synchronized ObjectNode createHITType(JsonNode in) {
        ObjectNode type = JSON.createObjectNode();
        type.put("Title", required(in, "Title"));
        type.put("Description", required(in, "Description"));
        type.put("Reward", money(parseMoney(in, "Reward")));
        type.put("AssignmentDurationInSeconds", requiredLong(in, "AssignmentDurationInSeconds", 30, 31_536_000));
        type.put("AutoApprovalDelayInSeconds", optionalLong(in, "AutoApprovalDelayInSeconds", 2_592_000, 0, 2_592_000));
        if (in.hasNonNull("Keywords")) type.put("Keywords", in.get("Keywords").asText());
        if (in.hasNonNull("QualificationRequirements")) {
            type.set("QualificationRequirements", checkQualifications(in.get("QualificationRequirements")));
        }
        // Same properties → same type, as the real service answers.
        for (Map.Entry<String, ObjectNode> e : hitTypes.entrySet()) {
            if (e.getValue().equals(type)) return JSON.createObjectNode().put("HITTypeId", e.getKey());
        }
        String id = newId();
        hitTypes.put(id, type);
        return JSON.createObjectNode().put("HITTypeId", id);
    }

    synchronized ObjectNode createHIT(ObjectNode in) {
        ObjectNode type = (ObjectNode) createHITType(in);
        ObjectNode withType = in.deepCopy();
        return createHITWithHITType(
                withType.put("HITTypeId", type.get("HITTypeId").asText()));
    }

    synchronized ObjectNode createHITWithHITType(JsonNode in) {
        settle();
        String typeId = requireId(in, "HITTypeId");
        ObjectNode type = hitTypes.get(typeId);
        if (type == null) {
            throw MTurkError.request("HITTypeDoesNotExist", "HITType " + typeId + " does not exist.");
        }
        long lifetime = requiredLong(in, "LifetimeInSeconds", 30, 31_536_000);
        int max = (int) optionalLong(in, "MaxAssignments", 1, 1, 1_000_000_000);
        boolean question = in.hasNonNull("Question");
        if (question == in.hasNonNull("HITLayoutId")) {
            throw MTurkError.request("AWS.MissingParameters", "Exactly one of Question or HITLayoutId must be given.");
        }
        String externalUrl = question ? externalUrl(in.get("Question").asText()) : null;
        String token = in.hasNonNull("UniqueRequestToken")
                ? in.get("UniqueRequestToken").asText()
                : null;
        if (token != null && hitTokens.containsKey(token)) {
            throw MTurkError.request(
                    "HitAlreadyExists",
                    "The HIT with ID \"" + hitTokens.get(token) + "\" already exists for the UniqueRequestToken \""
                            + token + "\".");
        }
        long reward = parseMoney(type.get("Reward").asText(), "Reward");
        long fee = Math.max(1, (reward * (max >= 10 ? 40 : 20) + 50) / 100);
        long reserve = (reward + fee) * max;
        requireFunds(reserve);

        long now = clock.millis();
        Hit h = new Hit();
        h.id = newId();
        h.typeId = typeId;
        h.title = type.get("Title").asText();
        h.description = type.get("Description").asText();
        h.keywords = type.hasNonNull("Keywords") ? type.get("Keywords").asText() : null;
        h.qualifications = type.get("QualificationRequirements");
        h.rewardCents = reward;
        h.feeCentsPerAssignment = fee;
        h.assignmentDuration = type.get("AssignmentDurationInSeconds").asLong();
        h.autoApprovalDelay = type.get("AutoApprovalDelayInSeconds").asLong();
        h.question = question ? in.get("Question").asText() : null;
        h.externalUrl = externalUrl;
        h.annotation = in.hasNonNull("RequesterAnnotation")
                ? in.get("RequesterAnnotation").asText()
                : null;
        h.maxAssignments = max;
        h.created = now;
        h.expiration = now + lifetime * 1000;
        availableCents -= reserve;
        onHoldCents += reserve;
        hits.put(h.id, h);
        if (token != null) hitTokens.put(token, h.id);
        return hitResponse(h);
    }

    synchronized ObjectNode getHIT(JsonNode in) {
        settle();
        return hitResponse(hit(requireId(in, "HITId")));
    }

    synchronized ObjectNode listHITs(JsonNode in) {
        settle();
        List<Hit> live = hits.values().stream().filter(h -> !h.disposed).toList();
        return page(in, live, "HITs", this::hitJson);
    }

    synchronized ObjectNode updateExpirationForHIT(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        if (!in.hasNonNull("ExpireAt")) throw missing("ExpireAt");
        if (h.disposed) throw wrongHitState(h, "Assignable, Unassignable, Reviewable, Reviewing");
        long at = Math.round(in.get("ExpireAt").asDouble() * 1000);
        h.expiration = Math.max(at, clock.millis() - 1); // a time in the past (clients send 0) means now
        if (!expired(h)) h.reviewing = false;
        return JSON.createObjectNode();
    }

    synchronized ObjectNode createAdditionalAssignmentsForHIT(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        int more = (int) requiredLong(in, "NumberOfAdditionalAssignments", 1, 1_000_000_000);
        String token = in.hasNonNull("UniqueRequestToken")
                ? in.get("UniqueRequestToken").asText()
                : null;
        if (token != null && assignmentTokens.contains(token)) throw tokenUsed(token);
        if (h.disposed) throw wrongHitState(h, "Assignable, Unassignable, Reviewable, Reviewing");
        if (h.maxAssignments < 10 && h.maxAssignments + more >= 10) {
            throw MTurkError.request(
                    "InvalidMaximumAssignmentsIncrease",
                    "HIT " + h.id + " has " + h.maxAssignments + " assignments; it cannot be extended to "
                            + (h.maxAssignments + more) + " (10 or more).");
        }
        long reserve = (h.rewardCents + h.feeCentsPerAssignment) * more;
        requireFunds(reserve);
        availableCents -= reserve;
        onHoldCents += reserve;
        h.maxAssignments += more;
        h.reviewing = false;
        if (token != null) assignmentTokens.add(token);
        return JSON.createObjectNode();
    }

    synchronized ObjectNode deleteHIT(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        String state = status(h);
        boolean deletable = (state.equals("Reviewable") || state.equals("Reviewing"))
                && assignmentsOf(h, a -> a.status.equals("Submitted")).isEmpty();
        if (!deletable) throw wrongHitState(h, "Reviewing, Reviewable");
        // The reserve of slots never taken goes back to the available balance.
        long unused = (long) (h.maxAssignments
                        - assignmentsOf(h, MTurkAccount::holdsSlot).size())
                * (h.rewardCents + h.feeCentsPerAssignment);
        onHoldCents -= unused;
        availableCents += unused;
        h.disposed = true;
        return JSON.createObjectNode();
    }

    synchronized ObjectNode listAssignmentsForHIT(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        Set<String> statuses = new HashSet<>();
        if (in.hasNonNull("AssignmentStatuses")) {
            for (JsonNode s : in.get("AssignmentStatuses")) {
                String v = s.asText();
                if (!Set.of("Submitted", "Approved", "Rejected").contains(v)) {
                    throw MTurkError.request(
                            "AWS.ParameterOutOfRange",
                            "AssignmentStatuses: '" + v + "' is not one of Submitted, Approved, Rejected.");
                }
                statuses.add(v);
            }
        }
        List<Assignment> list = assignmentsOf(h, a -> listed(a) && (statuses.isEmpty() || statuses.contains(a.status)));
        return page(in, list, "Assignments", this::assignmentJson);
    }

    synchronized ObjectNode getAssignment(JsonNode in) {
        settle();
        Assignment a = assignment(requireId(in, "AssignmentId"));
        ObjectNode out = JSON.createObjectNode();
        out.set("Assignment", assignmentJson(a));
        out.set("HIT", hitJson(hits.get(a.hitId)));
        return out;
    }

    synchronized ObjectNode approveAssignment(JsonNode in) {
        settle();
        Assignment a = assignment(requireId(in, "AssignmentId"));
        boolean override = in.path("OverrideRejection").asBoolean(false);
        boolean allowed = a.status.equals("Submitted") || (override && a.status.equals("Rejected"));
        if (!allowed) {
            throw MTurkError.request(
                    "InvalidAssignmentState",
                    "This operation can be called with a status of: " + (override ? "Submitted, Rejected" : "Submitted")
                            + " (assignment " + a.id + " is " + a.status + ")");
        }
        if (in.hasNonNull("RequesterFeedback")) a.feedback = feedback(in);
        approve(a, clock.millis());
        return JSON.createObjectNode();
    }

    synchronized ObjectNode rejectAssignment(JsonNode in) {
        settle();
        Assignment a = assignment(requireId(in, "AssignmentId"));
        String feedback = feedback(in);
        if (!a.status.equals("Submitted")) {
            throw MTurkError.request(
                    "InvalidAssignmentState",
                    "This operation can be called with a status of: Submitted" + " (assignment " + a.id + " is "
                            + a.status + ")");
        }
        Hit h = hits.get(a.hitId);
        long reserve = h.rewardCents + h.feeCentsPerAssignment;
        onHoldCents -= reserve;
        availableCents += reserve;
        a.status = "Rejected";
        a.rejected = clock.millis();
        a.feedback = feedback;
        return JSON.createObjectNode();
    }

    synchronized ObjectNode sendBonus(JsonNode in) {
        settle();
        String workerId = required(in, "WorkerId");
        requireWorkerId(workerId);
        long cents = parseMoney(in, "BonusAmount");
        String reason = required(in, "Reason");
        Assignment a = assignment(requireId(in, "AssignmentId"));
        String token = in.hasNonNull("UniqueRequestToken")
                ? in.get("UniqueRequestToken").asText()
                : null;
        if (token != null && bonusTokens.contains(token)) throw tokenUsed(token);
        if (!a.workerId.equals(workerId)) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", "Assignment " + a.id + " does not belong to worker " + workerId + ".");
        }
        if (cents <= 0) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    "BonusAmount must be more than 0.00 (was "
                            + in.get("BonusAmount").asText() + ").");
        }
        long fee = Math.max(1, (cents * 20 + 50) / 100);
        requireFunds(cents + fee);
        availableCents -= cents + fee;
        bonuses.add(new Bonus(workerId, cents, a.id, reason, clock.millis()));
        if (token != null) bonusTokens.add(token);
        return JSON.createObjectNode();
    }

    synchronized ObjectNode listBonusPayments(JsonNode in) {
        settle();
        boolean byHit = in.hasNonNull("HITId"), byAssignment = in.hasNonNull("AssignmentId");
        if (byHit == byAssignment) {
            throw MTurkError.request("AWS.MissingParameters", "Exactly one of HITId or AssignmentId must be given.");
        }
        Predicate<Bonus> which;
        if (byHit) {
            String hitId = hit(requireId(in, "HITId")).id;
            which = b -> assignments.get(b.assignmentId).hitId.equals(hitId);
        } else {
            String assignmentId = assignment(requireId(in, "AssignmentId")).id;
            which = b -> b.assignmentId.equals(assignmentId);
        }
        return page(in, bonuses.stream().filter(which).toList(), "BonusPayments", b -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("WorkerId", b.workerId);
            o.put("BonusAmount", money(b.cents));
            o.put("AssignmentId", b.assignmentId);
            o.put("Reason", b.reason);
            o.put("GrantTime", seconds(b.granted));
            return o;
        });
    }

    synchronized ObjectNode updateHITReviewStatus(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        String state = status(h);
        if (!state.equals("Reviewable") && !state.equals("Reviewing")) throw wrongHitState(h, "Reviewable, Reviewing");
        h.reviewing = !in.path("Revert").asBoolean(false);
        return JSON.createObjectNode();
    }

    synchronized ObjectNode listReviewableHITs(JsonNode in) {
        settle();
        String typeId = in.hasNonNull("HITTypeId") ? requireId(in, "HITTypeId") : null;
        String state = oneOf(in, "Status", List.of("Reviewable", "Reviewing"), "Reviewable");
        List<Hit> list = hits.values().stream()
                .filter(h -> status(h).equals(state) && (typeId == null || h.typeId.equals(typeId)))
                .toList();
        return page(in, list, "HITs", this::hitJson);
    }

    // ---- qualifications, blocks, notifications ---------------------------------------------------------------------

    synchronized ObjectNode createQualificationType(JsonNode in) {
        String name = required(in, "Name");
        String description = required(in, "Description");
        if (description.length() > 2000) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "Description is longer than 2000 characters.");
        }
        String status = oneOf(in, "QualificationTypeStatus", QUALIFICATION_TYPE_STATUSES, null);
        if (status == null) throw missing("QualificationTypeStatus");
        for (QualificationType other : qualificationTypes.values()) {
            if (other.name.equals(name)) {
                throw MTurkError.request(
                        "QualificationTypeAlreadyExists",
                        "You have already created a QualificationType with this name. A"
                                + " QualificationType's name must be unique among all of the QualificationTypes created by the same user: '"
                                + name + "' is " + other.id + ".");
            }
        }
        QualificationType t = new QualificationType();
        t.name = name;
        t.description = description;
        t.keywords = in.hasNonNull("Keywords") ? in.get("Keywords").asText() : null;
        t.status = status;
        applyQualificationSettings(t, in);
        t.id = newId();
        t.created = clock.millis();
        qualificationTypes.put(t.id, t);
        return qualificationTypeResponse(t);
    }

    synchronized ObjectNode getQualificationType(JsonNode in) {
        String id = requireId(in, "QualificationTypeId");
        if (SYSTEM_NAMES.containsKey(id)) {
            QualificationType system = new QualificationType();
            system.id = id;
            system.name = SYSTEM_NAMES.get(id);
            system.description = "A qualification the system keeps for every worker.";
            system.status = "Active";
            return qualificationTypeResponse(system);
        }
        return qualificationTypeResponse(qualificationType(id));
    }

    synchronized ObjectNode listQualificationTypes(JsonNode in) {
        if (!in.hasNonNull("MustBeRequestable")) throw missing("MustBeRequestable");
        boolean requestable = in.get("MustBeRequestable").asBoolean();
        String query = in.hasNonNull("Query") ? in.get("Query").asText().toLowerCase(java.util.Locale.ROOT) : "";
        List<QualificationType> list = qualificationTypes.values().stream()
                .filter(t -> !requestable || t.status.equals("Active"))
                .filter(t -> (t.name + " " + t.description + " " + (t.keywords == null ? "" : t.keywords))
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains(query))
                .toList();
        return page(in, list, "QualificationTypes", this::qualificationTypeJson);
    }

    synchronized ObjectNode updateQualificationType(JsonNode in) {
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        String description =
                in.hasNonNull("Description") ? in.get("Description").asText() : t.description;
        String status = oneOf(in, "QualificationTypeStatus", QUALIFICATION_TYPE_STATUSES, t.status);
        applyQualificationSettings(t, in); // validates before anything below changes
        t.description = description;
        t.status = status;
        return qualificationTypeResponse(t);
    }

    synchronized ObjectNode deleteQualificationType(JsonNode in) {
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        qualificationTypes.remove(t.id); // workers keep their scores, as the real service does
        return JSON.createObjectNode();
    }

    synchronized ObjectNode associateQualificationWithWorker(JsonNode in) {
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        String workerId = requireWorkerId(in, "WorkerId");
        int value = (int) optionalLong(in, "IntegerValue", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        Qualification q = new Qualification();
        q.typeId = t.id;
        q.workerId = workerId;
        q.status = "Granted";
        q.value = value;
        q.granted = clock.millis();
        qualifications.computeIfAbsent(t.id, id -> new LinkedHashMap<>()).put(workerId, q);
        // The API reference: "this is true by default".
        if (in.path("SendNotification").asBoolean(true)) {
            notifications.add(new MTurkEmulator.Notification(
                    workerId, "You have been granted the qualification " + t.name, t.description));
        }
        return JSON.createObjectNode();
    }

    synchronized ObjectNode disassociateQualificationFromWorker(JsonNode in) {
        String workerId = requireWorkerId(in, "WorkerId");
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        heldQualification(t, workerId).status = "Revoked";
        return JSON.createObjectNode();
    }

    synchronized ObjectNode listWorkersWithQualificationType(JsonNode in) {
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        String status = oneOf(in, "Status", List.of("Granted", "Revoked"), null);
        List<Qualification> list = qualifications.getOrDefault(t.id, Map.of()).values().stream()
                .filter(q -> status == null || q.status.equals(status))
                .toList();
        return page(in, list, "Qualifications", this::qualificationJson);
    }

    synchronized ObjectNode getQualificationScore(JsonNode in) {
        QualificationType t = qualificationType(requireId(in, "QualificationTypeId"));
        String workerId = requireWorkerId(in, "WorkerId");
        return wrapped("Qualification", qualificationJson(heldQualification(t, workerId)));
    }

    synchronized ObjectNode notifyWorkers(JsonNode in) {
        String subject = required(in, "Subject");
        String message = required(in, "MessageText");
        if (subject.length() > 200)
            throw MTurkError.request("AWS.ParameterOutOfRange", "Subject is longer than 200 characters.");
        if (message.length() > 4096)
            throw MTurkError.request("AWS.ParameterOutOfRange", "MessageText is longer than 4096 characters.");
        JsonNode ids = in.path("WorkerIds");
        if (!ids.isArray() || ids.isEmpty()) throw missing("WorkerIds");
        if (ids.size() > 100) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", "WorkerIds: at most 100 workers per call (got " + ids.size() + ").");
        }
        List<String> workerIds = new ArrayList<>();
        for (JsonNode id : ids) {
            requireWorkerId(id.asText());
            workerIds.add(id.asText());
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode failures = out.putArray("NotifyWorkersFailureStatuses");
        for (String workerId : workerIds) {
            // Only workers who have done work for this requester can be written to.
            if (assignments.values().stream().noneMatch(a -> a.workerId.equals(workerId) && listed(a))) {
                failures.addObject()
                        .put("NotifyWorkersFailureCode", "HardFailure")
                        .put(
                                "NotifyWorkersFailureMessage",
                                "Cannot send notification because you have never worked with worker " + workerId + ".")
                        .put("WorkerId", workerId);
            } else {
                notifications.add(new MTurkEmulator.Notification(workerId, subject, message));
            }
        }
        return out;
    }

    synchronized ObjectNode createWorkerBlock(JsonNode in) {
        String workerId = requireWorkerId(in, "WorkerId");
        blocks.put(workerId, required(in, "Reason"));
        return JSON.createObjectNode();
    }

    synchronized ObjectNode deleteWorkerBlock(JsonNode in) {
        String workerId = requireWorkerId(in, "WorkerId");
        blocks.remove(workerId); // unblocking a worker who is not blocked succeeds, as the real service does
        return JSON.createObjectNode();
    }

    synchronized ObjectNode listWorkerBlocks(JsonNode in) {
        List<Map.Entry<String, String>> list = List.copyOf(blocks.entrySet());
        return page(
                in,
                list,
                "WorkerBlocks",
                e -> JSON.createObjectNode().put("WorkerId", e.getKey()).put("Reason", e.getValue()));
    }

    private QualificationType qualificationType(String id) {
        QualificationType t = qualificationTypes.get(id);
        if (t == null) {
            throw MTurkError.request(
                    "QualificationTypeDoesNotExist", "You requested a Qualification that does not exist: " + id + ".");
        }
        return t;
    }

    private Qualification heldQualification(QualificationType t, String workerId) {
        Qualification q = qualifications.getOrDefault(t.id, Map.of()).get(workerId);
        if (q == null) {
            throw MTurkError.request(
                    "QualificationDoesNotExist",
                    "You requested a Qualification that does not exist: worker " + workerId
                            + " has no qualification of type " + t.id + ".");
        }
        return q;
    }

    /** Test, AnswerKey, durations and auto-granting, shared by create and update; checks everything before changing {@code t}. */
    private static void applyQualificationSettings(QualificationType t, JsonNode in) {
        String test = in.hasNonNull("Test") ? in.get("Test").asText() : t.test;
        Long duration = in.hasNonNull("TestDurationInSeconds")
                ? Long.valueOf(optionalLong(in, "TestDurationInSeconds", 0, 1, Long.MAX_VALUE))
                : t.testDuration;
        Long retry = in.hasNonNull("RetryDelayInSeconds")
                ? Long.valueOf(optionalLong(in, "RetryDelayInSeconds", 0, 0, Long.MAX_VALUE))
                : t.retryDelay;
        String answerKey = in.hasNonNull("AnswerKey") ? in.get("AnswerKey").asText() : t.answerKey;
        boolean autoGranted =
                in.hasNonNull("AutoGranted") ? in.get("AutoGranted").asBoolean() : t.autoGranted;
        Integer autoValue = in.hasNonNull("AutoGrantedValue")
                ? Integer.valueOf((int) optionalLong(in, "AutoGrantedValue", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
                : t.autoGrantedValue;
        if (test != null && duration == null) throw missing("TestDurationInSeconds");
        if (answerKey != null && test == null) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "AnswerKey is given without a Test.");
        }
        if (test != null && autoGranted) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange", "A QualificationType with a Test cannot also be AutoGranted.");
        }
        t.test = test;
        t.testDuration = duration;
        t.retryDelay = retry;
        t.answerKey = answerKey;
        t.autoGranted = autoGranted;
        t.autoGrantedValue = autoGranted ? (autoValue == null ? Integer.valueOf(1) : autoValue) : null;
    }

    /** An optional enum-valued field: its value, {@code absent} when not given, an error naming the choices otherwise. */
    private static String oneOf(JsonNode in, String field, List<String> choices, String absent) {
        if (!in.hasNonNull(field)) return absent;
        String v = in.get(field).asText();
        if (!choices.contains(v)) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    field + " '" + v + "' is not one of " + String.join(", ", choices) + ".");
        }
        return v;
    }

    // ---- JSON ------------------------------------------------------------------------------------------------------

    /** {@code {field: value}}, the form of the Get/Create answers. */
    private static ObjectNode wrapped(String field, ObjectNode value) {
        ObjectNode out = JSON.createObjectNode();
        out.set(field, value);
        return out;
    }

    private ObjectNode qualificationTypeResponse(QualificationType t) {
        return wrapped("QualificationType", qualificationTypeJson(t));
    }

    private ObjectNode qualificationTypeJson(QualificationType t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("QualificationTypeId", t.id);
        if (t.created > 0) o.put("CreationTime", seconds(t.created));
        o.put("Name", t.name);
        o.put("Description", t.description);
        if (t.keywords != null) o.put("Keywords", t.keywords);
        o.put("QualificationTypeStatus", t.status);
        if (t.test != null) o.put("Test", t.test);
        if (t.testDuration != null) o.put("TestDurationInSeconds", t.testDuration);
        if (t.answerKey != null) o.put("AnswerKey", t.answerKey);
        if (t.retryDelay != null) o.put("RetryDelayInSeconds", t.retryDelay);
        o.put("IsRequestable", t.created > 0); // system types are kept by the system, never requested
        o.put("AutoGranted", t.autoGranted);
        if (t.autoGrantedValue != null) o.put("AutoGrantedValue", t.autoGrantedValue);
        return o;
    }

    private ObjectNode qualificationJson(Qualification q) {
        ObjectNode o = JSON.createObjectNode();
        o.put("QualificationTypeId", q.typeId);
        o.put("WorkerId", q.workerId);
        o.put("GrantTime", seconds(q.granted));
        o.put("IntegerValue", q.value);
        o.put("Status", q.status);
        return o;
    }

    private ObjectNode hitResponse(Hit h) {
        return wrapped("HIT", hitJson(h));
    }

    private ObjectNode hitJson(Hit h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("HITId", h.id);
        o.put("HITTypeId", h.typeId);
        o.put("HITGroupId", h.typeId);
        o.put("CreationTime", seconds(h.created));
        o.put("Title", h.title);
        o.put("Description", h.description);
        if (h.question != null) o.put("Question", h.question);
        if (h.keywords != null) o.put("Keywords", h.keywords);
        o.put("HITStatus", status(h));
        o.put("MaxAssignments", h.maxAssignments);
        o.put("Reward", money(h.rewardCents));
        o.put("AutoApprovalDelayInSeconds", h.autoApprovalDelay);
        o.put("Expiration", seconds(h.expiration));
        o.put("AssignmentDurationInSeconds", h.assignmentDuration);
        if (h.annotation != null) o.put("RequesterAnnotation", h.annotation);
        o.set("QualificationRequirements", h.qualifications == null ? JSON.createArrayNode() : h.qualifications);
        o.put("HITReviewStatus", "NotReviewed");
        o.put("NumberOfAssignmentsPending", pending(h));
        o.put("NumberOfAssignmentsAvailable", available(h));
        o.put(
                "NumberOfAssignmentsCompleted",
                assignmentsOf(h, a -> a.status.equals("Approved") || a.status.equals("Rejected"))
                        .size());
        return o;
    }

    private ObjectNode assignmentJson(Assignment a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("AssignmentId", a.id);
        o.put("WorkerId", a.workerId);
        o.put("HITId", a.hitId);
        o.put("AssignmentStatus", a.status);
        o.put("AutoApprovalTime", seconds(a.autoApproval));
        o.put("AcceptTime", seconds(a.accepted));
        o.put("SubmitTime", seconds(a.submitted));
        if (a.approved >= 0) o.put("ApprovalTime", seconds(a.approved));
        if (a.rejected >= 0) o.put("RejectionTime", seconds(a.rejected));
        o.put("Deadline", seconds(a.deadline));
        if (a.answer != null) o.put("Answer", a.answer);
        if (a.feedback != null) o.put("RequesterFeedback", a.feedback);
        return o;
    }

    /** One page of {@code items}; NextToken is the offset of the next page, absent on the last. */
    private <T> ObjectNode page(
            JsonNode in, List<T> items, String field, java.util.function.Function<T, ObjectNode> json) {
        int max = (int) optionalLong(in, "MaxResults", 10, 1, 100);
        int from = 0;
        if (in.hasNonNull("NextToken")) {
            String token = in.get("NextToken").asText();
            try {
                from = Integer.parseInt(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                from = -1;
            }
            if (from < 0 || from > items.size()) {
                throw MTurkError.request("AWS.ParameterOutOfRange", "NextToken '" + token + "' is not valid.");
            }
        }
        int to = Math.min(items.size(), from + max);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode array = out.putArray(field);
        for (T item : items.subList(from, to)) array.add(json.apply(item));
        out.put("NumResults", to - from);
        if (to < items.size()) {
            out.put(
                    "NextToken",
                    Base64.getEncoder().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    // ---- the rest of the API ---------------------------------------------------------------------------------------

    /** Notification settings per HIT type (UpdateNotificationSettings); the emulator sends none. */
    private final Map<String, ObjectNode> notificationSettings = new HashMap<>();

    /** The HITs (not disposed) whose requirements name the qualification type. */
    synchronized ObjectNode listHITsForQualificationType(JsonNode in) {
        settle();
        String typeId = requireId(in, "QualificationTypeId");
        qualificationType(typeId);
        List<Hit> requiring = hits.values().stream()
                .filter(h -> !h.disposed && h.qualifications != null)
                .filter(h -> {
                    for (JsonNode r : h.qualifications) {
                        if (typeId.equals(r.path("QualificationTypeId").asText())) return true;
                    }
                    return false;
                })
                .toList();
        return page(in, requiring, "HITs", this::hitJson);
    }

    /**
     * The HIT takes the new type's title, description, keywords, requirements, duration and approval delay. A type
     * with another reward is refused: the emulator keeps a HIT's reserve as it was made.
     */
    synchronized ObjectNode updateHITTypeOfHIT(JsonNode in) {
        settle();
        Hit h = hit(requireId(in, "HITId"));
        String typeId = requireId(in, "HITTypeId");
        ObjectNode type = hitTypes.get(typeId);
        if (type == null) {
            throw MTurkError.request("HITTypeDoesNotExist", "HITType " + typeId + " does not exist.");
        }
        if (h.disposed) throw wrongHitState(h, "Assignable, Unassignable, Reviewable, Reviewing");
        if (parseMoney(type.get("Reward").asText(), "Reward") != h.rewardCents) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    "HITType " + typeId + " has another reward than HIT " + h.id
                            + "; the emulator does not change a HIT's reward.");
        }
        h.typeId = typeId;
        h.title = type.get("Title").asText();
        h.description = type.get("Description").asText();
        h.keywords = type.hasNonNull("Keywords") ? type.get("Keywords").asText() : null;
        h.qualifications = type.get("QualificationRequirements");
        h.assignmentDuration = type.get("AssignmentDurationInSeconds").asLong();
        h.autoApprovalDelay = type.get("AutoApprovalDelayInSeconds").asLong();
        return JSON.createObjectNode();
    }

    /** The emulator runs no review policies: a HIT's results are empty. */
    synchronized ObjectNode listReviewPolicyResultsForHIT(JsonNode in) {
        Hit h = hit(requireId(in, "HITId"));
        return JSON.createObjectNode().put("HITId", h.id);
    }

    /** Checks the notification as the service would before sending a test event; the emulator sends nothing. */
    synchronized ObjectNode sendTestEventNotification(JsonNode in) {
        JsonNode n = in.path("Notification");
        if (!n.isObject()) throw missing("Notification");
        for (String field : List.of("Destination", "Transport", "Version", "EventTypes")) {
            if (!n.hasNonNull(field)) throw missing("Notification." + field);
        }
        required(in, "TestEventType");
        return JSON.createObjectNode();
    }

    synchronized ObjectNode updateNotificationSettings(JsonNode in) {
        String typeId = requireId(in, "HITTypeId");
        if (!hitTypes.containsKey(typeId)) {
            throw MTurkError.request("HITTypeDoesNotExist", "HITType " + typeId + " does not exist.");
        }
        ObjectNode settings = notificationSettings.computeIfAbsent(typeId, t -> JSON.createObjectNode());
        if (in.has("Notification")) settings.set("Notification", in.get("Notification"));
        if (in.has("Active")) settings.put("Active", in.get("Active").asBoolean());
        return JSON.createObjectNode();
    }

    /** Answers on the emulator are free text (externalSubmit's fields): no assignment has a file upload answer. */
    synchronized ObjectNode getFileUploadURL(JsonNode in) {
        Assignment a = assignment(requireId(in, "AssignmentId"));
        String question = required(in, "QuestionIdentifier");
        throw MTurkError.request(
                "AWS.ParameterOutOfRange",
                "Assignment " + a.id + " has no file upload answer for question " + question + ".");
    }

    /** A worker's request for a qualification, waiting for the requester to accept or reject it. */
    private record QualificationRequest(String id, String typeId, String workerId, String answer, long submitted) {}

    /** By ID, oldest first; gone once accepted or rejected. */
    private final Map<String, QualificationRequest> qualificationRequests = new LinkedHashMap<>();

    /** The worker side, in code: the worker asks for an active qualification type; returns the request's ID. */
    synchronized String requestQualification(String workerId, String typeId, String answer) {
        requireWorkerId(workerId);
        QualificationType t = qualificationType(typeId);
        if (!t.status.equals("Active")) {
            throw MTurkError.request(
                    "QualificationTypeNotActive",
                    "QualificationType " + typeId + " is not active: it cannot be requested.");
        }
        QualificationRequest r = new QualificationRequest(newId(), typeId, workerId, answer, clock.millis());
        qualificationRequests.put(r.id(), r);
        return r.id();
    }

    synchronized ObjectNode listQualificationRequests(JsonNode in) {
        String typeId = in.hasNonNull("QualificationTypeId") ? requireId(in, "QualificationTypeId") : null;
        if (typeId != null) qualificationType(typeId);
        List<QualificationRequest> list = qualificationRequests.values().stream()
                .filter(r -> typeId == null || r.typeId().equals(typeId))
                .toList();
        return page(in, list, "QualificationRequests", r -> {
            ObjectNode o = JSON.createObjectNode()
                    .put("QualificationRequestId", r.id())
                    .put("QualificationTypeId", r.typeId())
                    .put("WorkerId", r.workerId())
                    .put("SubmitTime", seconds(r.submitted()));
            if (r.answer() != null) o.put("Answer", r.answer());
            return o;
        });
    }

    /** Grants the requested qualification (IntegerValue, 1 by default) and closes the request. */
    synchronized ObjectNode acceptQualificationRequest(JsonNode in) {
        QualificationRequest r = qualificationRequest(in);
        int value = (int) optionalLong(in, "IntegerValue", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        qualificationType(r.typeId()); // deleted since: nothing to grant
        Qualification q = new Qualification();
        q.typeId = r.typeId();
        q.workerId = r.workerId();
        q.status = "Granted";
        q.value = value;
        q.granted = clock.millis();
        qualifications.computeIfAbsent(r.typeId(), id -> new LinkedHashMap<>()).put(r.workerId(), q);
        qualificationRequests.remove(r.id());
        return JSON.createObjectNode();
    }

    synchronized ObjectNode rejectQualificationRequest(JsonNode in) {
        qualificationRequests.remove(qualificationRequest(in).id());
        return JSON.createObjectNode();
    }

    private QualificationRequest qualificationRequest(JsonNode in) {
        String id = required(in, "QualificationRequestId");
        QualificationRequest r = qualificationRequests.get(id);
        if (r == null) throw noQualificationRequest(id);
        return r;
    }

    private static MTurkError noQualificationRequest(String id) {
        return MTurkError.request(
                "QualificationRequestDoesNotExist", "QualificationRequest " + id + " does not exist.");
    }

    // ---- validation ------------------------------------------------------------------------------------------------

    private Hit hit(String id) {
        Hit h = hits.get(id);
        if (h == null) throw MTurkError.request("HITDoesNotExist", "Hit " + id + " does not exist.");
        return h;
    }

    private Assignment assignment(String id) {
        Assignment a = assignments.get(id);
        if (a == null || !listed(a)) {
            throw MTurkError.request("AssignmentDoesNotExist", "Assignment " + id + " does not exist.");
        }
        return a;
    }

    private MTurkError wrongHitState(Hit h, String allowed) {
        return MTurkError.request(
                "InvalidHITState",
                "This HIT is currently in the state '" + status(h)
                        + "'.  This operation can be called with a status of: " + allowed);
    }

    private static MTurkError tokenUsed(String token) {
        return MTurkError.request(
                "IdempotencyTokenAlreadyProcessed",
                "The idempotency token \"" + token + "\" has already been processed.");
    }

    private void requireFunds(long cents) {
        if (cents > availableCents) {
            throw MTurkError.request(
                    "InsufficientFunds",
                    "This Requester has insufficient funds in their account to complete this transaction: needs "
                            + money(cents) + ", has " + money(availableCents) + ".");
        }
    }

    private JsonNode checkQualifications(JsonNode list) {
        if (!list.isArray() || list.size() > 10) {
            throw MTurkError.request(
                    "AWS.ParameterOutOfRange",
                    "QualificationRequirements: at most 10 are allowed (got " + list.size() + ").");
        }
        for (JsonNode q : list) {
            String id = q.path("QualificationTypeId").asText("");
            if (!SYSTEM_QUALIFICATIONS.contains(id) && !qualificationTypes.containsKey(id)) {
                throw MTurkError.request("QualificationDoesNotExist", "QualificationType " + id + " does not exist.");
            }
            String comparator = required(q, "Comparator");
            if (!COMPARATORS.contains(comparator)) {
                throw MTurkError.request(
                        "AWS.ParameterOutOfRange",
                        "QualificationRequirements.Comparator '" + comparator + "' is not one of " + COMPARATORS + ".");
            }
            int integers = q.path("IntegerValues").size(),
                    locales = q.path("LocaleValues").size();
            boolean existence = comparator.equals("Exists") || comparator.equals("DoesNotExist");
            boolean set = comparator.equals("In") || comparator.equals("NotIn");
            if (existence ? integers + locales > 0 : integers + locales == 0 || (!set && integers + locales > 1)) {
                throw MTurkError.request(
                        "AWS.ParameterOutOfRange",
                        "QualificationRequirements: Comparator " + comparator + " on " + id + " takes "
                                + (existence ? "no values" : set ? "one or more values" : "exactly one value") + ".");
            }
            if (locales > 0 && !id.equals(LOCALE)) {
                throw MTurkError.request(
                        "AWS.ParameterOutOfRange",
                        "QualificationRequirements: LocaleValues can only be used with " + LOCALE
                                + " (Worker_Locale), not " + id + ".");
            }
            if (integers > 0 && id.equals(LOCALE)) {
                throw MTurkError.request(
                        "AWS.ParameterOutOfRange",
                        "QualificationRequirements: IntegerValues cannot be used with " + LOCALE + " (Worker_Locale).");
            }
            for (JsonNode l : q.path("LocaleValues")) {
                if (!COUNTRY.matcher(l.path("Country").asText("")).matches()) {
                    throw MTurkError.request(
                            "AWS.ParameterOutOfRange",
                            "QualificationRequirements.LocaleValues.Country '"
                                    + l.path("Country").asText("") + "' is not a two-letter ISO 3166 code.");
                }
            }
            if (q.hasNonNull("ActionsGuarded")
                    && !ACTIONS_GUARDED.contains(q.get("ActionsGuarded").asText())) {
                throw MTurkError.request(
                        "AWS.ParameterOutOfRange",
                        "QualificationRequirements.ActionsGuarded '"
                                + q.get("ActionsGuarded").asText() + "' is not one of " + ACTIONS_GUARDED + ".");
            }
        }
        return list;
    }

    /** Refuses the worker unless they meet every requirement of the HIT that guards {@code action} (ACCEPT, PREVIEW, DISCOVER). */
    private void requireQualified(Hit h, String workerId, int action) {
        if (h.qualifications == null) return;
        for (JsonNode requirement : h.qualifications) {
            // ActionsGuarded, or the deprecated RequiredToPreview; the default guards only Accept.
            String guard = requirement.hasNonNull("ActionsGuarded")
                    ? requirement.get("ActionsGuarded").asText()
                    : requirement.path("RequiredToPreview").asBoolean(false) ? "PreviewAndAccept" : "Accept";
            if (ACTIONS_GUARDED.indexOf(guard) + 1 >= action) requireQualified(workerId, requirement);
        }
    }

    private boolean qualifies(Hit h, String workerId, int action) {
        try {
            requireQualified(h, workerId, action);
            return true;
        } catch (MTurkError notQualified) {
            return false;
        }
    }

    /** Refuses the worker unless they meet the requirement (a worker without the qualification meets only DoesNotExist). */
    private void requireQualified(String workerId, JsonNode requirement) {
        String typeId = requirement.get("QualificationTypeId").asText();
        String comparator = requirement.get("Comparator").asText();
        WorkerProfile profile = workers.getOrDefault(workerId, new WorkerProfile());
        boolean met;
        if (typeId.equals(LOCALE)) {
            List<Boolean> matches = new ArrayList<>();
            for (JsonNode l : requirement.path("LocaleValues")) {
                String subdivision = l.path("Subdivision").asText(null);
                matches.add(l.path("Country").asText().equals(profile.country)
                        && (subdivision == null || subdivision.equals(profile.subdivision)));
            }
            met = compare(comparator, true, matches.contains(true), matches.contains(true));
        } else {
            Integer value = switch (typeId) {
                case PERCENT_APPROVED -> profile.percentApproved;
                case NUMBER_APPROVED -> profile.numberApproved;
                default -> {
                    Qualification q =
                            qualifications.getOrDefault(typeId, Map.of()).get(workerId);
                    yield q == null || !q.status.equals("Granted") ? null : q.value;
                }
            };
            List<Integer> values = new ArrayList<>();
            requirement.path("IntegerValues").forEach(v -> values.add(v.asInt()));
            met = value == null
                    ? comparator.equals("DoesNotExist")
                    : switch (comparator) {
                        case "LessThan" -> value < values.get(0);
                        case "LessThanOrEqualTo" -> value <= values.get(0);
                        case "GreaterThan" -> value > values.get(0);
                        case "GreaterThanOrEqualTo" -> value >= values.get(0);
                        default ->
                            compare(
                                    comparator,
                                    true,
                                    values.contains(value),
                                    values.isEmpty() || value.equals(values.get(0)));
                    };
        }
        if (!met) {
            String name = qualificationTypes.containsKey(typeId)
                    ? qualificationTypes.get(typeId).name
                    : SYSTEM_NAMES.getOrDefault(typeId, typeId);
            JsonNode values = requirement.has("LocaleValues")
                    ? requirement.get("LocaleValues")
                    : requirement.path("IntegerValues");
            throw MTurkError.request(
                    "QualificationRequirementNotMet",
                    "Worker " + workerId + " does not meet the qualification requirement " + name + " (" + typeId + ") "
                            + comparator + (values.isMissingNode() ? "" : " " + values) + ".");
        }
    }

    /** Exists / DoesNotExist / EqualTo / NotEqualTo / In / NotIn for a worker who holds the qualification. */
    private static boolean compare(String comparator, boolean holds, boolean inSet, boolean equal) {
        return switch (comparator) {
            case "Exists" -> holds;
            case "DoesNotExist" -> !holds;
            case "EqualTo" -> equal;
            case "NotEqualTo" -> !equal;
            case "In" -> inSet;
            case "NotIn" -> !inSet;
            default -> throw new IllegalArgumentException(comparator);
        };
    }
}
