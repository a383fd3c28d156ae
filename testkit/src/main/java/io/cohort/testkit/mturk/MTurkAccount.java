package io.cohort.testkit.mturk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
    private static final Pattern ID = Pattern.compile("^[A-Z0-9]{1,64}$");
    private static final Pattern WORKER_ID = Pattern.compile("^A[A-Z0-9]{1,63}$");
    private static final Pattern MONEY = Pattern.compile("^[0-9]+(\\.)?[0-9]{0,2}$");
    private static final String EXTERNAL_QUESTION_NS =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd";
    /** The system qualification types every account may require (sandbox and production Masters, and the built-ins). */
    private static final Set<String> SYSTEM_QUALIFICATIONS = Set.of(
            "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
            "00000000000000000040", "000000000000000000L0", "00000000000000000071", "00000000000000000060");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

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
        assignments.values().removeIf(a -> a.status.equals("Accepted") && now >= a.deadline);
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
        return h.maxAssignments - assignmentsOf(h, a -> true).size();
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
        if (!status(h).equals("Assignable")) {
            throw MTurkError.request("HITNotAssignable", "This HIT is no longer available: HIT " + hitId + " is " + status(h) + ".");
        }
        if (!assignmentsOf(h, a -> a.workerId.equals(workerId)).isEmpty()) {
            throw MTurkError.request("WorkerAlreadyAccepted", "Worker " + workerId + " already has an assignment for HIT " + hitId + ".");
        }
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
            throw MTurkError.request("AssignmentNotAccepted", "Assignment " + assignmentId + " is not accepted by a worker"
                    + (a == null ? " (unknown, returned or abandoned)." : " (it is " + a.status + ")."));
        }
        long now = clock.millis();
        a.submitted = now;
        a.autoApproval = now + hits.get(a.hitId).autoApprovalDelay * 1000;
        a.answer = answer;
        a.status = "Submitted";
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
        return createHITWithHITType(withType.put("HITTypeId", type.get("HITTypeId").asText()));
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
        String token = in.hasNonNull("UniqueRequestToken") ? in.get("UniqueRequestToken").asText() : null;
        if (token != null && hitTokens.containsKey(token)) {
            throw MTurkError.request("HitAlreadyExists", "The HIT with ID \"" + hitTokens.get(token)
                    + "\" already exists for the UniqueRequestToken \"" + token + "\".");
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
        h.annotation = in.hasNonNull("RequesterAnnotation") ? in.get("RequesterAnnotation").asText() : null;
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
        String token = in.hasNonNull("UniqueRequestToken") ? in.get("UniqueRequestToken").asText() : null;
        if (token != null && assignmentTokens.contains(token)) throw tokenUsed(token);
        if (h.disposed) throw wrongHitState(h, "Assignable, Unassignable, Reviewable, Reviewing");
        if (h.maxAssignments < 10 && h.maxAssignments + more >= 10) {
            throw MTurkError.request("InvalidMaximumAssignmentsIncrease", "HIT " + h.id + " has " + h.maxAssignments
                    + " assignments; it cannot be extended to " + (h.maxAssignments + more) + " (10 or more).");
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
        long unused = (long) (h.maxAssignments - assignmentsOf(h, a -> true).size()) * (h.rewardCents + h.feeCentsPerAssignment);
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
                    throw MTurkError.request("AWS.ParameterOutOfRange", "AssignmentStatuses: '" + v
                            + "' is not one of Submitted, Approved, Rejected.");
                }
                statuses.add(v);
            }
        }
        List<Assignment> list = assignmentsOf(h, a -> !a.status.equals("Accepted")
                && (statuses.isEmpty() || statuses.contains(a.status)));
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
            throw MTurkError.request("InvalidAssignmentState", "This operation can be called with a status of: "
                    + (override ? "Submitted, Rejected" : "Submitted") + " (assignment " + a.id + " is " + a.status + ")");
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
            throw MTurkError.request("InvalidAssignmentState", "This operation can be called with a status of: Submitted"
                    + " (assignment " + a.id + " is " + a.status + ")");
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
        String token = in.hasNonNull("UniqueRequestToken") ? in.get("UniqueRequestToken").asText() : null;
        if (token != null && bonusTokens.contains(token)) throw tokenUsed(token);
        if (!a.workerId.equals(workerId)) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "Assignment " + a.id + " does not belong to worker " + workerId + ".");
        }
        if (cents <= 0) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "BonusAmount must be more than 0.00 (was " + in.get("BonusAmount").asText() + ").");
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

    // ---- JSON ------------------------------------------------------------------------------------------------------

    private ObjectNode hitResponse(Hit h) {
        ObjectNode out = JSON.createObjectNode();
        out.set("HIT", hitJson(h));
        return out;
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
        o.put("NumberOfAssignmentsCompleted",
                assignmentsOf(h, a -> a.status.equals("Approved") || a.status.equals("Rejected")).size());
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
    private <T> ObjectNode page(JsonNode in, List<T> items, String field, java.util.function.Function<T, ObjectNode> json) {
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
            out.put("NextToken", Base64.getEncoder().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    // ---- validation ------------------------------------------------------------------------------------------------

    private Hit hit(String id) {
        Hit h = hits.get(id);
        if (h == null) throw MTurkError.request("HITDoesNotExist", "Hit " + id + " does not exist.");
        return h;
    }

    private Assignment assignment(String id) {
        Assignment a = assignments.get(id);
        if (a == null || a.status.equals("Accepted")) {
            throw MTurkError.request("AssignmentDoesNotExist", "Assignment " + id + " does not exist.");
        }
        return a;
    }

    private MTurkError wrongHitState(Hit h, String allowed) {
        return MTurkError.request("InvalidHITState", "This HIT is currently in the state '" + status(h)
                + "'.  This operation can be called with a status of: " + allowed);
    }

    private static MTurkError tokenUsed(String token) {
        return MTurkError.request("IdempotencyTokenAlreadyProcessed", "The idempotency token \"" + token + "\" has already been processed.");
    }

    private void requireFunds(long cents) {
        if (cents > availableCents) {
            throw MTurkError.request("InsufficientFunds", "This Requester has insufficient funds in their account to complete this transaction: needs "
                    + money(cents) + ", has " + money(availableCents) + ".");
        }
    }

    private JsonNode checkQualifications(JsonNode list) {
        if (!list.isArray() || list.size() > 10) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "QualificationRequirements: at most 10 are allowed (got " + list.size() + ").");
        }
        for (JsonNode q : list) {
            String id = q.path("QualificationTypeId").asText("");
            if (!SYSTEM_QUALIFICATIONS.contains(id)) {
                throw MTurkError.request("QualificationDoesNotExist", "QualificationType " + id + " does not exist.");
            }
            if (!q.hasNonNull("Comparator")) throw missing("QualificationRequirements.Comparator");
        }
        return list;
    }

    /** The ExternalURL of an ExternalQuestion; other question forms are accepted as they are. */
    private static String externalUrl(String question) {
        if (!question.contains("ExternalQuestion")) return null;
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            var doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(question.getBytes(StandardCharsets.UTF_8)));
            var root = doc.getDocumentElement();
            if (!EXTERNAL_QUESTION_NS.equals(root.getNamespaceURI()) || !root.getLocalName().equals("ExternalQuestion")) {
                throw new IllegalArgumentException("root element is not an ExternalQuestion in " + EXTERNAL_QUESTION_NS);
            }
            var urls = root.getElementsByTagNameNS(EXTERNAL_QUESTION_NS, "ExternalURL");
            if (urls.getLength() != 1) throw new IllegalArgumentException("ExternalURL is missing");
            String url = urls.item(0).getTextContent().trim();
            URI uri = URI.create(url);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("ExternalURL '" + url + "' is not an http(s) URL");
            }
            return url;
        } catch (Exception e) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "Question is not a valid ExternalQuestion: " + e.getMessage());
        }
    }

    private static String feedback(JsonNode in) {
        String f = required(in, "RequesterFeedback");
        if (f.length() > 1024) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "RequesterFeedback is longer than 1024 characters.");
        }
        return f;
    }

    private static MTurkError missing(String field) {
        return MTurkError.request("AWS.MissingParameters", "Your request is missing a required parameter: " + field + ".");
    }

    private static String required(JsonNode in, String field) {
        if (!in.hasNonNull(field) || in.get(field).asText().isEmpty()) throw missing(field);
        return in.get(field).asText();
    }

    private static String requireId(JsonNode in, String field) {
        String v = required(in, field);
        if (!ID.matcher(v).matches()) {
            throw MTurkError.request("AWS.ParameterOutOfRange", field + " '" + v + "' is not a valid ID (^[A-Z0-9]+$, 1-64 characters).");
        }
        return v;
    }

    private static void requireWorkerId(String v) {
        if (!WORKER_ID.matcher(v).matches()) {
            throw MTurkError.request("AWS.ParameterOutOfRange", "WorkerId '" + v + "' is not a valid worker ID (^A[A-Z0-9]+$).");
        }
    }

    private static long requiredLong(JsonNode in, String field, long min, long max) {
        if (!in.hasNonNull(field)) throw missing(field);
        return optionalLong(in, field, 0, min, max);
    }

    private static long optionalLong(JsonNode in, String field, long absent, long min, long max) {
        if (!in.hasNonNull(field)) return absent;
        JsonNode v = in.get(field);
        if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw MTurkError.request("AWS.ParameterOutOfRange", field + " " + v + " is out of range (" + min + " to " + max + ").");
        }
        return v.asLong();
    }

    private static long parseMoney(JsonNode in, String field) {
        return parseMoney(required(in, field), field);
    }

    static long parseMoney(String v, String field) {
        if (!MONEY.matcher(v).matches()) {
            throw MTurkError.request("AWS.ParameterOutOfRange", field + " '" + v + "' is not a valid amount (^[0-9]+(\\.)?[0-9]{0,2}$).");
        }
        String[] parts = v.split("\\.", -1);
        String cents = parts.length > 1 ? (parts[1] + "00").substring(0, 2) : "00";
        try {
            return Math.addExact(Math.multiplyExact(Long.parseLong(parts[0]), 100), Long.parseLong(cents));
        } catch (ArithmeticException | NumberFormatException e) {
            throw MTurkError.request("AWS.ParameterOutOfRange", field + " '" + v + "' is too large.");
        }
    }

    static String money(long cents) {
        return (cents < 0 ? "-" : "") + Math.abs(cents) / 100 + "." + String.format("%02d", Math.abs(cents) % 100);
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static String newId() {
        StringBuilder b = new StringBuilder(30);
        for (int i = 0; i < 30; i++) b.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        return b.toString();
    }
}
