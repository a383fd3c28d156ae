package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.psiturk.PsiturkRoot;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestFields;
import io.cohort.platform.web.Tab;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * One session: its controls (active, testing, description, settings, re-run {@code new_session}), links to its
 * data, the live monitor of its participants and the actions on them. Forms post to
 * {@code /admin/sessions/{id}/...}; the same paths under {@code /api/sessions/{id}/...} take JSON or form fields.
 * Every change leaves an audit row; a refused one changes nothing and names what was wrong.
 */
@Singleton
public final class SessionPage implements Tab {

    static final List<String> CONTROLS =
            List.of("active", "testing", "description", "settings", "new-session", "psiturk-root");

    private final SessionStore sessions;
    private final SessionTable table;
    private final MonitorTable monitor;
    private final SessionActions actions;
    private final Layout layout;
    private final AuditLog audit;
    private final Transactions tx;
    private final PsiturkRoot psiturkRoot;
    private final ExperimentCatalog catalog;
    private final SessionContributions contributions;

    @Inject
    public SessionPage(
            Transactions tx,
            SessionStore sessions,
            SessionTable table,
            MonitorTable monitor,
            SessionActions actions,
            Layout layout,
            AuditLog audit,
            PsiturkRoot psiturkRoot,
            ExperimentCatalog catalog,
            SessionContributions contributions) {
        this.contributions = contributions;
        this.psiturkRoot = psiturkRoot;
        this.catalog = catalog;
        this.tx = tx;
        this.sessions = sessions;
        this.table = table;
        this.monitor = monitor;
        this.actions = actions;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET(
                "/admin/sessions/{id}",
                Tab.handler(ctx -> withSession(
                        ctx,
                        false,
                        s -> show(
                                ctx,
                                s,
                                200,
                                ctx.getParameter("notice").toString(),
                                ctx.getParameter("error").toString()))));
        app.GET(
                "/api/sessions/{id}",
                Tab.handler(ctx -> withSession(
                        ctx,
                        true,
                        s -> Layout.json(
                                ctx,
                                200,
                                Map.of(
                                        "session",
                                        table.find(s.id()).orElseThrow(),
                                        "participants",
                                        monitor.ofSession(s.id()),
                                        "contributions",
                                        contributions.of(s))))));
        for (String prefix : new String[] {"/admin", "/api"}) {
            app.GET(
                    prefix + "/sessions/{id}/links.csv",
                    Tab.handler(ctx -> withSession(ctx, prefix.equals("/api"), s -> links(ctx, s))));
        }
        for (String control : CONTROLS) {
            app.POST(
                    "/admin/sessions/{id}/" + control,
                    Tab.handler(ctx -> withSession(ctx, false, s -> control(ctx, s, control, false))));
            app.POST(
                    "/api/sessions/{id}/" + control,
                    Tab.handler(ctx -> withSession(ctx, true, s -> control(ctx, s, control, true))));
        }
        app.POST(
                "/admin/sessions/{id}/actions/{action}",
                Tab.handler(ctx -> withSession(ctx, false, s -> act(ctx, s, false))));
        app.POST(
                "/api/sessions/{id}/actions/{action}",
                Tab.handler(ctx -> withSession(ctx, true, s -> act(ctx, s, true))));
    }

    private interface SessionBody {
        void handle(Session session) throws Exception;
    }

    private void withSession(RouteContext ctx, boolean api, SessionBody body) throws Exception {
        String id = ctx.getParameter("id").toString();
        Optional<Session> session = sessions.find(id);
        if (session.isEmpty()) {
            if (api) {
                Layout.json(ctx, 404, Map.of("error", "session: there is no session '" + id + "'"));
            } else {
                layout.message(ctx, 404, "Not found", "There is no session '" + id + "'.");
            }
            return;
        }
        body.handle(session.get());
    }

    /** Where this admin reaches Cohort, so the participant links shown are whole URLs to paste elsewhere. */
    private static String origin(RouteContext ctx) {
        String host = ctx.getHeader("Host");
        String scheme = ctx.getHeader("X-Forwarded-Proto") != null
                ? ctx.getHeader("X-Forwarded-Proto")
                : ctx.getRequest().getScheme();
        return host == null ? "" : scheme + "://" + host;
    }

