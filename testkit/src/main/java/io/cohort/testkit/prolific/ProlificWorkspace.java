package io.cohort.testkit.prolific;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One Prolific workspace in memory: its funds, project, studies, submissions, participant groups, bonus set-ups and
 * messages, with Prolific's rules (docs/prolific-api.md). Every method is synchronized: one request at a time changes
 * it, as a workspace wallet serialises payments.
 *
 * <p>Money: three parts (rewards, fees, VAT) as a top-up splits them. Publishing a study reserves its places' cost
 * (Prolific checks the balance and locks the amount at publish); approving charges one place and lowers the reservation
 * by the same; a study that ends releases what is left. Bonus payments take from the unreserved funds.
 */
final class ProlificWorkspace {
    static final String UNPUBLISHED = "UNPUBLISHED";
    static final String SCHEDULED = "SCHEDULED";
    static final String ACTIVE = "ACTIVE";
    static final String PAUSED = "PAUSED";
    static final String AWAITING_REVIEW = "AWAITING REVIEW";
    static final String COMPLETED = "COMPLETED";

    static final String RESERVED = "RESERVED";
    static final String APPROVED = "APPROVED";
    static final String REJECTED = "REJECTED";
    static final String RETURNED = "RETURNED";
    static final String TIMED_OUT = "TIMED-OUT";
    static final String SCREENED_OUT = "SCREENED OUT";

    static final Set<String> CODE_TYPES = Set.of(
            "COMPLETED",
            "FAILED_ATTENTION_CHECK",
            "FOLLOW_UP_STUDY",
            "GIVE_BONUS",
            "INCOMPATIBLE_DEVICE",
            "NO_CONSENT",
            "OTHER");
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
    static final int REJECTION_MESSAGE_MIN = 100;
    private static final Set<String> HOLDS_PLACE = Set.of(RESERVED, ACTIVE, AWAITING_REVIEW, APPROVED, SCREENED_OUT);
    private static final Set<String> PENDING = Set.of(RESERVED, ACTIVE, AWAITING_REVIEW);
    private static final Set<String> ID_OPTIONS = Set.of("question", "url_parameters", "not_required");
    private static final Set<String> DEVICES = Set.of("desktop", "tablet", "mobile");
    private static final Set<String> PERIPHERALS = Set.of("audio", "camera", "download", "microphone");
    private static final Pattern PARTICIPANT_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final Pattern CSV_AMOUNT = Pattern.compile("^[0-9]{1,9}(\\.[0-9]{1,2})?$");
    private static final String PID = "{{%PROLIFIC_PID%}}";
    private static final int REWARDS = 0;
    private static final int FEES = 1;
    private static final int VAT = 2;
    private static final String[] PART_NAMES = {"rewards", "fees", "vat"};
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ProlificClock clock;
    private final Supplier<String> apiBase;
    private final String userId = newId();
    private final String workspaceId = newId();
    private final String walletId = newId();
    private final String defaultProjectId;
    private String currency = "GBP";
    private BigDecimal feePercent = new BigDecimal("33.33");
    private BigDecimal vatPercent = BigDecimal.ZERO;
    private final long[] funds = new long[3];
    private final Map<String, Project> projects = new LinkedHashMap<>();
    private final Map<String, Study> studies = new LinkedHashMap<>();
    private final Map<String, Submission> submissions = new LinkedHashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, BonusSetUp> bonusSetUps = new LinkedHashMap<>();
    private final Map<String, List<Long>> bonusesByParticipant = new HashMap<>();
    private final List<Message> messages = new ArrayList<>();

    ProlificWorkspace(ProlificClock clock, Supplier<String> apiBase, long balanceCents) {
        this.clock = clock;
        this.apiBase = apiBase;
        Project project = new Project(newId(), "Default project");
        projects.put(project.id, project);
        defaultProjectId = project.id;
        setBalance(balanceCents);
    }

    // ---- settings and what tests read ----

    String workspaceId() {
        return workspaceId;
    }

    String defaultProjectId() {
        return defaultProjectId;
    }

    synchronized void setBalance(long cents) {
        if (cents < 0) throw new IllegalArgumentException("balance must not be negative: " + cents);
        BigDecimal f = fraction(feePercent);
        BigDecimal v = fraction(vatPercent);
        BigDecimal divisor = BigDecimal.ONE.add(f.multiply(BigDecimal.ONE.add(v)));
        long rewards = BigDecimal.valueOf(cents)
                .divide(divisor, 0, RoundingMode.HALF_UP)
                .longValueExact();
        long charges = cents - rewards;
        long vat = BigDecimal.valueOf(charges)
                .multiply(v)
                .divide(BigDecimal.ONE.add(v), 0, RoundingMode.HALF_UP)
                .longValueExact();
        funds[REWARDS] = rewards;
        funds[FEES] = charges - vat;
        funds[VAT] = vat;
    }

    synchronized void setFeePercent(BigDecimal percent) {
        requirePercent(percent, "fee");
        long total = totalCents();
        feePercent = percent;
        setBalance(total);
    }

    synchronized void setVatPercent(BigDecimal percent) {
        requirePercent(percent, "VAT");
        long total = totalCents();
        vatPercent = percent;
        setBalance(total);
    }

    synchronized void setCurrency(String code) {
        if (!code.equals("GBP") && !code.equals("USD"))
            throw new IllegalArgumentException("currency must be GBP or USD, not " + code);
        currency = code;
    }

