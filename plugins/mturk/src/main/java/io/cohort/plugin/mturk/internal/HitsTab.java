package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.EligibilityRule;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

/**
 * The MTurk tab at {@code /admin/mturk}: mode and balance, our HITs with live counts (the table polls
 * {@code /admin/mturk/hits}), posting a HIT, extending, expiring and deleting one; {@code /qualifications} (create,
 * search, assign) and {@code /workers} (notify, block). Each change is named on the page that follows it.
 */
@Component(
        service = AdminPage.class,
        configurationPid = MTurkProvider.PID,
        property = {AdminPage.PATH + "=/mturk", AdminPage.MENU + "=MTurk", AdminPage.MENU_ORDER + "=400"})
public final class HitsTab implements AdminPage {

    /** The node's own address, the default publicUrl. */
    private final String nodeUrl;

    static final String BASE = "/admin/mturk";
    static final String APPROVAL_RATE = "000000000000000000L0";
    static final String APPROVED_COUNT = "00000000000000000040";
    static final List<String> COMPARATORS = List.of(
            "GreaterThanOrEqualTo",
            "GreaterThan",
            "LessThan",
            "LessThanOrEqualTo",
            "EqualTo",
            "NotEqualTo",
            "Exists",
            "DoesNotExist");

    private final MTurkProvider provider;
    private final Sessions sessions;
    private final Participants participants;
    private volatile MTurkSettings settings;
    /** What the last change of each admin did, shown once on the page after the redirect. */
    private final Map<String, Flash> flashes = new ConcurrentHashMap<>();

    @Activate
    public HitsTab(
            @Reference(target = "(" + CrowdProvider.NAME + "=" + MTurkProvider.NAME + ")") MTurkProvider provider,
            @Reference Sessions sessions,
            @Reference Participants participants,
            MTurkConfig config,
            BundleContext context) {
        this.nodeUrl = MTurkSettings.nodeUrl(context);
        this.provider = provider;
        this.sessions = sessions;
        this.participants = participants;
        this.settings = MTurkSettings.of(config, nodeUrl);
    }

    @Modified
    void modified(MTurkConfig config) {
        settings = MTurkSettings.of(config, nodeUrl);
    }

    /** Public: the templates read it by reflection. Not ok: something asked for was not done. */
    public record Flash(boolean ok, String message) {}

    private static Flash done(String message) {
        return new Flash(true, message);
    }

    /**
     * A HIT as the tab and its JSON twin show it: the api's {@link Posting} in MTurk's words, under the twin's names
     * from before api.crowd 2.0 ({@code maxAssignments}; {@code status} MTurk's HITStatus, e.g. {@code ASSIGNABLE}).
     * Public: the templates read it by reflection.
     */
    public record HitView(
            String id,
            String sessionId,
            String title,
            CrowdMode mode,
            String status,
            long rewardCents,
            int maxAssignments,
            int available,
            int pending,
            int completed,
            Instant created,
            Instant expires) {

        static HitView of(MTurkProvider.Listed listed) {
            Posting p = listed.posting();
            return new HitView(
                    p.id(),
                    p.sessionId(),
                    p.title(),
                    p.mode(),
                    listed.hitStatus().toUpperCase(Locale.ROOT),
                    p.rewardCents(),
                    p.places(),
                    p.available(),
                    p.pending(),
                    p.completed(),
                    p.created(),
                    p.expires());
        }
    }

    @Override
    public View handle(PageRequest request) {
        Map<String, List<String>> form = request.parameters();
        if (request.method().equals("GET")) {
            return switch (request.subPath()) {
                case "", "/" -> main(request.user(), form, null);
                case "/hits" -> View.of("templates/hits-rows.peb", hitsModel());
                case "/qualifications" -> qualifications(request.user(), form);
                case "/workers" -> workers(request.user());
                default -> View.of("templates/missing.peb", Map.of("path", BASE + request.subPath()));
            };
        }
        String back = request.subPath().startsWith("/qualifications")
                ? BASE + "/qualifications"
                : request.subPath().startsWith("/workers") ? BASE + "/workers" : BASE;
        try {
            Flash done = switch (request.subPath()) {
                case "/post" -> done(post(form));
                case "/extend" -> done(extend(form));
                case "/expire" ->
                    done("Expired HIT "
                            + provider.close(required(form, "hitId")).id() + ".");
                case "/delete" -> done(delete(form));
                case "/qualifications/create" -> done(createQualification(form));
                case "/qualifications/assign" -> assign(form);
                case "/workers/notify" -> notifyWorkers(form);
                case "/workers/block" -> done(block(form));
                default -> throw new IllegalArgumentException("There is no action at " + BASE + request.subPath());
            };
            flashes.put(request.user(), done);
            return View.redirect(back);
        } catch (IllegalArgumentException | CrowdException e) {
            String what = e instanceof CrowdException c
                    ? "MTurk refused: " + e.getMessage() + " (" + c.code() + ")"
                    : e.getMessage();
            if (request.subPath().equals("/post")) {
                // Show the form again with what was typed, so nothing has to be entered twice.
                return main(request.user(), form, what);
            }
            flashes.put(request.user(), new Flash(false, what));
            return View.redirect(back);
        }
    }

