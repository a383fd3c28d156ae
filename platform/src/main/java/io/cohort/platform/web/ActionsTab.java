package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.web.AdminAction;
import io.cohort.platform.osgi.Whiteboard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import ro.pippo.core.Application;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;

/**
 * The {@link AdminAction}s plugins register, tracked live and served at {@code POST /admin/actions/{name}} (a form:
 * {@code targets} repeated, a {@code return} path) and {@code POST /api/actions/{name}}; each run leaves an audit row.
 */
@Singleton
public final class ActionsTab implements Tab, AutoCloseable {

    private final Whiteboard<AdminAction> tracker;
    private final AuditLog audit;

    @Inject
    public ActionsTab(BundleContext context, AuditLog audit) {
        this.tracker = new Whiteboard<>(context, AdminAction.class);
        this.audit = audit;
    }

    /** An action as listed for a target kind. */
    public record Listed(String name, String label, String target) {}

    public List<Listed> list(String target) {
        List<Listed> actions = new ArrayList<>();
        for (ServiceReference<AdminAction> ref : tracker.services().keySet()) {
            String t = String.valueOf(ref.getProperty(AdminAction.TARGET));
            if (target == null || target.equals(t)) {
                actions.add(new Listed(
                        String.valueOf(ref.getProperty(AdminAction.NAME)),
                        String.valueOf(ref.getProperty(AdminAction.LABEL)),
                        t));
            }
        }
        actions.sort(java.util.Comparator.comparing(Listed::name));
        return actions;
    }

    private AdminAction find(String name) {
        for (Map.Entry<ServiceReference<AdminAction>, AdminAction> e :
                tracker.services().entrySet()) {
            if (name.equals(e.getKey().getProperty(AdminAction.NAME))) {
                return e.getValue();
            }
        }
        return null;
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
        AdminAction action = find(name);
        if (action == null) {
            if (api) {
                Layout.json(ctx, 404, Map.of("error", "no action named '" + name + "'"));
            } else {
                ctx.redirect(back + (back.contains("?") ? "&" : "?") + "error="
                        + RequestFields.enc("no action named '" + name + "'"));
            }
            return;
        }
        String user = AdminRequest.of(ctx).user();
        List<String> targets = ctx.getParameter("targets").toList(List.of());
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterValue> e :
                ctx.getRequest().getParameters().entrySet()) {
            if (!List.of("_csrf", "targets", "return", "name").contains(e.getKey())) {
                params.put(e.getKey(), e.getValue().toString(""));
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

    @Override
    public void close() {
        tracker.close();
    }
}
