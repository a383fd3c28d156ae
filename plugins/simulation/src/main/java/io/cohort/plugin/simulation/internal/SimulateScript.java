package io.cohort.plugin.simulation.internal;

import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.ParticipantPageContribution;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * On every page of a session made with "simulate", the experiment's {@code static/simulate.js} (uproot's idea):
 * the page plays itself in a browser with no human. First {@code window.cohort.currentPage} is set to
 * {@code "<experiment>/<page>"}, {@code I(id)} to {@code document.getElementById} and
 * {@code window.cohort.submitPage()} sends the page's form as its button would. Other sessions' pages get nothing.
 */
@Component(service = ParticipantPageContribution.class)
public final class SimulateScript implements ParticipantPageContribution {

    private final Sessions sessions;
    /** A session's experiment and simulate flag never change: asked once per session, not on every page. */
    private final Map<String, Optional<Session>> known = new ConcurrentHashMap<>();

    @Activate
    public SimulateScript(@Reference Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public String head(ParticipantPage page) {
        return null;
    }

    @Override
    public String body(ParticipantPage page) {
        Optional<Session> session = known.computeIfAbsent(page.sessionId(), sessions::find);
        if (session.isEmpty() || !session.get().simulate()) {
            return null;
        }
        String experiment = session.get().experiment();
        return "<script>window.cohort = window.cohort || {}; window.cohort.currentPage = "
                + jsString(experiment + "/" + page.pageName())
                + "; window.I = function (id) { return document.getElementById(id); };"
                + " window.cohort.submitPage = function () { var f = I('cohort-form');"
                + " if (f) { f.requestSubmit ? f.requestSubmit() : f.submit(); } };</script>\n"
                + "<script src=\"/experiments/" + experiment.replaceAll("[^A-Za-z0-9._-]", "")
                + "/static/simulate.js\"></script>";
    }

    /** A JavaScript string literal safe inside a script element. */
    static String jsString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == ' ') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }
}