    private View main(String user, Map<String, List<String>> form, String error) {
        Map<String, Object> model = common(user);
        model.putAll(hitsModel());
        model.put("sessions", sessions.list());
        model.put("qualificationTypes", qualificationTypes(""));
        model.put("comparators", COMPARATORS);
        model.put("placesPerHit", provider.placesPerPosting());
        model.put("uuid", UUID.randomUUID().toString());
        Map<String, String> values = new HashMap<>();
        form.forEach((k, v) -> values.put(k, v.isEmpty() ? "" : v.get(0)));
        model.put("form", values);
        if (error != null) {
            model.put("flash", new Flash(false, error));
        }
        if (settings.usable()) { // otherwise the notices already say why there is no balance
            try {
                model.put("balance", MTurkProvider.money(provider.balanceCents()));
            } catch (CrowdException e) {
                model.put("balanceError", e.getMessage());
            }
        }
        return View.of("templates/hits.peb", model);
    }

    private View qualifications(String user, Map<String, List<String>> form) {
        Map<String, Object> model = common(user);
        String query = first(form, "q");
        model.put("q", query == null ? "" : query);
        model.put("qualificationTypes", qualificationTypes(query == null ? "" : query));
        model.put("sessions", sessions.list());
        model.put("statuses", ParticipantStatus.values());
        return View.of("templates/qualifications.peb", model);
    }

    private View workers(String user) {
        Map<String, Object> model = common(user);
        model.put("sessions", sessions.list());
        model.put("statuses", ParticipantStatus.values());
        return View.of("templates/workers.peb", model);
    }

    private Map<String, Object> common(String user) {
        Map<String, Object> model = new HashMap<>();
        MTurkSettings now = settings;
        model.put("mode", provider.mode().name());
        model.put("notices", now.notices());
        model.put("setUp", now.usable());
        model.put("workerSite", now.workerSite());
        Flash flash = flashes.remove(user);
        if (flash != null) {
            model.put("flash", flash);
        }
        return model;
    }

    private Map<String, Object> hitsModel() {
        Map<String, Object> model = new HashMap<>();
        try {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (MTurkProvider.Listed listed : provider.listed()) {
                Posting h = listed.posting();
                Map<String, Object> row = new HashMap<>();
                row.put("hit", HitView.of(listed));
                row.put("reward", MTurkProvider.money(h.rewardCents()));
                row.put("status", listed.hitStatus().toLowerCase(Locale.ROOT));
                // MTurk counts an assignment "completed" only once approved or rejected; a lab means "done": every
                // slot taken and handed in, whether reviewed yet or not.
                row.put("done", Math.max(h.completed(), h.places() - h.available() - h.pending()));
                // A disposed HIT is gone at MTurk: nothing left to extend, expire or delete.
                row.put("actionable", h.status() != PostingStatus.CLOSED);
                // A fresh token per rendering of the form: one submit extends once, however often it is resent.
                row.put("token", UUID.randomUUID().toString());
                rows.add(row);
            }
            model.put("hits", rows);
        } catch (CrowdException e) {
            model.put("hits", List.of());
            model.put("hitsError", e.getMessage());
        }
        return model;
    }

    private List<StoredQualification> qualificationTypes(String query) {
        return provider.storedQualifications(query);
    }

