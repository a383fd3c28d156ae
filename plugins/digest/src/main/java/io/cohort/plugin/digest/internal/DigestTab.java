package io.cohort.plugin.digest.internal;

import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.SessionTab;
import io.cohort.api.web.View;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Digest tab of each session's page: the digest of the session's experiment ({@link ExperimentHooks#digest},
 * from the hooks registered for it), or {@link DefaultDigest} when it has none. Its twin at
 * {@code /api/sessions/{id}/digest} answers the digest's values; the page draws them ({@link Sections}).
 */
@Component(
        service = SessionTab.class,
        property = {SessionTab.PATH + "=digest", SessionTab.LABEL + "=Digest", SessionTab.ORDER + "=20"})
public final class DigestTab implements SessionTab {

    private final Participants participants;
    private final ParticipantData data;
    private final Experiments experiments;
    /** Every experiment's hooks, with the experiment each is registered for. */
    private final Map<ExperimentHooks, String> hooks = new ConcurrentHashMap<>();

    @Activate
    public DigestTab(
            @Reference Participants participants, @Reference ParticipantData data, @Reference Experiments experiments) {
        this.participants = participants;
        this.data = data;
        this.experiments = experiments;
    }

    /** Hooks as they come and go (held: the digest reads them on each request). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindHooks(ExperimentHooks service, Map<String, Object> properties) {
        Object experiment = properties.get(ExperimentHooks.EXPERIMENT);
        if (experiment != null) {
            hooks.put(service, experiment.toString());
        }
    }

    public void unbindHooks(ExperimentHooks service) {
        hooks.remove(service);
    }

    @Override
    public View handle(Session session, PageRequest request) {
        List<Participant> people = participants.ofSession(session.id());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("session", session.id());
        model.put("experiment", session.experiment());
        Map<String, Object> digest;
        try {
            digest = own(session, people);
        } catch (RuntimeException e) {
            // The experiment's code failed: say so, and show what the host can tell anyway.
            model.put("error", "The experiment's digest failed: " + e);
            digest = Map.of();
        }
        boolean own = !digest.isEmpty();
        if (!own) {
            digest = DefaultDigest.of(people, data, experiments.find(session.experiment()));
        }
        model.put("own", own);
        model.put("digest", digest);
        model.put("_sections", Sections.of(digest));
        return View.of("templates/digest.peb", model);
    }

    /** The experiment's own digest, from the hooks registered for it; empty if none. */
    private Map<String, Object> own(Session session, List<Participant> people) {
        for (Map.Entry<ExperimentHooks, String> e : hooks.entrySet()) {
            if (e.getValue().equals(session.experiment())) {
                Map<String, Object> digest = e.getKey().digest(session, people, data);
                return digest == null ? Map.of() : digest;
            }
        }
        return Map.of();
    }
}
