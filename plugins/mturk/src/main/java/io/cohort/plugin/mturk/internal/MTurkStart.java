package io.cohort.plugin.mturk.internal;

import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.PublicRoute;
import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The workers' side, at {@code /mturk}: {@code /mturk/start} is the ExternalQuestion URL of our HITs (the ad on
 * preview; on accept a participant, then their pages), {@code /mturk/submit} is where the end page sends them back
 * to MTurk. The participant's URL token is the grant for the latter, as for their pages.
 */
@Component(service = PublicRoute.class, property = PublicRoute.PATH + "=/mturk")
public final class MTurkStart implements PublicRoute {

    static final String PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE";
    /** Who status changes made here are recorded as. */
    static final String BY = "mturk";

    private static final Set<ParticipantStatus> FINISHED = EnumSet.of(
            ParticipantStatus.COMPLETED,
            ParticipantStatus.SUBMITTED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.REJECTED,
            ParticipantStatus.BONUSED);
    private static final Set<ParticipantStatus> QUIT =
            EnumSet.of(ParticipantStatus.QUIT_EARLY, ParticipantStatus.DROPOUT);

    private final PluginDatabase database;
    private final Participants participants;
    private final Sessions sessions;
    private final Experiments experiments;

    @Activate
    public MTurkStart(
            @Reference PluginDatabase database,
            @Reference Participants participants,
            @Reference Sessions sessions,
            @Reference Experiments experiments) {
        this.database = database;
        this.participants = participants;
        this.sessions = sessions;
        this.experiments = experiments;
    }

    @Override
    public Reply handle(PageRequest request) {
        try {
            return switch (request.subPath()) {
                case "/start" -> start(request.parameters());
                case "/submit" ->
                    request.method().equals("POST")
                            ? submit(request.parameters())
                            : notice(
                                    405,
                                    "Use the button",
                                    "Submitting to MTurk is done with the button on the last page.");
                default -> notice(404, "Not found", "There is no page at /mturk" + request.subPath() + ".");
            };
        } catch (IllegalArgumentException e) {
            return notice(400, "Bad request", e.getMessage());
        }
    }

    private Reply start(Map<String, List<String>> parameters) {
        String hitId = MTurkProvider.requireId(one(parameters, "hitId"), "hitId");
        StoredHit hit = database.transaction(MTurkMapper.class, m -> m.hit(hitId));
        if (hit == null) {
            return notice(404, "Unknown HIT", "HIT " + hitId + " is not one of this study's HITs.");
        }
        String assignmentId = one(parameters, "assignmentId");
        if (PREVIEW.equals(assignmentId)) {
            // An experiment with its own ad (a psiTurk project's ad.html) shows it, with MTurk's parameters.
            Optional<String> own = sessions.find(hit.sessionId())
                    .flatMap(s -> experiments.find(s.experiment()))
                    .map(Experiment::adPath);
            if (own.isPresent()) {
                return Reply.redirect(own.get() + "?hitId=" + hitId + "&assignmentId=" + PREVIEW + "&mode="
                        + (hit.mode() == io.cohort.api.crowd.CrowdMode.LIVE ? "live" : "sandbox"));
            }
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("hit", hit);
            model.put("reward", MTurkProvider.money(hit.rewardCents()));
            model.put("minutes", (hit.assignmentDurationSeconds() + 59) / 60);
            return Reply.page(200, "templates/ad.peb", model);
        }
        MTurkProvider.requireId(assignmentId, "assignmentId");
        String workerId = MTurkProvider.requireWorker(one(parameters, "workerId"));
        String turkSubmitTo = httpUrl(one(parameters, "turkSubmitTo"));

        Arrival known = database.transaction(MTurkMapper.class, m -> m.arrival(assignmentId));
        if (known != null) {
            return resume(known, workerId);
        }
        List<Participant> earlier = participants.ofWorker(MTurkProvider.NAME, workerId);
        if (!hit.allowRepeats() && !earlier.isEmpty()) {
            return refused(earlier.get(earlier.size() - 1));
        }
        // Names are unique in a session: a repeat there is told apart by its assignment.
        String name = earlier.stream().anyMatch(e -> e.sessionId().equals(hit.sessionId()))
                ? workerId + "/" + assignmentId
                : workerId;
        Participant p;
        try {
            p = participants.add(
                    hit.sessionId(),
                    name,
                    new Participants.CrowdArrival(MTurkProvider.NAME, workerId, assignmentId, hitId, hit.mode()),
                    BY);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return notice(409, "The study is not taking participants", e.getMessage());
        }
        Arrival arrival = new Arrival(assignmentId, p.id(), workerId, hitId, turkSubmitTo);
        try {
            database.transaction(MTurkMapper.class, m -> m.addArrival(arrival));
        } catch (RuntimeException e) {
            // The same accept, twice at once: the first one's participant is the one to resume.
            Arrival first = database.transaction(MTurkMapper.class, m -> m.arrival(assignmentId));
            if (first == null) {
                throw e;
            }
            participants.setStatus(p.id(), ParticipantStatus.DROPOUT, BY + " (duplicate accept)");
            return resume(first, workerId);
        }
        return Reply.redirect(pageOf(p));
    }