    private String post(Map<String, List<String>> form) {
        String sessionId = required(form, "sessionId");
        if (sessions.find(sessionId).isEmpty()) {
            throw new IllegalArgumentException("sessionId: there is no session '" + sessionId + "'");
        }
        List<EligibilityRule> requirements = new ArrayList<>();
        String approval = first(form, "minApprovalRate");
        if (approval != null && !approval.isBlank()) {
            requirements.add(new EligibilityRule(
                    APPROVAL_RATE,
                    "GreaterThanOrEqualTo",
                    List.of(integer(approval, "minApprovalRate", 0, 100)),
                    List.of()));
        }
        String approved = first(form, "minApproved");
        if (approved != null && !approved.isBlank()) {
            requirements.add(new EligibilityRule(
                    APPROVED_COUNT,
                    "GreaterThanOrEqualTo",
                    List.of(integer(approved, "minApproved", 0, Integer.MAX_VALUE)),
                    List.of()));
        }
        String countries = first(form, "countries");
        if (countries != null && !countries.isBlank()) {
            List<String> codes = Arrays.stream(countries.split("[,\\s]+"))
                    .filter(s -> !s.isBlank())
                    .map(s -> s.toUpperCase(Locale.ROOT))
                    .toList();
            for (String code : codes) {
                if (!code.matches("[A-Z]{2}")) {
                    throw new IllegalArgumentException("countries: '" + code + "' is not a two-letter country code");
                }
            }
            requirements.add(new EligibilityRule(MTurkProvider.LOCALE_TYPE, "In", List.of(), codes));
        }
        String typeId = first(form, "qualificationTypeId");
        if (typeId != null && !typeId.isBlank()) {
            String comparator = required(form, "qualificationComparator");
            if (!COMPARATORS.contains(comparator)) {
                throw new IllegalArgumentException(
                        "qualificationComparator: '" + comparator + "' is not one of " + COMPARATORS);
            }
            boolean valued = !comparator.equals("Exists") && !comparator.equals("DoesNotExist");
            requirements.add(new EligibilityRule(
                    typeId,
                    comparator,
                    valued
                            ? List.of(integer(
                                    required(form, "qualificationValue"),
                                    "qualificationValue",
                                    Integer.MIN_VALUE,
                                    Integer.MAX_VALUE))
                            : List.of(),
                    List.of()));
        }
        String title = required(form, "title");
        String description = required(form, "description");
        Map<String, String> options = new HashMap<>();
        String keywords = first(form, "keywords");
        if (keywords != null && !keywords.isBlank()) {
            options.put(MTurkProvider.KEYWORDS, keywords);
        }
        long reward = dollarsToCents(required(form, "reward"), "reward");
        long duration = 60L * integer(required(form, "durationMinutes"), "durationMinutes", 1, 365 * 24 * 60);
        long lifetime = 3600L * integer(required(form, "lifetimeHours"), "lifetimeHours", 1, 365 * 24);
        options.put(
                MTurkProvider.AUTO_APPROVAL,
                String.valueOf(3600L * integer(required(form, "autoApprovalHours"), "autoApprovalHours", 0, 30 * 24)));
        PostingSpec spec = new PostingSpec(
                sessionId,
                title,
                description,
                reward,
                duration, // MTurk has no estimated time: the longest a worker may take stands for it
                duration,
                lifetime,
                integer(required(form, "maxAssignments"), "maxAssignments", 1, 1_000_000),
                requirements,
                first(form, "allowRepeats") != null,
                options,
                required(form, "token"));
        Posting hit = provider.post(spec);
        return "Posted HIT " + hit.id() + " (" + hit.title() + ") for session " + sessionId + ", " + hit.places()
                + " assignments at $" + MTurkProvider.money(hit.rewardCents()) + ".";
    }

    private String extend(Map<String, List<String>> form) {
        String seconds = first(form, "seconds");
        String more = first(form, "assignments");
        long extraSeconds =
                seconds == null || seconds.isBlank() ? 0 : integer(seconds, "seconds", 0, Integer.MAX_VALUE);
        int extraAssignments = more == null || more.isBlank() ? 0 : integer(more, "assignments", 0, 1_000_000);
        Posting hit =
                provider.addPlaces(required(form, "hitId"), extraSeconds, extraAssignments, required(form, "token"));
        return "Extended HIT " + hit.id() + " by " + extraSeconds + " seconds and " + extraAssignments
                + " assignments: now " + hit.places() + " assignments, expiring " + hit.expires() + ".";
    }

    private String delete(Map<String, List<String>> form) {
        String hitId = required(form, "hitId");
        provider.delete(hitId);
        return "Deleted HIT " + hitId + ".";
    }

    private String createQualification(Map<String, List<String>> form) {
        StoredQualification type = provider.createQualification(
                required(form, "name"), required(form, "description"), first(form, "keywords"));
        return "Created qualification type " + type.name() + " (" + type.id() + ").";
    }