    /** Every participant's name and whole link, as CSV, to paste into a mail merge or a spreadsheet. */
    private void links(RouteContext ctx, Session s) throws java.io.IOException {
        String origin = origin(ctx);
        ctx.getResponse()
                .contentType("text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"session-" + s.id() + "-links.csv\"")
                .header("Cache-Control", "no-store");
        java.io.Writer out = new java.io.OutputStreamWriter(
                ctx.getResponse().getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
        try (org.apache.commons.csv.CSVPrinter csv = new org.apache.commons.csv.CSVPrinter(
                out,
                org.apache.commons.csv.CSVFormat.DEFAULT
                        .builder()
                        .setHeader("name", "link")
                        .get())) {
            for (MonitorTable.Row r : monitor.ofSession(s.id())) {
                csv.printRecord(r.name(), origin + r.url());
            }
        }
    }

    private void show(RouteContext ctx, Session s, int status, String notice, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("origin", origin(ctx));
        model.put("s", table.find(s.id()).orElseThrow());
        model.put("rows", monitor.ofSession(s.id()));
        model.put("recordKeys", tx.mapper(FieldMapper.class, m -> m.recordKeys(s.id())));
        model.put("notice", notice);
        model.put("error", error);
        model.put("maxMessage", SessionActions.MAX_MESSAGE);
        Map<String, Object> added = contributions.of(s);
        model.put("sessionTabs", added.get("tabs"));
        model.put("columns", added.get("columns"));
        model.put("pluginActions", added.get("actions"));
        catalog.psiturk(s.experiment()).ifPresent(project -> {
            Map<String, Object> psiturk = new HashMap<>();
            psiturk.put(
                    "atRoot",
                    psiturkRoot
                            .served()
                            .map(r -> r.session().id().equals(s.id()))
                            .orElse(false));
            psiturk.put(
                    "pinned",
                    psiturkRoot.served().map(PsiturkRoot.Served::pinned).orElse(false));
            psiturk.put("notes", project.notes());
            psiturk.put("customRoutes", project.customRoutes());
            psiturk.put("bonusRule", project.bonus() != null);
            // With the MTurk plugin installed, its "Post a HIT" form filled in from config.txt.
            if (layout.menu().stream().anyMatch(m -> m.path().equals("/admin/mturk"))) {
                psiturk.put("postHit", "/admin/mturk?" + project.config().hitQuery(project.name(), s.id()));
            }
            model.put("psiturk", psiturk);
        });
        ctx.getResponse().status(status);
        layout.html(ctx, "session.peb", model);
    }

    private void control(RouteContext ctx, Session s, String control, boolean api) {
        String user = AdminRequest.of(ctx).user();
        Map<String, Object> detail = new LinkedHashMap<>();
        try {
            RequestFields fields = RequestFields.of(ctx);
            switch (control) {
                case "active" -> {
                    boolean value = fields.bool("value");
                    sessions.setActive(s.id(), value, user);
                    detail.put("value", value);
                }
                case "testing" -> {
                    boolean value = fields.bool("value");
                    sessions.setTesting(s.id(), value, user);
                    detail.put("value", value);
                }
                case "description" -> {
                    String value = fields.one("value") == null ? "" : fields.one("value");
                    sessions.setDescription(s.id(), value, user);
                    detail.put("value", value);
                }
                case "settings" -> {
                    String value = fields.one("value");
                    if (value == null) {
                        throw new IllegalArgumentException("settings: missing");
                    }
                    sessions.setSettings(s.id(), value, user);
                    detail.put("value", value);
                }
                case "new-session" -> sessions.rerunNewSession(s.id());
                case "psiturk-root" -> psiturkRoot.pin(s.id(), user);
                default -> throw new IllegalStateException(control);
            }
        } catch (IllegalArgumentException e) {
            refuse(ctx, s, api, e.getMessage());
            return;
        }
        audit.record(user, "session." + control, s.id(), detail);
        done(ctx, s, api, control + " done");
    }

    private void act(RouteContext ctx, Session s, boolean api) {
        String user = AdminRequest.of(ctx).user();
        String action = ctx.getParameter("action").toString();
        SessionActions.Checked checked;
        try {
            RequestFields fields = RequestFields.of(ctx);
            checked = actions.check(s, action, fields.all("participants"), "true".equals(fields.one("all")), fields);
        } catch (IllegalArgumentException e) {
            if (!SessionActions.ACTIONS.containsKey(action) && api) {
                Layout.json(ctx, 404, Map.of("error", e.getMessage()));
            } else {
                refuse(ctx, s, api, e.getMessage());
            }
            return;
        }
        actions.run(checked, user);
        audit.record(
                user,
                "session.action." + action,
                s.id(),
                Map.of("participants", checked.participants(), "parameters", checked.parameters()));
        done(
                ctx,
                s,
                api,
                action + ": done for " + checked.participants().size() + " participant"
                        + (checked.participants().size() == 1 ? "" : "s"));
    }

    private void done(RouteContext ctx, Session s, boolean api, String notice) {
        if (api) {
            Layout.json(
                    ctx,
                    200,
                    Map.of(
                            "ok",
                            true,
                            "message",
                            notice,
                            "session",
                            table.find(s.id()).orElseThrow()));
        } else {
            ctx.redirect("/admin/sessions/" + s.id() + "?notice=" + RequestFields.enc(notice));
        }
    }

    private void refuse(RouteContext ctx, Session s, boolean api, String error) {
        if (api) {
            Layout.json(ctx, 400, Map.of("error", error));
        } else {
            show(ctx, sessions.find(s.id()).orElse(s), 400, null, error);
        }
    }
}