    private static void requirePercent(BigDecimal percent, String what) {
        if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0)
            throw new IllegalArgumentException(what + " percent must be 0 to 100, not " + percent);
    }

    synchronized long totalCents() {
        return funds[REWARDS] + funds[FEES] + funds[VAT];
    }

    synchronized long availableCents() {
        long[] reserved = reservedTotal();
        return totalCents() - reserved[REWARDS] - reserved[FEES] - reserved[VAT];
    }

    synchronized List<Long> bonusesPaid(String participantId) {
        return List.copyOf(bonusesByParticipant.getOrDefault(participantId, List.of()));
    }

    synchronized long bonusTotalCents() {
        return bonusesByParticipant.values().stream()
                .flatMap(List::stream)
                .mapToLong(Long::longValue)
                .sum();
    }

    synchronized int payCalls(String setUpId) {
        BonusSetUp b = bonusSetUps.get(setUpId);
        if (b == null) throw new IllegalArgumentException("no bonus set-up " + setUpId);
        return b.paidAt.size();
    }

    synchronized int payCalls() {
        return bonusSetUps.values().stream().mapToInt(b -> b.paidAt.size()).sum();
    }

    synchronized List<ProlificEmulator.SubmissionView> submissionViews(String studyId) {
        settleAll();
        List<ProlificEmulator.SubmissionView> out = new ArrayList<>();
        for (Submission s : submissions.values()) {
            if (s.studyId.equals(studyId)) out.add(s.view());
        }
        return out;
    }

    synchronized String submissionStatus(String submissionId) {
        settleAll();
        Submission s = submissions.get(submissionId);
        return s == null ? null : s.status;
    }

    synchronized List<ProlificEmulator.StudyView> studyViews() {
        settleAll();
        return studies.values().stream()
                .map(s -> new ProlificEmulator.StudyView(s.id, s.name, s.status, s.totalPlaces))
                .toList();
    }

    synchronized String studyStatus(String studyId) {
        settleAll();
        Study s = studies.get(studyId);
        return s == null ? null : s.status;
    }

    synchronized List<ProlificEmulator.Message> messageViews() {
        return messages.stream()
                .map(m -> new ProlificEmulator.Message(m.recipientId, m.studyId, m.body))
                .toList();
    }

    synchronized Set<String> groupMembers(String groupId) {
        Group g = groups.get(groupId);
        if (g == null) throw new IllegalArgumentException("no participant group " + groupId);
        return Set.copyOf(g.members.keySet());
    }

    // ---- account ----

    synchronized ObjectNode me() {
        ObjectNode out = NODES.objectNode()
                .put("id", userId)
                .put("name", "Cohort Researcher")
                .put("first_name", "Cohort")
                .put("last_name", "Researcher")
                .put("email", "researcher@example.org")
                .put("username", "researcher@example.org")
                .put("user_type", "researcher")
                .put("currency_code", currency);
        out.put("balance", totalCents());
        out.put("available_balance", availableCents());
        return out;
    }

    synchronized ObjectNode workspaces() {
        ObjectNode out = NODES.objectNode();
        out.putArray("results").add(workspaceJson());
        out.putObject("meta").put("count", 1);
        return out;
    }

    synchronized ObjectNode workspace(String id) {
        requireWorkspace(id);
        return workspaceJson();
    }

    private ObjectNode workspaceJson() {
        ObjectNode out = NODES.objectNode()
                .put("id", workspaceId)
                .put("title", "Cohort emulator")
                .put("description", "The workspace of Cohort's Prolific emulator.")
                .put("owner", userId);
        out.putArray("users")
                .addObject()
                .put("id", userId)
                .put("name", "Cohort Researcher")
                .put("email", "researcher@example.org")
                .putArray("roles")
                .add("WORKSPACE_ADMIN");
        ArrayNode list = out.putArray("projects");
        for (Project p : projects.values()) list.addObject().put("id", p.id).put("title", p.title);
        out.put("wallet", walletId).put("currency_code", currency).putNull("naivety_distribution_rate");
        return out;
    }

    private void requireWorkspace(String id) {
        if (!workspaceId.equals(id)) throw ProlificError.notFound();
    }

    synchronized ObjectNode balance(String id) {
        requireWorkspace(id);
        long[] reserved = reservedTotal();
        ObjectNode out = NODES.objectNode().put("currency_code", currency);
        out.put("total_balance", totalCents());
        ObjectNode all = out.putObject("balance_breakdown");
        for (int i = 0; i < 3; i++) all.put(PART_NAMES[i], funds[i]);
        out.put("available_balance", availableCents());
        ObjectNode available = out.putObject("available_balance_breakdown");
        for (int i = 0; i < 3; i++) available.put(PART_NAMES[i], funds[i] - reserved[i]);
        return out;
    }

    synchronized ObjectNode projects(String id) {
        requireWorkspace(id);
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        for (Project p : projects.values()) results.add(projectJson(p));
        out.putObject("meta").put("count", projects.size());
        return out;
    }

    synchronized ObjectNode createProject(String id, JsonNode in) {
        requireWorkspace(id);
        String title = requiredText(in, "title");
        Project p = new Project(newId(), title);
        p.description = optionalText(in, "description", "");
        projects.put(p.id, p);
        return projectJson(p);
    }

    private ObjectNode projectJson(Project p) {
        ObjectNode out = NODES.objectNode()
                .put("id", p.id)
                .put("title", p.title)
                .put("description", p.description)
                .put("owner", userId)
                .put("workspace", workspaceId);
        out.putArray("users");
        out.putNull("naivety_distribution_rate");
        return out;
    }

    // ---- studies ----

    synchronized ObjectNode createStudy(JsonNode in) {
        Study s = new Study(newId(), clock.now());
        s.writable = writableFields(in);
        readStudy(s, s.writable);
        studies.put(s.id, s);
        return studyJson(s);
    }

    synchronized ObjectNode study(String id) {
        settleAll();
        return studyJson(requireStudy(id));
    }

    synchronized ObjectNode studies(Map<String, String> query, String path) {
        settleAll();
        return studyList(null, query, path);
    }

    synchronized ObjectNode projectStudies(String projectId, Map<String, String> query, String path) {
        if (!projects.containsKey(projectId)) throw ProlificError.notFound();
        settleAll();
        return studyList(projectId, query, path);
    }

    private ObjectNode studyList(String projectId, Map<String, String> query, String path) {
        String state = query.get("state");
        List<ObjectNode> items = new ArrayList<>();
        List<Study> newestFirst = new ArrayList<>(studies.values());
        Collections.reverse(newestFirst);
        for (Study s : newestFirst) {
            if (projectId != null && !s.projectId.equals(projectId)) continue;
            if (state != null && !s.status.equalsIgnoreCase(state.trim())) continue;
            items.add(studyShortJson(s));
        }
        return page(items, query, path);
    }

    synchronized ObjectNode updateStudy(String id, JsonNode in) {
        settleAll();
        Study s = requireStudy(id);
        if (!(in instanceof ObjectNode patch)) throw ProlificError.badRequest("Expected a dictionary of items.");
        if (s.status.equals(UNPUBLISHED)) {
            ObjectNode merged = s.writable.deepCopy();
            merged.setAll(writableFields(patch));
            readStudy(s, merged); // checks every field before it changes one
            s.writable = merged;
            return studyJson(s);
        }
        if (s.status.equals(COMPLETED)) {
            throw ProlificError.badRequest("A study that is COMPLETED cannot be changed.");
        }
        for (var it = patch.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("total_available_places")) {
                throw ProlificError.field(
                        field, "Only total_available_places can be changed once a study is published.");
            }
        }
        if (!patch.has("total_available_places")) return studyJson(s);
        int places = requiredInt(patch, "total_available_places", 1);
        if (places < s.totalPlaces) {
            throw ProlificError.field(
                    "total_available_places",
                    "The places of a published study can only be increased (now " + s.totalPlaces + ").");
        }
        if (places > s.totalPlaces) {
            Cost extra = cost(s.reward).times(places - s.totalPlaces);
            requireAvailable(extra, "increasing the places");
            for (int i = 0; i < 3; i++) s.reserved[i] += extra.part(i);
            s.totalPlaces = places;
            s.writable.put("total_available_places", places);
        }
        settle(s);
        return studyJson(s);
    }

    synchronized ObjectNode transitionStudy(String id, JsonNode in) {
        settleAll();
        Study s = requireStudy(id);
        String action = requiredText(in, "action");
        switch (action) {
            case "PUBLISH" -> {
                requireStatus(s, action, UNPUBLISHED);
                Cost all = cost(s.reward).times(s.totalPlaces);
                requireAvailable(all, "publishing");
                for (int i = 0; i < 3; i++) s.reserved[i] += all.part(i);
                Instant now = clock.now();
                s.publishedAt = now;
                s.status = s.publishAt != null && s.publishAt.isAfter(now) ? SCHEDULED : ACTIVE;
            }
            case "PAUSE" -> {
                requireStatus(s, action, ACTIVE);
                s.status = PAUSED;
            }
            case "START" -> {
                requireStatus(s, action, PAUSED);
                s.status = ACTIVE;
            }
            case "STOP" -> {
                requireStatus(s, action, ACTIVE, PAUSED, SCHEDULED);
                s.stopped = true;
                s.status = AWAITING_REVIEW;
            }
            default -> throw ProlificError.field("action", "\"" + action + "\" is not a valid choice.");
        }
        settle(s);
        return studyJson(s);
    }

    private static void requireStatus(Study s, String action, String... allowed) {
        for (String a : allowed) if (s.status.equals(a)) return;
        throw ProlificError.badRequest("Cannot " + action + " a study that is " + s.status + ".");
    }

    private Study requireStudy(String id) {
        Study s = studies.get(id);
        if (s == null) throw ProlificError.notFound();
        return s;
    }

    private static ObjectNode writableFields(JsonNode in) {
        if (!(in instanceof ObjectNode object)) throw ProlificError.badRequest("Expected a dictionary of items.");
        ObjectNode out = NODES.objectNode();
        for (String f : List.of(
                "name",
                "internal_name",
                "description",
                "external_study_url",
                "prolific_id_option",
                "completion_codes",
                "total_available_places",
                "estimated_completion_time",
                "maximum_allowed_time",
                "reward",
                "device_compatibility",
                "peripheral_requirements",
                "filters",
                "project",
                "publish_at",
                "submissions_config")) {
            if (object.has(f)) out.set(f, object.get(f));
        }
        return out;
    }

    /** Validates the writable fields and copies them into {@code s}; throws before changing it if one is bad. */
    private void readStudy(Study s, ObjectNode in) {
        String name = requiredText(in, "name");
        String internalName = optionalText(in, "internal_name", "");
        String description = requiredText(in, "description");
        String url = requiredText(in, "external_study_url");
        if (!url.startsWith("http://") && !url.startsWith("https://"))
            throw ProlificError.field("external_study_url", "Enter a valid URL.");
        String idOption = requiredText(in, "prolific_id_option");
        if (!ID_OPTIONS.contains(idOption))
            throw ProlificError.field("prolific_id_option", "\"" + idOption + "\" is not a valid choice.");
        if (idOption.equals("url_parameters") && !url.contains(PID)) {
            throw ProlificError.field(
                    "external_study_url", "With prolific_id_option url_parameters the URL must contain " + PID + ".");
        }
        List<Code> codes = readCodes(in.get("completion_codes"));
        int places = requiredInt(in, "total_available_places", 1);
        int estimated = requiredInt(in, "estimated_completion_time", 1);
        int maximum = in.hasNonNull("maximum_allowed_time")
                ? requiredInt(in, "maximum_allowed_time", estimated)
                : Math.max(estimated * 2 + 2, 10);
        int reward = requiredInt(in, "reward", 1);
        ArrayNode devices = stringChoices(in, "device_compatibility", DEVICES, List.of("desktop", "tablet", "mobile"));
        ArrayNode peripherals = stringChoices(in, "peripheral_requirements", PERIPHERALS, List.of());
        ArrayNode filters = readFilters(in.get("filters"));
        String project = optionalText(in, "project", defaultProjectId);
        if (!projects.containsKey(project)) throw ProlificError.field("project", "Project not found.");
        Instant publishAt = null;
        if (in.hasNonNull("publish_at")) {
            try {
                publishAt = Instant.parse(requiredText(in, "publish_at"));
            } catch (DateTimeParseException e) {
                throw ProlificError.field("publish_at", "Datetime has wrong format; use ISO 8601 in UTC.");
            }
        }
        ObjectNode config =
                NODES.objectNode().put("max_submissions_per_participant", 1).put("max_concurrent_submissions", -1);
        JsonNode given = in.get("submissions_config");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) throw ProlificError.field("submissions_config", "Expected a dictionary of items.");
            config.setAll((ObjectNode) given);
        }
        s.name = name;
        s.internalName = internalName;
        s.description = description;
        s.externalStudyUrl = url;
        s.prolificIdOption = idOption;
        s.codes = codes;
        s.totalPlaces = places;
        s.estimatedMinutes = estimated;
        s.maximumMinutes = maximum;
        s.reward = reward;
        s.devices = devices;
        s.peripherals = peripherals;
        s.filters = filters;
        s.projectId = project;
        s.publishAt = publishAt;
        s.submissionsConfig = config;
    }

    private List<Code> readCodes(JsonNode in) {
        if (in == null || in.isNull()) throw ProlificError.required("completion_codes");
        if (!in.isArray() || in.isEmpty())
            throw ProlificError.field("completion_codes", "Specify at least one completion code.");
        List<Code> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode c : in) {
            if (!c.isObject()) throw ProlificError.field("completion_codes", "Each completion code is an object.");
            JsonNode codeNode = c.get("code");
            if (codeNode == null || !codeNode.isTextual() || codeNode.asText().isBlank())
                throw ProlificError.field("completion_codes", "Each completion code needs a code.");
            String code = codeNode.asText();
            if (!seen.add(code))
                throw ProlificError.field("completion_codes", "Each code must be unique within a study: " + code);
            String type = c.path("code_type").asText("");
            if (!CODE_TYPES.contains(type))
                throw ProlificError.field("completion_codes", "\"" + type + "\" is not a valid code_type.");
            String actor = c.path("actor").asText("participant");
            if (!actor.equals("participant") && !actor.equals("researcher"))
                throw ProlificError.field("completion_codes", "\"" + actor + "\" is not a valid actor.");
            List<ObjectNode> actions = new ArrayList<>();
            JsonNode given = c.get("actions");
            if (given != null && !given.isNull()) {
                if (!given.isArray()) throw ProlificError.field("completion_codes", "actions is a list.");
                for (JsonNode a : given) actions.add(readAction(a));
            }
            boolean automatic =
                    actions.stream().anyMatch(a -> a.get("action").asText().equals("AUTOMATICALLY_APPROVE"));
            boolean manual =
                    actions.stream().anyMatch(a -> a.get("action").asText().equals("MANUALLY_REVIEW"));
            if (automatic && manual) {
                throw ProlificError.field(
                        "completion_codes",
                        "AUTOMATICALLY_APPROVE and MANUALLY_REVIEW cannot be used together (code " + code + ").");
            }
            out.add(new Code(code, type, actor, actions));
        }
        return out;
    }

    private ObjectNode readAction(JsonNode a) {
        if (!a.isObject() || !a.path("action").isTextual())
            throw ProlificError.field("completion_codes", "Each action is an object with an action.");
        ObjectNode action = ((ObjectNode) a).deepCopy();
        String name = action.get("action").asText();
        switch (name) {
            case "AUTOMATICALLY_APPROVE", "MANUALLY_REVIEW" -> {}
            case "ADD_TO_PARTICIPANT_GROUP", "REMOVE_FROM_PARTICIPANT_GROUP" -> {
                String group = action.path("participant_group").asText("");
                if (!groups.containsKey(group))
                    throw ProlificError.field(
                            "completion_codes", "Participant group \"" + group + "\" of " + name + " not found.");
            }
            case "REQUEST_RETURN" -> {}
            case "FIXED_SCREEN_OUT_PAYMENT" -> {
                requiredInt(action, "fixed_screen_out_reward", 1);
                requiredInt(action, "slots", 1);
            }
            default -> throw ProlificError.field("completion_codes", "\"" + name + "\" is not a valid action.");
        }
        return action;
    }

    private ArrayNode readFilters(JsonNode in) {
        ArrayNode out = NODES.arrayNode();
        if (in == null || in.isNull()) return out;
        if (!in.isArray()) throw ProlificError.field("filters", "Expected a list of items.");
        for (JsonNode f : in) {
            if (!f.isObject() || !f.path("filter_id").isTextual())
                throw ProlificError.field("filters", "Each filter is an object with a filter_id.");
            String id = f.get("filter_id").asText();
            if (id.equals("participant_group_allowlist") || id.equals("participant_group_blocklist")) {
                JsonNode values = f.get("selected_values");
                if (values == null || !values.isArray() || values.isEmpty())
                    throw ProlificError.field("filters", id + " needs selected_values: participant group ids.");
                for (JsonNode v : values) {
                    if (!v.isTextual() || !groups.containsKey(v.asText()))
                        throw ProlificError.field("filters", "Participant group " + v + " of " + id + " not found.");
                }
            }
            out.add(f.deepCopy());
        }
        return out;
    }

    private ObjectNode studyJson(Study s) {
        ObjectNode out = NODES.objectNode()
                .put("id", s.id)
                .put("name", s.name)
                .put("internal_name", s.internalName)
                .put("description", s.description)
                .put("external_study_url", s.externalStudyUrl)
                .put("prolific_id_option", s.prolificIdOption);
        ArrayNode codes = out.putArray("completion_codes");
        for (Code c : s.codes) {
            ObjectNode code = codes.addObject()
                    .put("code", c.code)
                    .put("code_type", c.type)
                    .put("actor", c.actor);
            ArrayNode actions = code.putArray("actions");
            c.actions.forEach(actions::add);
        }
        out.put("total_available_places", s.totalPlaces)
                .put("estimated_completion_time", s.estimatedMinutes)
                .put("maximum_allowed_time", s.maximumMinutes)
                .put("reward", s.reward);
        out.set("device_compatibility", s.devices.deepCopy());
        out.set("peripheral_requirements", s.peripherals.deepCopy());
        out.set("filters", s.filters.deepCopy());
        out.put("project", s.projectId);
        putTime(out, "publish_at", s.publishAt);
        out.put("status", s.status)
                .put("places_taken", placesTaken(s))
                .put("number_of_submissions", submissionsOf(s).size())
                .put("total_cost", cost(s.reward).times(s.totalPlaces).total())
                .put("currency_code", currency);
        putTime(out, "date_created", s.dateCreated);
        putTime(out, "published_at", s.publishedAt);
        out.set("submissions_config", s.submissionsConfig.deepCopy());
        return out;
    }

    private ObjectNode studyShortJson(Study s) {
        ObjectNode out = NODES.objectNode()
                .put("id", s.id)
                .put("name", s.name)
                .put("internal_name", s.internalName)
                .put("status", s.status)
                .put("total_available_places", s.totalPlaces)
                .put("places_taken", placesTaken(s))
                .put("number_of_submissions", submissionsOf(s).size())
                .put("reward", s.reward)
                .put("total_cost", cost(s.reward).times(s.totalPlaces).total());
        putTime(out, "date_created", s.dateCreated);
        putTime(out, "published_at", s.publishedAt);
        out.put("project", s.projectId);
        return out;
    }

    // ---- the lifecycle between requests ----

    /** Brings every study up to the clock: schedules, time-outs, full and finished studies. */
    private void settleAll() {
        for (Study s : studies.values()) settle(s);
    }

    private void settle(Study s) {
        Instant now = clock.now();
        if (s.status.equals(SCHEDULED) && !now.isBefore(s.publishAt)) s.status = ACTIVE;
        for (Submission sub : submissionsOf(s)) {
            if (sub.status.equals(ACTIVE) && now.isAfter(sub.deadline)) sub.status = TIMED_OUT;
        }
        boolean running = submissionsOf(s).stream().anyMatch(x -> x.status.equals(ACTIVE) || x.status.equals(RESERVED));
        boolean full = placesTaken(s) >= s.totalPlaces;
        if (s.status.equals(ACTIVE) && full && !running) s.status = AWAITING_REVIEW;
        if (s.status.equals(AWAITING_REVIEW) && !s.stopped && !full) s.status = ACTIVE;
        if (s.status.equals(AWAITING_REVIEW) && submissionsOf(s).stream().noneMatch(x -> PENDING.contains(x.status))) {
            s.status = COMPLETED;
            Arrays.fill(s.reserved, 0);
        }
    }

    private List<Submission> submissionsOf(Study s) {
        List<Submission> out = new ArrayList<>();
        for (Submission sub : submissions.values()) if (sub.studyId.equals(s.id)) out.add(sub);
        return out;
    }

    private int placesTaken(Study s) {
        int n = 0;
        for (Submission sub : submissions.values()) {
            if (sub.studyId.equals(s.id) && HOLDS_PLACE.contains(sub.status)) n++;
        }
        return n;
    }

    // ---- submissions ----

    synchronized ObjectNode studySubmissions(String studyId, Map<String, String> query, String path) {
        settleAll();
        Study s = requireStudy(studyId);
        String status = query.get("status");
        List<ObjectNode> items = new ArrayList<>();
        for (Submission sub : submissionsOf(s)) {
            if (status != null && !sub.status.equalsIgnoreCase(status.trim())) continue;
            items.add(submissionJson(sub));
        }
        return page(items, query, path);
    }

    synchronized ObjectNode submission(String id) {
        settleAll();
        return submissionJson(requireSubmission(id));
    }

    private Submission requireSubmission(String id) {
        Submission s = submissions.get(id);
        if (s == null) throw ProlificError.notFound();
        return s;
    }

    synchronized ObjectNode transitionSubmission(String id, JsonNode in) {
        settleAll();
        Submission sub = requireSubmission(id);
        String action = requiredText(in, "action");
        switch (action) {
            case "APPROVE" -> {
                if (!sub.status.equals(APPROVED)) {
                    requireAwaitingReview(sub, action);
                    approve(sub);
                }
            }
            case "REJECT" -> {
                String message = requiredText(in, "message");
                if (message.length() < REJECTION_MESSAGE_MIN) {
                    throw ProlificError.field(
                            "message",
                            "Ensure this field has at least " + REJECTION_MESSAGE_MIN + " characters (it has "
                                    + message.length() + ").");
                }
                String category = requiredText(in, "rejection_category");
                if (!REJECTION_CATEGORIES.contains(category))
                    throw ProlificError.field("rejection_category", "\"" + category + "\" is not a valid choice.");
                if (!sub.status.equals(REJECTED)) {
                    requireAwaitingReview(sub, action);
                    sub.status = REJECTED;
                    sub.rejection = message;
                    sub.rejectionCategory = category;
                }
            }
            default -> throw ProlificError.field("action", "\"" + action + "\" is not a valid choice.");
        }
        settle(requireStudy(sub.studyId));
        return submissionJson(sub);
    }

    private static void requireAwaitingReview(Submission sub, String action) {
        if (!sub.status.equals(AWAITING_REVIEW))
            throw ProlificError.badRequest("Cannot " + action + " a submission that is " + sub.status + ".");
    }

    synchronized ObjectNode bulkApprove(JsonNode in) {
        settleAll();
        List<Submission> chosen = new ArrayList<>();
        if (in.has("submission_ids")) {
            for (String id : stringList(in, "submission_ids")) {
                Submission s = submissions.get(id);
                if (s == null) throw ProlificError.badRequest("Submission " + id + " not found.");
                chosen.add(s);
            }
        } else {
            String studyId = requiredText(in, "study_id");
            Study study = studies.get(studyId);
            if (study == null) throw ProlificError.badRequest("Study " + studyId + " not found.");
            for (String pid : stringList(in, "participant_ids")) {
                Submission s = participantSubmission(study, pid);
                if (s == null)
                    throw ProlificError.badRequest(
                            "Participant " + pid + " has no submission in study " + studyId + ".");
                chosen.add(s);
            }
        }
        int approved = 0;
        int skipped = 0;
        for (Submission s : chosen) {
            if (s.status.equals(AWAITING_REVIEW)) {
                approve(s);
                settle(requireStudy(s.studyId));
                approved++;
            } else {
                skipped++;
            }
        }
        return NODES.objectNode().put("approved", approved).put("skipped", skipped);
    }

    private void approve(Submission sub) {
        Study study = requireStudy(sub.studyId);
        Cost c = cost(study.reward);
        charge(study, c, c, "approving submission " + sub.id);
        sub.status = APPROVED;
        sub.reward = study.reward;
    }

    /** Takes {@code c} from the funds and {@code release} from the study's reservation; refused if funds are short. */
    private void charge(Study study, Cost c, Cost release, String what) {
        long[] reserved = reservedTotal();
        long[] freed = new long[3];
        for (int i = 0; i < 3; i++) freed[i] = Math.min(study.reserved[i], release.part(i));
        for (int i = 0; i < 3; i++) {
            long usable = funds[i] - (reserved[i] - freed[i]);
            if (usable < c.part(i)) throw shortFunds(what, c, i, usable);
        }
        for (int i = 0; i < 3; i++) {
            funds[i] -= c.part(i);
            study.reserved[i] -= freed[i];
        }
    }

    private void requireAvailable(Cost c, String what) {
        long[] reserved = reservedTotal();
        for (int i = 0; i < 3; i++) {
            long usable = funds[i] - reserved[i];
            if (usable < c.part(i)) throw shortFunds(what, c, i, usable);
        }
    }

    private static ProlificError shortFunds(String what, Cost c, int part, long usable) {
        return ProlificError.badRequest("Insufficient funds: " + what + " needs " + c.total() + " (rewards "
                + c.amount + ", fees " + c.fee + ", vat " + c.vat + ") but only " + usable + " of the "
                + PART_NAMES[part] + " funds is available.");
    }

    private long[] reservedTotal() {
        long[] out = new long[3];
        for (Study s : studies.values()) for (int i = 0; i < 3; i++) out[i] += s.reserved[i];
        return out;
    }

    private ObjectNode submissionJson(Submission sub) {
        ObjectNode out = NODES.objectNode()
                .put("id", sub.id)
                .put("study_id", sub.studyId)
                .put("participant", sub.participantId)
                .put("participant_id", sub.participantId)
                .put("status", sub.status);
        putTime(out, "started_at", sub.startedAt);
        putTime(out, "completed_at", sub.completedAt);
        out.put("entered_code", sub.enteredCode).put("study_code", sub.enteredCode);
        out.put("is_complete", sub.completedAt != null);
        if (sub.completedAt == null) out.putNull("time_taken");
        else
            out.put(
                    "time_taken",
                    Duration.between(sub.startedAt, sub.completedAt).toSeconds());
        out.put("reward", sub.reward);
        ArrayNode bonuses = out.putArray("bonus_payments");
        sub.bonusPayments.forEach(bonuses::add);
        putTime(out, "return_requested", sub.returnRequested);
        out.put("has_siblings", false);
        return out;
    }

    // ---- bonuses ----

    synchronized ObjectNode createBonusPayments(JsonNode in) {
        settleAll();
        String studyId = requiredText(in, "study_id");
        String csv = requiredText(in, "csv_bonuses");
        Study study = studies.get(studyId);
        if (study == null) throw ProlificError.notFound();
        List<BonusLine> lines = new ArrayList<>();
        Map<String, Integer> lineOfParticipant = new HashMap<>();
        String[] rows = csv.split("\r?\n", -1);
        for (int n = 1; n <= rows.length; n++) {
            String row = rows[n - 1];
            if (row.isBlank()) continue;
            String[] fields = row.split(",", -1);
            if (fields.length != 2) throw badLine(n, row, "a line is <participant or submission id>,<amount>.");
            String id = fields[0].trim();
            String amount = fields[1].trim();
            Submission sub = submissions.get(id);
            if (sub == null || !sub.studyId.equals(studyId)) sub = participantSubmission(study, id);
            if (sub == null) throw badLine(n, row, id + " has not taken part in study " + studyId + ".");
            if (!CSV_AMOUNT.matcher(amount).matches())
                throw badLine(n, row, "the amount is not a number such as 4.25.");
            long cents = new BigDecimal(amount).movePointRight(2).longValueExact();
            if (cents <= 0) throw badLine(n, row, "the amount must be more than 0.");
            Integer earlier = lineOfParticipant.putIfAbsent(sub.participantId, n);
            if (earlier != null)
                throw badLine(n, row, "participant " + sub.participantId + " is already on line " + earlier + ".");
            lines.add(new BonusLine(sub.id, sub.participantId, cents));
        }
        if (lines.isEmpty()) throw ProlificError.field("csv_bonuses", "No bonus lines.");
        long amount = lines.stream().mapToLong(BonusLine::cents).sum();
        BonusSetUp b = new BonusSetUp(newId(), studyId, csv, lines, cost(amount));
        bonusSetUps.put(b.id, b);
        return bonusJson(b, false);
    }

    private static ProlificError badLine(int n, String row, String why) {
        return ProlificError.badRequest("Line " + n + " (\"" + row + "\"): " + why);
    }

    synchronized ObjectNode payBonusPayments(String id) {
        BonusSetUp b = bonusSetUps.get(id);
        if (b == null) throw ProlificError.notFound();
        requireAvailable(b.cost, "paying bonus set-up " + id);
        for (int i = 0; i < 3; i++) funds[i] -= b.cost.part(i);
        for (BonusLine line : b.lines) {
            submissions.get(line.submissionId).bonusPayments.add(line.cents);
            bonusesByParticipant
                    .computeIfAbsent(line.participantId, k -> new ArrayList<>())
                    .add(line.cents);
        }
        b.paidAt.add(clock.now());
        return NODES.objectNode();
    }

    synchronized ObjectNode bonusPayment(String id) {
        BonusSetUp b = bonusSetUps.get(id);
        if (b == null) throw ProlificError.notFound();
        return bonusJson(b, true);
    }

    private ObjectNode bonusJson(BonusSetUp b, boolean withState) {
        ObjectNode out = NODES.objectNode()
                .put("id", b.id)
                .put("study", b.studyId)
                .put("amount", b.cost.amount)
                .put("fees", b.cost.fee)
                .put("vat", b.cost.vat)
                .put("total_amount", b.cost.total());
        if (withState) {
            out.put("csv_bonuses", b.csv).put("times_paid", b.paidAt.size());
            ArrayNode paid = out.putArray("paid_at");
            b.paidAt.forEach(t -> paid.add(t.toString()));
        }
        return out;
    }

    // ---- messages ----

    synchronized ObjectNode sendMessage(JsonNode in) {
        String recipient = requiredText(in, "recipient_id");
        String body = requiredText(in, "body");
        Study study = messageStudy(in);
        requireTookPart(study, recipient, "recipient_id");
        return messageJson(store(recipient, study.id, body));
    }

    synchronized ObjectNode bulkMessage(JsonNode in) {
        List<String> ids = stringList(in, "ids");
        String body = requiredText(in, "body");
        Study study = messageStudy(in);
        for (String id : ids) requireTookPart(study, id, "ids");
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        for (String id : ids) results.add(messageJson(store(id, study.id, body)));
        return out;
    }

    private Study messageStudy(JsonNode in) {
        String studyId = requiredText(in, "study_id");
        Study study = studies.get(studyId);
        if (study == null) throw ProlificError.field("study_id", "Study " + studyId + " not found.");
        return study;
    }

    private void requireTookPart(Study study, String participantId, String field) {
        if (participantSubmission(study, participantId) == null) {
            throw ProlificError.field(
                    field, "Participant " + participantId + " has not taken part in study " + study.id + ".");
        }
    }

    private Message store(String recipient, String studyId, String body) {
        Message m = new Message(newId(), recipient, studyId, body, clock.now());
        messages.add(m);
        return m;
    }

    private ObjectNode messageJson(Message m) {
        return NODES.objectNode()
                .put("id", m.id)
                .put("sender_id", userId)
                .put("recipient_id", m.recipientId)
                .put("study_id", m.studyId)
                .put("body", m.body)
                .put("sent_at", m.sentAt.toString());
    }

    // ---- participant groups ----

    synchronized ObjectNode groups(Map<String, String> query) {
        String workspace = query.get("workspace_id");
        String project = query.get("project_id");
        if (workspace == null && project == null) throw ProlificError.badRequest("Give workspace_id or project_id.");
        if (workspace != null) requireWorkspace(workspace);
        if (project != null && !projects.containsKey(project)) throw ProlificError.notFound();
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        int n = 0;
        for (Group g : groups.values()) {
            if (project != null && !project.equals(g.projectId)) continue;
            results.add(groupJson(g));
            n++;
        }
        out.putObject("meta").put("count", n);
        return out;
    }

    synchronized ObjectNode createGroup(JsonNode in) {
        String workspace = optionalText(in, "workspace_id", null);
        String project = optionalText(in, "project_id", null);
        if (workspace == null && project == null) throw ProlificError.required("workspace_id");
        if (workspace != null && !workspace.equals(workspaceId))
            throw ProlificError.field("workspace_id", "Workspace not found.");
        if (project != null && !projects.containsKey(project))
            throw ProlificError.field("project_id", "Project not found.");
        String name = requiredText(in, "name");
        Group g = new Group(newId(), name, optionalText(in, "description", ""), project);
        if (in.has("participant_ids")) addAll(g, stringList(in, "participant_ids"), "participant_ids");
        groups.put(g.id, g);
        return groupJson(g);
    }

    synchronized ObjectNode group(String id) {
        return groupJson(requireGroup(id));
    }

    synchronized ObjectNode groupParticipants(String id) {
        return membersJson(requireGroup(id));
    }

    synchronized ObjectNode addToGroup(String id, JsonNode in) {
        Group g = requireGroup(id);
        addAll(g, in.has("participant_ids") ? stringList(in, "participant_ids") : List.of(), "participant_ids");
        return membersJson(g);
    }

    synchronized ObjectNode removeFromGroup(String id, JsonNode in) {
        Group g = requireGroup(id);
        List<String> ids = in.has("participant_ids") ? stringList(in, "participant_ids") : List.of();
        ids.forEach(g.members::remove);
        return membersJson(g);
    }

    private void addAll(Group g, List<String> ids, String field) {
        for (String pid : ids) {
            if (!PARTICIPANT_ID.matcher(pid).matches())
                throw ProlificError.field(field, "\"" + pid + "\" is not a participant id.");
        }
        Instant now = clock.now();
        for (String pid : ids) g.members.putIfAbsent(pid, now);
    }

    private Group requireGroup(String id) {
        Group g = groups.get(id);
        if (g == null) throw ProlificError.notFound();
        return g;
    }

    private ObjectNode groupJson(Group g) {
        ObjectNode out = NODES.objectNode()
                .put("id", g.id)
                .put("name", g.name)
                .put("description", g.description)
                .put("workspace_id", workspaceId)
                .put("project_id", g.projectId)
                .put("participant_count", g.members.size())
                .put("is_deleted", false);
        out.putArray("feeder_studies");
        return out;
    }

    private static ObjectNode membersJson(Group g) {
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        g.members.forEach((pid, since) ->
                results.addObject().put("participant_id", pid).put("datetime_created", since.toString()));
        return out;
    }

    // ---- the participant's side ----

    /** The studies {@code pid} may take now: active, a free place, filters passed, not taken before. */
    synchronized List<ProlificEmulator.StudyListing> openStudies(String pid) {
        requireParticipantId(pid);
        settleAll();
        List<ProlificEmulator.StudyListing> out = new ArrayList<>();
        for (Study s : studies.values()) {
            if (whyNot(s, pid) == null)
                out.add(new ProlificEmulator.StudyListing(
                        s.id, s.name, s.reward, s.estimatedMinutes, s.totalPlaces - placesTaken(s)));
        }
        return out;
    }

    /** Every submission of {@code pid}, oldest first. */
    synchronized List<ProlificEmulator.SubmissionView> submissionsOf(String pid) {
        settleAll();
        List<ProlificEmulator.SubmissionView> out = new ArrayList<>();
        for (Submission s : submissions.values()) if (s.participantId.equals(pid)) out.add(s.view());
        return out;
    }

    synchronized String studyName(String studyId) {
        Study s = studies.get(studyId);
        return s == null ? studyId : s.name;
    }

    /** Starts the study for {@code pid}; returns the study URL with the placeholders filled in. */
    synchronized String take(String pid, String studyId) {
        requireParticipantId(pid);
        settleAll();
        Study s = studies.get(studyId);
        if (s == null) throw ProlificError.badRequest("There is no study " + studyId + ".");
        String refusal = whyNot(s, pid);
        if (refusal != null) throw ProlificError.badRequest(refusal);
        Instant now = clock.now();
        Submission sub = new Submission(newId(), s.id, pid, now, now.plus(Duration.ofMinutes(s.maximumMinutes)));
        sub.reward = s.reward;
        submissions.put(sub.id, sub);
        settle(s);
        return s.externalStudyUrl
                .replace(PID, encode(pid))
                .replace("{{%STUDY_ID%}}", encode(s.id))
                .replace("{{%SESSION_ID%}}", encode(sub.id));
    }

    private String whyNot(Study s, String pid) {
        if (!s.status.equals(ACTIVE)) return "Study " + s.id + " is not open to participants (" + s.status + ").";
        if (participantSubmission(s, pid) != null) return "You have already taken part in study " + s.id + ".";
        if (placesTaken(s) >= s.totalPlaces) return "Study " + s.id + " has no free place.";
        for (JsonNode f : s.filters) {
            String id = f.path("filter_id").asText();
            boolean member = false;
            for (JsonNode g : f.path("selected_values")) {
                Group group = groups.get(g.asText());
                if (group != null && group.members.containsKey(pid)) member = true;
            }
            if (id.equals("participant_group_allowlist") && !member)
                return "Study " + s.id + " is only for members of its participant groups.";
            if (id.equals("participant_group_blocklist") && member)
                return "Study " + s.id + " excludes members of your participant group.";
        }
        return null;
    }

    /** {@code pid} gives back their active submission of the study. */
    synchronized void giveBack(String pid, String studyId) {
        settleAll();
        Study s = studies.get(studyId);
        Submission sub = s == null ? null : participantSubmission(s, pid);
        if (sub == null || !sub.status.equals(ACTIVE))
            throw ProlificError.badRequest("You have no active submission in study " + studyId + " to return.");
        sub.status = RETURNED;
        settle(s);
    }

    /**
     * {@code pid} finishes their active submission (of {@code studyId}, or their only active one when null) with
     * {@code code}; returns the submission.
     */
    synchronized ProlificEmulator.SubmissionView complete(String pid, String studyId, String code) {
        if (code == null || code.isBlank()) throw ProlificError.badRequest("The completion code (cc) is missing.");
        settleAll();
        List<Submission> active = new ArrayList<>();
        for (Submission s : submissions.values()) {
            if (s.participantId.equals(pid)
                    && s.status.equals(ACTIVE)
                    && (studyId == null || s.studyId.equals(studyId))) active.add(s);
        }
        if (active.isEmpty()) {
            throw ProlificError.badRequest("Participant " + pid + " has no active submission"
                    + (studyId == null ? "" : " in study " + studyId) + " to complete.");
        }
        if (active.size() > 1) {
            throw ProlificError.badRequest(
                    "Participant " + pid + " has several active submissions; say which study (study_id).");
        }
        Submission sub = active.get(0);
        Study study = requireStudy(sub.studyId);
        sub.completedAt = clock.now();
        sub.enteredCode = code;
        sub.status = AWAITING_REVIEW;
        Code known = study.codes.stream()
                .filter(c -> c.code.equals(code) && c.actor.equals("participant"))
                .findFirst()
                .orElse(null);
        if (known != null) {
            for (ObjectNode action : known.actions) apply(action, study, sub, known);
        }
        settle(study);
        return sub.view();
    }

    private void apply(ObjectNode action, Study study, Submission sub, Code code) {
        switch (action.get("action").asText()) {
            case "ADD_TO_PARTICIPANT_GROUP" -> {
                Group g = groups.get(action.path("participant_group").asText());
                if (g != null) g.members.putIfAbsent(sub.participantId, clock.now());
            }
            case "REMOVE_FROM_PARTICIPANT_GROUP" -> {
                Group g = groups.get(action.path("participant_group").asText());
                if (g != null) g.members.remove(sub.participantId);
            }
            case "REQUEST_RETURN" -> sub.returnRequested = clock.now();
            case "FIXED_SCREEN_OUT_PAYMENT" -> {
                int used = study.screenOuts.getOrDefault(code.code, 0);
                if (!sub.status.equals(AWAITING_REVIEW)
                        || used >= action.get("slots").asInt()) return;
                long fixed = action.get("fixed_screen_out_reward").asLong();
                try {
                    charge(study, cost(fixed), cost(study.reward), "screening out submission " + sub.id);
                } catch (ProlificError shortFunds) {
                    return; // it waits for review instead
                }
                study.screenOuts.put(code.code, used + 1);
                sub.status = SCREENED_OUT;
                sub.reward = fixed;
            }
            case "AUTOMATICALLY_APPROVE" -> {
                if (!sub.status.equals(AWAITING_REVIEW)) return;
                try {
                    approve(sub);
                } catch (ProlificError shortFunds) {
                    // it waits for review instead
                }
            }
            default -> {} // MANUALLY_REVIEW: stays AWAITING REVIEW
        }
    }

    private static void requireParticipantId(String pid) {
        if (pid == null || !PARTICIPANT_ID.matcher(pid).matches())
            throw ProlificError.badRequest("\"" + pid + "\" is not a participant id (letters, digits, - and _).");
    }

    private Submission participantSubmission(Study study, String pid) {
        for (Submission s : submissions.values()) {
            if (s.studyId.equals(study.id) && s.participantId.equals(pid)) return s;
        }
        return null;
    }

    // ---- JSON, money and paging helpers ----

    Cost cost(long amount) {
        long fee = BigDecimal.valueOf(amount)
                .multiply(feePercent)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
                .longValueExact();
        long vat = BigDecimal.valueOf(fee)
                .multiply(vatPercent)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
                .longValueExact();
        return new Cost(amount, fee, vat);
    }

    private static BigDecimal fraction(BigDecimal percent) {
        return percent.movePointLeft(2);
    }

    private ObjectNode page(List<ObjectNode> items, Map<String, String> query, String path) {
        int size = positive(query.get("page_size"), 20, "page_size");
        size = Math.min(size, 200);
        int pageNumber = positive(query.get("page"), 1, "page");
        int last = Math.max(1, (items.size() + size - 1) / size);
        if (pageNumber > last) throw ProlificError.notFound();
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        int from = (pageNumber - 1) * size;
        for (int i = from; i < Math.min(items.size(), from + size); i++) results.add(items.get(i));
        ObjectNode links = out.putObject("_links");
        link(links, "self", "Current page", pageHref(path, query, pageNumber, size));
        link(links, "next", "Next page", pageNumber < last ? pageHref(path, query, pageNumber + 1, size) : null);
        link(links, "previous", "Previous page", pageNumber > 1 ? pageHref(path, query, pageNumber - 1, size) : null);
        link(links, "last", "Last page", pageHref(path, query, last, size));
        out.putObject("meta").put("count", items.size());
        return out;
    }

    private static void link(ObjectNode links, String name, String title, String href) {
        ObjectNode l = links.putObject(name);
        if (href == null) l.putNull("href");
        else l.put("href", href);
        l.put("title", title);
    }

    private String pageHref(String path, Map<String, String> query, int pageNumber, int size) {
        StringBuilder b = new StringBuilder(apiBase.get()).append(path);
        char separator = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getKey().equals("page") || e.getKey().equals("page_size")) continue;
            b.append(separator).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            separator = '&';
        }
        return b.append(separator)
                .append("page=")
                .append(pageNumber)
                .append("&page_size=")
                .append(size)
                .toString();
    }

    private static int positive(String value, int otherwise, String name) {
        if (value == null) return otherwise;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw ProlificError.badRequest("Invalid " + name + " \"" + value + "\".");
    }

    private static String requiredText(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) throw ProlificError.required(field);
        if (!v.isTextual()) throw ProlificError.field(field, "Not a valid string.");
        if (v.asText().isBlank()) throw ProlificError.field(field, "This field may not be blank.");
        return v.asText();
    }

    private static String optionalText(JsonNode in, String field, String otherwise) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) return otherwise;
        if (!v.isTextual()) throw ProlificError.field(field, "Not a valid string.");
        return v.asText();
    }

    private static int requiredInt(JsonNode in, String field, int min) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) throw ProlificError.required(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw ProlificError.field(field, "A valid integer is required.");
        if (v.asInt() < min)
            throw ProlificError.field(field, "Ensure this value is greater than or equal to " + min + ".");
        return v.asInt();
    }

    private static List<String> stringList(JsonNode in, String field) {
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) throw ProlificError.required(field);
        if (!v.isArray() || v.isEmpty()) throw ProlificError.field(field, "Expected a non-empty list of ids.");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual() || e.asText().isBlank()) throw ProlificError.field(field, "Each id is a string.");
            out.add(e.asText());
        }
        return out;
    }

    private static ArrayNode stringChoices(JsonNode in, String field, Set<String> allowed, List<String> otherwise) {
        ArrayNode out = NODES.arrayNode();
        JsonNode v = in.get(field);
        if (v == null || v.isNull()) {
            otherwise.forEach(out::add);
            return out;
        }
        if (!v.isArray()) throw ProlificError.field(field, "Expected a list of items.");
        for (JsonNode e : v) {
            if (!e.isTextual() || !allowed.contains(e.asText().toLowerCase(Locale.ROOT)))
                throw ProlificError.field(field, e + " is not a valid choice.");
            out.add(e.asText().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static void putTime(ObjectNode out, String field, Instant t) {
        if (t == null) out.putNull(field);
        else out.put(field, t.toString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String newId() {
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 24; i++) b.append(Character.forDigit(RANDOM.nextInt(16), 16));
        return b.toString();
    }

    // ---- the records ----

    /** A participant payment and Prolific's charge on it, in cents. */
    record Cost(long amount, long fee, long vat) {
        long total() {
            return amount + fee + vat;
        }

        long part(int i) {
            return i == REWARDS ? amount : i == FEES ? fee : vat;
        }

        Cost times(long n) {
            return new Cost(amount * n, fee * n, vat * n);
        }
    }

    private static final class Project {
        final String id;
        final String title;
        String description = "";

        Project(String id, String title) {
            this.id = id;
            this.title = title;
        }
    }

    private record Code(String code, String type, String actor, List<ObjectNode> actions) {}

    private static final class Study {
        final String id;
        final Instant dateCreated;
        ObjectNode writable;
        String name;
        String internalName;
        String description;
        String externalStudyUrl;
        String prolificIdOption;
        List<Code> codes;
        int totalPlaces;
        int estimatedMinutes;
        int maximumMinutes;
        int reward;
        ArrayNode devices;
        ArrayNode peripherals;
        ArrayNode filters;
        String projectId;
        Instant publishAt;
        ObjectNode submissionsConfig;
        String status = UNPUBLISHED;
        boolean stopped;
        Instant publishedAt;
        final long[] reserved = new long[3];
        final Map<String, Integer> screenOuts = new HashMap<>();

        Study(String id, Instant dateCreated) {
            this.id = id;
            this.dateCreated = dateCreated;
        }
    }

    private static final class Submission {
        final String id;
        final String studyId;
        final String participantId;
        final Instant startedAt;
        final Instant deadline;
        String status = ACTIVE;
        Instant completedAt;
        String enteredCode;
        long reward;
        Instant returnRequested;
        String rejection;
        String rejectionCategory;
        final List<Long> bonusPayments = new ArrayList<>();

        Submission(String id, String studyId, String participantId, Instant startedAt, Instant deadline) {
            this.id = id;
            this.studyId = studyId;
            this.participantId = participantId;
            this.startedAt = startedAt;
            this.deadline = deadline;
        }

        ProlificEmulator.SubmissionView view() {
            return new ProlificEmulator.SubmissionView(
                    id, studyId, participantId, status, enteredCode, List.copyOf(bonusPayments));
        }
    }

    private static final class Group {
        final String id;
        final String name;
        final String description;
        final String projectId;
        final Map<String, Instant> members = new LinkedHashMap<>();

        Group(String id, String name, String description, String projectId) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.projectId = projectId;
        }
    }

    private record BonusLine(String submissionId, String participantId, long cents) {}

    private static final class BonusSetUp {
        final String id;
        final String studyId;
        final String csv;
        final List<BonusLine> lines;
        final Cost cost;
        final List<Instant> paidAt = new ArrayList<>();

        BonusSetUp(String id, String studyId, String csv, List<BonusLine> lines, Cost cost) {
            this.id = id;
            this.studyId = studyId;
            this.csv = csv;
            this.lines = lines;
            this.cost = cost;
        }
    }

    private record Message(String id, String recipientId, String studyId, String body, Instant sentAt) {}
}