    private Flash assign(Map<String, List<String>> form) {
        String typeId = required(form, "typeId");
        int value = integer(required(form, "value"), "value", Integer.MIN_VALUE, Integer.MAX_VALUE);
        boolean notify = first(form, "notify") != null;
        List<String> workers = workersOf(form);
        String what = "Assigned qualification " + typeId + " = " + value + " to ";
        for (int i = 0; i < workers.size(); i++) {
            try {
                provider.qualify(typeId, workers.get(i), value, notify);
            } catch (CrowdException e) {
                if (i == 0) {
                    throw e; // nothing assigned: the refusal alone says what happened
                }
                // Stop at the first refusal (the next would most likely fail alike) and say who has it and who not.
                return new Flash(
                        false,
                        what + i + " of " + workers.size() + " workers: "
                                + String.join(", ", workers.subList(0, i)) + ". Not assigned: "
                                + String.join(", ", workers.subList(i, workers.size())) + ", as MTurk refused "
                                + workers.get(i) + ": " + e.getMessage() + " (" + e.code() + ").");
            }
        }
        return done(what + workers.size() + " worker" + (workers.size() == 1 ? "" : "s") + ": "
                + String.join(", ", workers) + ".");
    }

    private Flash notifyWorkers(Map<String, List<String>> form) {
        List<String> workers = workersOf(form);
        Map<String, String> failed = provider.notify(workers, required(form, "subject"), required(form, "message"));
        String reached = "Notified " + (workers.size() - failed.size()) + " of " + workers.size() + " workers.";
        return failed.isEmpty()
                ? done(reached)
                : new Flash(
                        false,
                        reached + " Not reached: "
                                + failed.entrySet().stream()
                                        .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                        .collect(Collectors.joining(", "))
                                + ".");
    }

    private String block(Map<String, List<String>> form) {
        String worker = required(form, "workerId").strip();
        provider.block(worker, required(form, "reason"));
        return "Blocked worker " + worker + ".";
    }

    /** The worker IDs typed in {@code workerIds}, or the MTurk workers of {@code sessionId} with {@code status}. */
    private List<String> workersOf(Map<String, List<String>> form) {
        String typed = first(form, "workerIds");
        if (typed != null && !typed.isBlank()) {
            List<String> ids = Arrays.stream(typed.split("[,\\s]+"))
                    .filter(s -> !s.isBlank())
                    .distinct()
                    .toList();
            ids.forEach(MTurkProvider::requireWorker);
            return ids;
        }
        String sessionId = first(form, "sessionId");
        if (sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("workerIds: give worker IDs or choose a session");
        }
        String status = first(form, "status");
        Set<ParticipantStatus> wanted;
        if (status == null || status.isBlank() || status.equals("any")) {
            wanted = Set.of(ParticipantStatus.values());
        } else {
            try {
                ParticipantStatus chosen = ParticipantStatus.valueOf(status);
                // What a lab means: "approved" includes those approved and bonused since, "submitted" those whose
                // work was since approved or bonused (a status moves on; the work it names stays done).
                wanted = switch (chosen) {
                    case APPROVED -> Set.of(ParticipantStatus.APPROVED, ParticipantStatus.BONUSED);
                    case SUBMITTED ->
                        Set.of(ParticipantStatus.SUBMITTED, ParticipantStatus.APPROVED, ParticipantStatus.BONUSED);
                    default -> Set.of(chosen);
                };
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status: '" + status + "' is not a participant status");
            }
        }
        List<String> ids = participants.ofSession(sessionId).stream()
                .filter(p -> MTurkProvider.NAME.equals(p.provider()) && p.workerId() != null)
                .filter(p -> wanted.contains(p.status()))
                .map(Participant::workerId)
                .distinct()
                .toList();
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("sessionId: session " + sessionId + " has no MTurk workers"
                    + (wanted.size() == 1 ? " with status " + status : ""));
        }
        return ids;
    }

    static long dollarsToCents(String value, String field) {
        try {
            BigDecimal dollars = new BigDecimal(value.strip().replaceFirst("^\\$", ""));
            if (dollars.signum() < 0 || dollars.scale() > 2) {
                throw new NumberFormatException();
            }
            return dollars.movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not an amount in dollars such as 0.50");
        }
    }

    static int integer(String value, String field, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(field + ": " + n + " is not between " + min + " and " + max);
        }
        return (int) n;
    }

    private static String required(Map<String, List<String>> form, String name) {
        String value = first(form, name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": missing");
        }
        return value;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
