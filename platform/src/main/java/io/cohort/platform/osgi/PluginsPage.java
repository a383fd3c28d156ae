package io.cohort.platform.osgi;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestError;
import io.cohort.platform.web.RequestFields;
import io.cohort.platform.web.Tab;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import ro.pippo.core.Application;
import ro.pippo.core.FileItem;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;

/** The Plugins tab and {@code /api/plugins}: bundles, start/stop/uninstall, upload, Metatype config forms. */
@Singleton
public final class PluginsPage implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/plugins", "Plugins", 900);
    }

    private final Plugins plugins;
    private final ConfigForms forms;
    private final BundleContext context;
    private final Layout layout;
    private final AuditLog audit;

    @Inject
    public PluginsPage(Plugins plugins, ConfigForms forms, BundleContext context, Layout layout, AuditLog audit) {
        this.plugins = plugins;
        this.forms = forms;
        this.context = context;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/plugins", Tab.handler(this::list));
        app.POST("/admin/plugins/upload", Tab.handler(this::upload));
        app.POST("/admin/plugins/{id: [0-9]+}/{action: start|stop|uninstall}", Tab.handler(ctx -> act(ctx, false)));
        app.GET("/admin/plugins/{id: [0-9]+}/config/{pid}", Tab.handler(this::configForm));
        app.POST("/admin/plugins/{id: [0-9]+}/config/{pid}", Tab.handler(this::saveConfig));
        app.GET("/api/plugins", Tab.handler(ctx -> Layout.json(ctx, 200, plugins.list())));
        app.POST("/api/plugins/{id: [0-9]+}/{action: start|stop|uninstall}", Tab.handler(ctx -> act(ctx, true)));
    }

    private void list(RouteContext ctx) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Plugins.Plugin p : plugins.list()) {
            Map<String, Object> row = new HashMap<>();
            row.put("p", p);
            Bundle b = p.id() == null ? null : context.getBundle(p.id());
            row.put("pids", b == null ? List.of() : forms.pids(b));
            rows.add(row);
        }
        Map<String, Object> model = new HashMap<>();
        model.put("rows", rows);
        model.put("notice", ctx.getParameter("notice").toString());
        model.put("error", ctx.getParameter("error").toString());
        layout.html(ctx, "plugins.peb", model);
    }

    private void act(RouteContext ctx, boolean api) {
        long id = ctx.getParameter("id").toLong();
        String action = ctx.getParameter("action").toString();
        String user = AdminRequest.of(ctx).user();
        try {
            plugins.act(id, action);
            audit.record(user, "plugin." + action, "bundle " + id, Map.of());
            if (api) {
                Layout.json(ctx, 200, Map.of("ok", true));
            } else {
                ctx.redirect("/admin/plugins?notice=" + RequestFields.enc(action + " done for bundle " + id));
            }
        } catch (Exception e) {
            if (api) {
                Layout.json(
                        ctx,
                        e instanceof IllegalArgumentException ? 400 : 409,
                        Map.of("error", String.valueOf(e.getMessage())));
            } else {
                ctx.redirect("/admin/plugins?error="
                        + RequestFields.enc(action + " failed for bundle " + id + ": " + e.getMessage()));
            }
        }
    }

    private void upload(RouteContext ctx) {
        FileItem file = ctx.getRequest().getFile("bundle");
        String user = AdminRequest.of(ctx).user();
        if (file == null) {
            ctx.redirect("/admin/plugins?error=" + RequestFields.enc("choose a .jar file to upload"));
            return;
        }
        try {
            var saved = plugins.upload(file.getSubmittedFileName(), file.getInputStream());
            audit.record(user, "plugin.upload", saved.getFileName().toString(), Map.of("size", file.getSize()));
            ctx.redirect("/admin/plugins?notice="
                    + RequestFields.enc(saved.getFileName() + " uploaded; it starts within a second"));
        } catch (Exception e) {
            ctx.redirect("/admin/plugins?error=" + RequestFields.enc("upload refused: " + e.getMessage()));
        }
    }

    private Bundle bundle(RouteContext ctx) {
        Bundle b = context.getBundle(ctx.getParameter("id").toLong());
        if (b == null) {
            throw RequestError.notFound("There is no plugin (bundle) with id " + ctx.getParameter("id") + ".");
        }
        return b;
    }

    private void configForm(RouteContext ctx) throws Exception {
        Bundle b = bundle(ctx);
        Map<String, Object> model = new HashMap<>();
        model.put("bundle", Map.of("id", b.getBundleId(), "name", b.getSymbolicName()));
        model.put("form", forms.form(b, ctx.getParameter("pid").toString()));
        model.put("error", ctx.getParameter("error").toString());
        model.put("notice", ctx.getParameter("notice").toString());
        layout.html(ctx, "config.peb", model);
    }

    private void saveConfig(RouteContext ctx) throws Exception {
        Bundle b = bundle(ctx);
        String pid = ctx.getParameter("pid").toString();
        Map<String, String> input = new HashMap<>();
        for (Map.Entry<String, ParameterValue> e :
                ctx.getRequest().getParameters().entrySet()) {
            input.put(e.getKey(), e.getValue().toString(""));
        }
        String base = "/admin/plugins/" + b.getBundleId() + "/config/" + RequestFields.enc(pid);
        try {
            forms.save(b, pid, input);
            audit.record(AdminRequest.of(ctx).user(), "plugin.config", pid, Map.of());
            ctx.redirect(base + "?notice=" + RequestFields.enc("saved"));
        } catch (IllegalArgumentException e) {
            ctx.redirect(base + "?error=" + RequestFields.enc(e.getMessage()));
        }
    }
}
