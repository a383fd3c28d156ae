package io.cohort.plugin.prolific.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.EligibilityRule;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Prolific tab at {@code /admin/prolific}: mode and balance, our studies with places taken and submissions by
 * status (awaiting review, returned, timed out...), making a study (published at once or as a draft), publishing,
 * pausing, starting, stopping and adding places; messaging a participant; participant groups (make one, add
 * participants). Each change is named on the page that follows it.
 */
@Component(
        service = AdminPage.class,
        property = {AdminPage.PATH + "=/prolific", AdminPage.MENU + "=Prolific", AdminPage.MENU_ORDER + "=410"})
public final class StudiesTab implements AdminPage {

    static final String BASE = "/admin/prolific";

    private final ProlificProvider provider;
    private final Sessions sessions;
    /** What the last change of each admin did, shown once on the page after the redirect. */
    private final Map<String, Flash> flashes = new ConcurrentHashMap<>();

    @Activate
    public StudiesTab(
            @Reference(target = "(" + CrowdProvider.NAME + "=" + ProlificProvider.NAME + ")") CrowdProvider provider,
            @Reference Sessions sessions) {
        this.provider = (ProlificProvider) provider;
        this.sessions = sessions;
    }

    /** Public: the templates read it by reflection. Not ok: something asked for was not done. */
    public record Flash(boolean ok, String message) {}

    @Override
    public View handle(PageRequest request) {
        Map<String, List<String>> form = request.parameters();
        if (request.method().equals("GET")) {
            return switch (request.subPath()) {
                case "", "/" -> main(request.user(), form, null);
                default -> main(request.user(), Map.of(), "There is no page at " + BASE + request.subPath());
            };
        }
        try {
            String done = switch (request.subPath()) {
                case "/create" -> create(form);
                case "/publish" ->
                    "Published study "
                            + provider.publish(required(form, "studyId")).id() + ".";
                case "/pause" ->
                    "Paused study " + provider.pause(required(form, "studyId")).id() + ".";
                case "/start" ->
                    "Started study "
                            + provider.resume(required(form, "studyId")).id() + " again.";
                case "/stop" ->
                    "Stopped study " + provider.close(required(form, "studyId")).id() + ".";
                case "/places" -> addPlaces(form);
                case "/message" -> message(form);
                case "/groups/create" ->
                    "Made participant group "
                            + provider.createQualification(required(form, "name"), first(form, "description"))
                                    .id()
                            + ".";
                case "/groups/add" -> addToGroup(form);
                default -> throw new IllegalArgumentException("There is no action at " + BASE + request.subPath());
            };
            flashes.put(request.user(), new Flash(true, done));
            return View.redirect(BASE);
        } catch (IllegalArgumentException | CrowdException e) {
            String what = e instanceof CrowdException c
                    ? "Prolific refused: " + e.getMessage() + " (" + c.code() + ")"
                    : e.getMessage();
            if (request.subPath().equals("/create")) {
                // The form again with what was typed, so nothing has to be entered twice.
                return main(request.user(), form, what);
            }
            flashes.put(request.user(), new Flash(false, what));
            return View.redirect(BASE);
        }
    }

    private View main(String user, Map<String, List<String>> form, String error) {
        ProlificSettings settings = provider.settings();
        Map<String, Object> model = new HashMap<>();
        model.put("mode", provider.mode().name());
        model.put("notices", settings.notices());
        model.put("setUp", settings.usable());
        Flash flash = error != null ? new Flash(false, error) : flashes.remove(user);
        if (flash != null) {
            model.put("flash", flash);
        }
        model.put("studies", List.of());
        model.put("groups", List.of());
        if (settings.usable()) {
            try {
                model.put("balance", dollars(provider.balanceCents()));
                model.put("currency", provider.currency());
                model.put("studies", studies());
                model.put("groups", provider.qualifications(""));
            } catch (CrowdException e) {
                model.put("error", e.getMessage());
            }
        }
        model.put("_sessions", sessions.list());
        model.put("_uuid", UUID.randomUUID().toString());
        Map<String, String> values = new HashMap<>();
        form.forEach((k, v) -> values.put(k, v.isEmpty() ? "" : v.get(0)));
        model.put("_form", values);
        return View.of("templates/studies.peb", model);
    }

