package io.cohort.plugin.simulation.internal;

import io.cohort.api.session.Session;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.SessionTab;
import io.cohort.api.web.View;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Bots tab of a session's page ({@code /admin/sessions/{id}/bots}): the session's bot runs and their state, and
 * a form to add N bots that play it from the server. Its JSON twin: {@code GET /api/sessions/{id}/bots} lists the
 * runs; {@code POST} with {@code n} adds and starts that many.
 */
@Component(
        service = SessionTab.class,
        property = {SessionTab.PATH + "=bots", SessionTab.LABEL + "=Bots", SessionTab.ORDER + "=50"})
public final class BotsTab implements SessionTab {

    private final BotRuns runs;

    @Activate
    public BotsTab(@Reference BotRuns runs) {
        this.runs = runs;
    }

    @Override
    public View handle(Session session, PageRequest request) {
        if (!request.subPath().isEmpty() && !request.subPath().equals("/")) {
            return page(session, Map.of("ok", false, "message", "There is no page " + request.subPath() + " here."));
        }
        if (request.method().equals("POST")) {
            List<String> n = request.parameters().getOrDefault("n", List.of());
            try {
                int added = runs.add(session.id(), n.isEmpty() ? null : n.get(0), request.user())
                        .size();
                return page(
                        session, Map.of("ok", true, "message", added + " bot(s) added; they play from the server."));
            } catch (IllegalArgumentException refused) {
                return page(session, Map.of("ok", false, "message", refused.getMessage()));
            }
        }
        return page(session, null);
    }

    private View page(Session session, Map<String, Object> flash) {
        List<BotRun> list = runs.ofSession(session.id());
        Map<String, Integer> states = new TreeMap<>();
        for (BotRun r : list) {
            states.merge(r.state(), 1, Integer::sum);
        }
        Map<String, Object> model = new HashMap<>();
        model.put("session", Map.of("id", session.id(), "name", session.name(), "simulate", session.simulate()));
        model.put("runs", list);
        model.put("states", states);
        model.put("max", BotRuns.MAX);
        if (flash != null) {
            model.put("flash", flash);
        }
        return View.of("templates/bots.peb", model);
    }
}