    private Reply resume(Arrival arrival, String workerId) {
        if (!arrival.workerId().equals(workerId)) {
            throw new IllegalArgumentException(
                    "workerId: assignment " + arrival.assignmentId() + " belongs to another worker");
        }
        Optional<Participant> p = participants.find(arrival.participantId());
        return p.isPresent()
                ? Reply.redirect(pageOf(p.get()))
                : notice(410, "Gone", "Your participation was removed. Please return the HIT.");
    }

    /** psiTurk's repeat rules: one take per worker, however it ended. */
    private static Reply refused(Participant earlier) {
        String rule;
        String text;
        if (FINISHED.contains(earlier.status())) {
            rule = "completed";
            text = "Our records show you have already completed this study. Because it needs people who have not"
                    + " taken part before, you cannot take it again. Please return the HIT.";
        } else if (QUIT.contains(earlier.status())) {
            rule = "quit early";
            text = "Our records show you started this study earlier and left it before the end. Because it needs"
                    + " people who have not taken part before, you cannot take it again. Please return the HIT.";
        } else {
            rule = "already started";
            text = "Our records show you have already started this study in another HIT or assignment. You can"
                    + " only take part once. Please return this HIT.";
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("rule", rule);
        model.put("text", text);
        return Reply.page(403, "templates/refused.peb", model);
    }

    private Reply submit(Map<String, List<String>> parameters) {
        String sessionId = one(parameters, "sessionId");
        String token = one(parameters, "token");
        Optional<Participant> found =
                sessionId == null || token == null ? Optional.empty() : participants.byToken(sessionId, token);
        if (found.isEmpty()) {
            return notice(403, "Not yours", "This link does not belong to a participant of this study.");
        }
        Participant p = found.get();
        Arrival arrival = database.transaction(MTurkMapper.class, m -> m.arrivalOf(p.id()));
        if (arrival == null) {
            return notice(400, "Not from MTurk", "You did not come from MTurk, so there is nothing to submit there.");
        }
        if (!FINISHED.contains(p.status())) {
            return notice(409, "Not finished yet", "Please finish the study first; the button is on its last page.");
        }
        if (p.status() == ParticipantStatus.COMPLETED) {
            participants.setStatus(p.id(), ParticipantStatus.SUBMITTED, BY);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("action", arrival.turkSubmitTo().replaceAll("/+$", "") + "/mturk/externalSubmit");
        model.put("assignmentId", arrival.assignmentId());
        return Reply.page(200, "templates/submit.peb", model);
    }

    private static String pageOf(Participant p) {
        return "/p/" + p.sessionId() + "/" + p.token() + "/";
    }

    private static String httpUrl(String value) {
        try {
            URI uri = value == null ? null : URI.create(value);
            if (uri != null
                    && uri.getScheme() != null
                    && uri.getScheme().matches("(?i)https?")
                    && uri.getHost() != null
                    && uri.getRawQuery() == null
                    && uri.getRawFragment() == null) {
                return value;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("turkSubmitTo: '" + value + "' is not an http(s) URL");
    }

    private static String one(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Reply notice(int status, String title, String text) {
        return Reply.page(status, "templates/notice.peb", Map.of("title", title, "text", text));
    }
}
