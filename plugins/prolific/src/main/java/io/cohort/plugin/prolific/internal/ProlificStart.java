package io.cohort.plugin.prolific.internal;

import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.PublicRoute;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
 * The participants' side, at {@code /prolific}: {@code /prolific/start} is our studies' URL (Prolific fills in
 * {@code PROLIFIC_PID}, {@code STUDY_ID} and {@code SESSION_ID}); {@code /prolific/finish} sends a participant
 * who reached the end back to Prolific with the study's completion code (the screen-out code for one who quit
 * early). The participant's URL token is the grant for the latter, as for their pages.
 */
@Component(service = PublicRoute.class, property = PublicRoute.PATH + "=/prolific")
public final class ProlificStart implements PublicRoute {

    /** Who status changes made here are recorded as. */
    static final String BY = "prolific";

    private static final Set<ParticipantStatus> FINISHED = EnumSet.of(
            ParticipantStatus.COMPLETED,
            ParticipantStatus.SUBMITTED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.REJECTED,
            ParticipantStatus.BONUSED);

    private final PluginDatabase database;
    private final Participants participants;
    private final ProlificProvider provider;

    @Activate
    public ProlificStart(
            @Reference PluginDatabase database,
            @Reference Participants participants,
            @Reference(target = "(cohort.crowd.provider=prolific)") io.cohort.api.crowd.CrowdProvider provider) {
        this.database = database;
        this.participants = participants;
        this.provider = (ProlificProvider) provider;
    }

    @Override
    public Reply handle(PageRequest request) {
        try {
            return switch (request.subPath()) {
                case "/start" -> start(request.parameters());
                case "/finish" ->
                    request.method().equals("POST")
                            ? finish(request.parameters())
                            : notice(405, "Use the button", "Going back to Prolific is done from the last page.");
                default -> notice(404, "Not found", "There is no page at /prolific" + request.subPath() + ".");
            };
        } catch (IllegalArgumentException e) {
            return notice(400, "Bad request", e.getMessage());
        }
    }

    private Reply start(Map<String, List<String>> parameters) {
        String pid = ProlificProvider.requireId(one(parameters, "PROLIFIC_PID"), "PROLIFIC_PID");
        String studyId = ProlificProvider.requireId(one(parameters, "STUDY_ID"), "STUDY_ID");
        String submissionId = ProlificProvider.requireId(one(parameters, "SESSION_ID"), "SESSION_ID");
        StoredStudy study = database.transaction(ProlificMapper.class, m -> m.study(studyId));
        if (study == null) {
            return notice(404, "Unknown study", "Study " + studyId + " is not one of this server's studies.");
        }
        Arrival known = database.transaction(ProlificMapper.class, m -> m.arrival(submissionId));
        if (known != null) {
            if (!known.prolificPid().equals(pid) || !known.studyId().equals(studyId)) {
                throw new IllegalArgumentException(
                        "SESSION_ID: submission " + submissionId + " belongs to another participant or study");
            }
            return participants
                    .find(known.participantId())
                    .map(p -> Reply.redirect(pageOf(p)))
                    .orElseGet(() -> notice(410, "Gone", "Your participation was removed. Please return the study."));
        }
        List<Participant> earlier = participants.ofWorker(ProlificProvider.NAME, pid);
        if (!study.allowRepeats() && !earlier.isEmpty()) {
            return notice(
                    403,
                    "You have taken part already",
                    "Our records show you have already taken part in this study (in another Prolific study of ours)."
                            + " It needs people who have not taken part before. Please return this study on"
                            + " Prolific.");
        }
        String name = earlier.stream().anyMatch(e -> e.sessionId().equals(study.sessionId()))
                ? pid + "/" + submissionId
                : pid;
        Participant p;
        try {
            p = participants.add(
                    study.sessionId(),
                    name,
                    new Participants.CrowdArrival(ProlificProvider.NAME, pid, submissionId, studyId, study.mode()),
                    BY);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return notice(409, "The study is not taking participants", e.getMessage());
        }
        Arrival arrival = new Arrival(submissionId, p.id(), pid, studyId);
        try {
            database.transaction(ProlificMapper.class, m -> m.addArrival(arrival));
        } catch (RuntimeException e) {
            // The same link opened twice at once: the first one's participant is the one to resume.
            Arrival first = database.transaction(ProlificMapper.class, m -> m.arrival(submissionId));
            if (first == null) {
                throw e;
            }
            participants.setStatus(p.id(), ParticipantStatus.DROPOUT, BY + " (duplicate start)");
            return participants
                    .find(first.participantId())
                    .map(q -> Reply.redirect(pageOf(q)))
                    .orElseThrow(() -> e);
        }
        return Reply.redirect(pageOf(p));
    }

    private Reply finish(Map<String, List<String>> parameters) {
        String sessionId = one(parameters, "sessionId");
        String token = one(parameters, "token");
        Optional<Participant> found =
                sessionId == null || token == null ? Optional.empty() : participants.byToken(sessionId, token);
        if (found.isEmpty()) {
            return notice(403, "Not yours", "This link does not belong to a participant of this study.");
        }
        Participant p = found.get();
        Arrival arrival = database.transaction(ProlificMapper.class, m -> m.arrivalOf(p.id()));
        if (arrival == null) {
            return notice(
                    400, "Not from Prolific", "You did not come from Prolific, so there is nothing to finish there.");
        }
        StoredStudy study = database.transaction(ProlificMapper.class, m -> m.study(arrival.studyId()));
        String code;
        if (FINISHED.contains(p.status())) {
            if (p.status() == ParticipantStatus.COMPLETED) {
                participants.setStatus(p.id(), ParticipantStatus.SUBMITTED, BY);
            }
            code = study.completionCode();
        } else if (p.status() == ParticipantStatus.QUIT_EARLY) {
            code = study.screenoutCode();
        } else {
            return notice(409, "Not finished yet", "Please finish the study first; the button is on its last page.");
        }
        return Reply.redirect(completionUrl(provider.settings().completionUrl(), code));
    }

    static String completionUrl(String base, String code) {
        return base + (base.contains("?") ? "&" : "?") + "cc=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
    }

    private static String pageOf(Participant p) {
        return "/p/" + p.sessionId() + "/" + p.token() + "/";
    }

    private static String one(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Reply notice(int status, String title, String text) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", title);
        model.put("text", text);
        return Reply.page(status, "templates/notice.peb", model);
    }
}
