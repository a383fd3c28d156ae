package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.AdminAction;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.SessionStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import ro.pippo.core.Application;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;

/**
 * The {@link AdminAction}s plugins register, tracked live and served at {@code POST /admin/actions/{name}} (a form:
 * {@code targets} repeated, a {@code return} path) and {@code POST /api/actions/{name}}; each run leaves an audit row.
 * An action on participants ({@value AdminAction#PARTICIPANT}) given a {@code session} (as the session page's form
 * sends it) acts on that session's participants only: {@code targets}, or the checked {@code participants}, or
 * {@code all}; it is handed {@code session} and its own parameters alone (from boxes named
 * {@code <action>.<parameter>}, or by their names).
 */
@Singleton
public final class ActionsTab implements Tab, AutoCloseable {

    private final Whiteboard<AdminAction> tracker;
    private final AuditLog audit;
    private final Sessions sessions;
    private final Participants participants;

    @Inject
    public ActionsTab(BundleContext context, AuditLog audit, SessionStore sessions, ParticipantStore participants) {
        this.tracker = new Whiteboard<>(context, AdminAction.class);
        this.audit = audit;
        this.sessions = sessions;
        this.participants = participants;
    }

    /**
     * An action as listed for a target kind.
     *
     * @param parameters the names of its text boxes ({@value AdminAction#PARAMETERS})
     */
    public record Listed(String name, String label, String target, List<String> parameters) {}

    /** Runs {@code watcher} whenever an action arrives or goes (after the change). */
    public void whenChanged(Runnable watcher) {
        tracker.whenChanged(watcher);
    }

    /** The {@value AdminAction#PARAMETERS} property: an array, a collection, or one comma-separated string. */
    static List<String> parameters(ServiceReference<?> ref) {
        Object value = ref.getProperty(AdminAction.PARAMETERS);
        List<String> names = new ArrayList<>();
        if (value instanceof String[] array) {
            names.addAll(List.of(array));
        } else if (value instanceof java.util.Collection<?> collection) {
            collection.forEach(v -> names.add(String.valueOf(v)));
        } else if (value != null) {
            names.addAll(List.of(value.toString().split(",")));
        }
        return names.stream()
                .map(String::trim)
                .filter(n -> !n.isEmpty())
                .distinct()
                .toList();
    }

    public List<Listed> list(String target) {
        List<Listed> actions = new ArrayList<>();
        for (ServiceReference<AdminAction> ref : tracker.services().keySet()) {
            String t = String.valueOf(ref.getProperty(AdminAction.TARGET));
            if (target == null || target.equals(t)) {
                actions.add(new Listed(
                        String.valueOf(ref.getProperty(AdminAction.NAME)),
                        String.valueOf(ref.getProperty(AdminAction.LABEL)),
                        t,
                        parameters(ref)));
            }
        }
        actions.sort(java.util.Comparator.comparing(Listed::name));
        return actions;
    }

    private Optional<Map.Entry<ServiceReference<AdminAction>, AdminAction>> find(String name) {
        return tracker.services().entrySet().stream()
                .filter(e -> name.equals(e.getKey().getProperty(AdminAction.NAME)))
                .findFirst();
    }

    @Override
    public void routes(Application app) {
        app.GET(
                "/api/actions",
                ctx -> Layout.json(ctx, 200, list(ctx.getParameter("target").toString())));
        app.POST("/admin/actions/{name}", Tab.handler(ctx -> perform(ctx, false)));
        app.POST("/api/actions/{name}", Tab.handler(ctx -> perform(ctx, true)));
    }

    private void perform(RouteContext ctx, boolean api) throws Exception {
        String name = ctx.getParameter("name").toString();
        String back = Security.safeNext(ctx.getParameter("return").toString("/admin/"));
        Optional<Map.Entry<ServiceReference<AdminAction>, AdminAction>> found = find(name);
        if (found.isEmpty()) {
            refuse(ctx, api, 404, back, "no action named '" + name + "'");
            return;
        }
        AdminAction action = found.get().getValue();
        String user = AdminRequest.of(ctx).user();
        List<String> targets = ctx.getParameter("targets").toList(List.of());
        Map<String, String> params = new LinkedHashMap<>();
        if (AdminAction.PARTICIPANT.equals(found.get().getKey().getProperty(AdminAction.TARGET))
                && !ctx.getParameter("session").isEmpty()) {
            try {
                targets = sessionParticipants(ctx, targets);
            } catch (IllegalArgumentException e) {
                refuse(ctx, api, 400, back, e.getMessage());
                return;
            }
            // Only what the action asked for: the session page's form carries the host's own fields too.
            params.put("session", ctx.getParameter("session").toString());
            for (String parameter : parameters(found.get().getKey())) {
                ParameterValue own = ctx.getParameter(name + "." + parameter);
                params.put(parameter, (own.isNull() ? ctx.getParameter(parameter) : own).toString(""));
            }
        } else {
            for (Map.Entry<String, ParameterValue> e :
                    ctx.getRequest().getParameters().entrySet()) {
                if (!List.of("_csrf", "targets", "return", "name").contains(e.getKey())) {
                    params.put(e.getKey(), e.getValue().toString(""));
                }
            }
        }
        AdminAction.Result result;
        try {
            result = action.perform(user, targets, params);
        } catch (IllegalArgumentException e) {
            result = new AdminAction.Result(false, e.getMessage());
        }
        audit.record(
                user,
                "action." + name,
                String.join(",", targets),
                Map.of("ok", result.ok(), "message", String.valueOf(result.message()), "parameters", params));
        if (api) {
            Layout.json(ctx, result.ok() ? 200 : 400, result);
        } else {
            ctx.redirect(back
                    + (back.contains("?") ? "&" : "?")
                    + (result.ok() ? "notice=" : "error=")
                    + RequestFields.enc(String.valueOf(result.message())));
        }
    }

    /**
     * The participants a participant action acts on: {@code targets}, else the session page's {@code participants}
     * boxes, else with {@code all=true} every participant of {@code session}; each must be of {@code session}.
     */
    private List<String> sessionParticipants(RouteContext ctx, List<String> targets) {
        String session = ctx.getParameter("session").toString();
        if (sessions.find(session).isEmpty()) {
            throw new IllegalArgumentException("session: there is no session '" + session + "'");
        }
        Set<String> ofSession = new LinkedHashSet<>();
        participants.ofSession(session).forEach(p -> ofSession.add(p.id()));
        List<String> chosen = new ArrayList<>(targets);
        if (chosen.isEmpty()) {
            String[] boxes = ctx.getRequest().getParameter("participants").getValues();
            chosen.addAll(boxes == null ? List.of() : List.of(boxes));
        }
        if (chosen.isEmpty() && ctx.getParameter("all").toBoolean(false)) {
            chosen.addAll(ofSession);
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("participants: choose at least one participant");
        }
        for (String id : chosen) {
            if (!ofSession.contains(id)) {
                throw new IllegalArgumentException(
                        "participants: '" + id + "' is not a participant of session '" + session + "'");
            }
        }
        return List.copyOf(new LinkedHashSet<>(chosen));
    }

    private static void refuse(RouteContext ctx, boolean api, int status, String back, String error) {
        if (api) {
            Layout.json(ctx, status, Map.of("error", error));
        } else {
            ctx.redirect(back + (back.contains("?") ? "&" : "?") + "error=" + RequestFields.enc(error));
        }
    }

    @Override
    public void close() {
        tracker.close();
    }
}
