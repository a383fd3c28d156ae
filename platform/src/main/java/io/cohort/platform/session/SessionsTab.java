package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Session;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestFields;
import io.cohort.platform.web.Tab;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * The Sessions tab: every session with its figures, and the "New session" form ({@code POST /admin/sessions});
 * JSON twins {@code GET/POST /api/sessions}.
 */
@Singleton
public final class SessionsTab implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/sessions", "Sessions", 100);
    }

    private final SessionStore sessions;
    private final ParticipantStore participants;
    private final SessionTable table;
    private final RegisteredServices experiments;
    private final Layout layout;
    private final AuditLog audit;
    private final ExperimentCatalog catalog;

    @Inject
    public SessionsTab(
            SessionStore sessions,
            ParticipantStore participants,
            SessionTable table,
            RegisteredServices experiments,
            ExperimentCatalog catalog,
            Layout layout,
            AuditLog audit) {
        this.catalog = catalog;
        this.sessions = sessions;
        this.participants = participants;
        this.table = table;
        this.experiments = experiments;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/sessions", Tab.handler(ctx -> show(ctx, 200, Map.of())));
        app.POST("/admin/sessions", Tab.handler(ctx -> create(ctx, false)));
        app.GET("/api/sessions", Tab.handler(ctx -> Layout.json(ctx, 200, table.all())));
        app.POST("/api/sessions", Tab.handler(ctx -> create(ctx, true)));
        app.POST("/admin/sessions/archive-idle", Tab.handler(ctx -> archiveIdle(ctx, false)));
        app.POST("/api/sessions/archive-idle", Tab.handler(ctx -> archiveIdle(ctx, true)));
    }

    /** Puts away the sessions nobody works in and nobody joined for a day (POST, then back to the dashboard). */
    private void archiveIdle(RouteContext ctx, boolean api) {
        String user = AdminRequest.of(ctx).user();
        int archived = table.archiveIdle();
        audit.record(user, "session.archive", "*", Map.of("sessions", archived));
        if (api) {
            Layout.json(ctx, 200, Map.of("archived", archived));
        } else {
            ctx.redirect("/admin/");
        }
    }

    /** @param form what the admin typed, shown again after an error */
    private void show(RouteContext ctx, int status, Map<String, Object> form) {
        Map<String, Object> model = new HashMap<>(form);
        model.put("rows", table.all());
        model.put("experiments", experiments.list());
        RequestFields typed = (RequestFields) form.get("typed");
        model.put("declared", SettingsForm.model(experiments.list(), name -> typed == null ? null : typed.one(name)));
        // Files left out, with file, line and field: a lab that edits experiment.yaml sees why it is missing here.
        model.put("problems", catalog.problems());
        ctx.getResponse().status(status);
        layout.html(ctx, "sessions.peb", model);
    }

    private void create(RouteContext ctx, boolean api) {
        String user = AdminRequest.of(ctx).user();
        RequestFields fields = null;
        NewSession spec;
        try {
            fields = RequestFields.of(ctx);
            String experiment = fields.one("experiment") == null
                    ? ""
                    : fields.one("experiment").strip();
            RequestFields form = fields;
            String settings = experiments
                    .find(experiment)
                    .map(e -> SettingsForm.settings(e, form.one("settings"), form::one))
                    .orElse(fields.one("settings"));
            spec = new NewSession(
                    experiment,
                    count(fields.one("participants")),
                    settings,
                    fields.one("name"),
                    names(fields),
                    simulate(fields.one("simulate")),
                    user);
        } catch (IllegalArgumentException e) {
            refuse(ctx, api, e.getMessage(), fields);
            return;
        }
        Session session;
        try {
            session = sessions.create(spec);
        } catch (IllegalArgumentException e) {
            refuse(ctx, api, e.getMessage(), fields);
            return;
        }
        audit.record(
                user,
                "session.create",
                session.id(),
                Map.of(
                        "experiment",
                        session.experiment(),
                        "participants",
                        session.size(),
                        "name",
                        session.name(),
                        "simulate",
                        session.simulate()));
        if (api) {
            List<Map<String, String>> people = participants.ofSession(session.id()).stream()
                    .map(SessionsTab::link)
                    .toList();
            Layout.json(ctx, 201, Map.of("session", session, "participants", people));
        } else {
            ctx.redirect("/admin/sessions/" + session.id());
        }
    }

    private static Map<String, String> link(Participant p) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("id", p.id());
        out.put("name", p.name());
        out.put("url", "/p/" + p.sessionId() + "/" + p.token() + "/");
        return out;
    }

    private void refuse(RouteContext ctx, boolean api, String error, RequestFields typed) {
        if (api) {
            Layout.json(ctx, 400, Map.of("error", error));
            return;
        }
        Map<String, Object> form = new HashMap<>();
        form.put("error", error);
        form.put("typed", typed);
        if (typed != null) {
            for (String f : List.of("experiment", "participants", "settings", "name", "names", "simulate")) {
                if (typed.one(f) != null) {
                    form.put("form_" + f, typed.one(f));
                }
            }
        }
        show(ctx, 400, form);
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text == null ? "" : text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("participants: '" + text + "' is not a whole number");
        }
    }

    /** A JSON list, or the form's textarea with one name a line (blank lines skipped). */
    private static List<String> names(RequestFields fields) {
        List<String> listed = fields.all("participantNames");
        if (!listed.isEmpty()) {
            return listed;
        }
        String lines = fields.one("names");
        return lines == null
                ? List.of()
                : Arrays.stream(lines.split("\\R"))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList();
    }

    /** A checkbox sends {@code on} (or nothing); JSON sends a boolean. */
    private static boolean simulate(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.equals("on")) {
            return true;
        }
        throw new IllegalArgumentException("simulate: '" + value + "' is not true or false");
    }
}