    private List<Map<String, Object>> studies() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ProlificProvider.Study each : provider.studies()) {
            Posting study = each.posting();
            Map<SubmissionStatus, Integer> counts = each.counts();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("study", study);
            row.put("status", study.status().name().toLowerCase(Locale.ROOT));
            row.put("reward", dollars(study.rewardCents()));
            row.put("placesTaken", study.pending() + study.completed());
            row.put("active", counts.get(SubmissionStatus.ACTIVE));
            row.put("awaitingReview", counts.get(SubmissionStatus.SUBMITTED));
            row.put("approved", counts.get(SubmissionStatus.APPROVED));
            row.put("rejected", counts.get(SubmissionStatus.REJECTED));
            row.put("returned", counts.get(SubmissionStatus.RETURNED));
            row.put("timedOut", counts.get(SubmissionStatus.TIMED_OUT));
            // A fresh token per rendering of the form: one submit adds places once, however often it is resent.
            row.put("token", UUID.randomUUID().toString());
            rows.add(row);
        }
        return rows;
    }

    private String create(Map<String, List<String>> form) {
        String sessionId = required(form, "sessionId");
        if (sessions.find(sessionId).isEmpty()) {
            throw new IllegalArgumentException("sessionId: there is no session '" + sessionId + "'");
        }
        List<EligibilityRule> eligibility = new ArrayList<>();
        String allow = first(form, "allowGroup");
        if (allow != null && !allow.isBlank()) {
            eligibility.add(new EligibilityRule(allow, "Exists", List.of(), List.of()));
        }
        String block = first(form, "blockGroup");
        if (block != null && !block.isBlank()) {
            eligibility.add(new EligibilityRule(block, "DoesNotExist", List.of(), List.of()));
        }
        Map<String, String> options = new HashMap<>();
        if (first(form, "draft") != null) {
            options.put("draft", "true");
        }
        Posting study = provider.post(new PostingSpec(
                sessionId,
                required(form, "title"),
                required(form, "description"),
                cents(required(form, "reward"), "reward"),
                60L * integer(required(form, "estimatedMinutes"), "estimatedMinutes", 1, 24 * 60),
                60L * integer(required(form, "maximalMinutes"), "maximalMinutes", 1, 7 * 24 * 60),
                0,
                integer(required(form, "places"), "places", 1, 100_000),
                eligibility,
                first(form, "allowRepeats") != null,
                options,
                required(form, "token")));
        return "Made study " + study.id() + " (" + study.title() + ") for session " + sessionId + ", "
                + study.places() + " places at " + dollars(study.rewardCents()) + " " + provider.currency()
                + (options.containsKey("draft") ? ", as a draft." : ", published.");
    }

    private String addPlaces(Map<String, List<String>> form) {
        int places = integer(required(form, "places"), "places", 1, 100_000);
        Posting study = provider.addPlaces(required(form, "studyId"), 0, places, required(form, "token"));
        return "Study " + study.id() + " now has " + study.places() + " places.";
    }

    private String message(Map<String, List<String>> form) {
        String pid = required(form, "participantId");
        String studyId = required(form, "studyId");
        provider.message(pid, studyId, required(form, "message"));
        return "Sent a message to " + pid + " about study " + studyId + ".";
    }

    private String addToGroup(Map<String, List<String>> form) {
        String group = required(form, "groupId");
        List<String> ids = new ArrayList<>();
        for (String id : required(form, "participantIds").split("[,\\s]+")) {
            if (!id.isBlank()) {
                ids.add(ProlificProvider.requireId(id.strip(), "participantIds"));
            }
        }
        for (String id : ids) {
            provider.qualify(group, id, 1, false);
        }
        return "Added " + ids.size() + " participant(s) to group " + group + ".";
    }

    static String dollars(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    static long cents(String dollars, String field) {
        try {
            BigDecimal value = new BigDecimal(dollars.strip());
            if (value.signum() < 0 || value.scale() > 2) {
                throw new NumberFormatException();
            }
            return value.movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(field + ": '" + dollars + "' is not an amount like 1.50");
        }
    }

    static int integer(String value, String field, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    field + ": '" + value + "' is not a whole number from " + min + " to " + max);
        }
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String required(Map<String, List<String>> form, String name) {
        String value = first(form, name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": required");
        }
        return value.strip();
    }
}
