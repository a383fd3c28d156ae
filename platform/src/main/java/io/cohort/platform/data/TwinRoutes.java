package io.cohort.platform.data;

import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestError;
import io.cohort.platform.web.Tab;
import java.io.OutputStream;
import java.util.Map;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * Registers a GET route twice: under {@code /admin} (HTML, login) and under {@code /api} (JSON, bearer token), so
 * the two cannot drift apart. A {@link RequestError} becomes a message page or a JSON error with its status.
 */
final class TwinRoutes {

    private TwinRoutes() {}

    /** What a page shows: the JSON answer, also the template's model. */
    @FunctionalInterface
    interface Model {
        Map<String, Object> build(RouteContext ctx) throws Exception;
    }

    /** A file made by streaming to the response; everything that can be refused is checked before it is made. */
    @FunctionalInterface
    interface Download {
        File prepare(RouteContext ctx) throws Exception;
    }

    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws Exception;
    }

    /** @param target what the audit row names (a session id, or {@code *} for all) */
    record File(String name, String contentType, String target, Body body) {}

    /** {@code html} adds what only the template needs (links) to a copy of the model. */
    static void page(
            Application app,
            Layout layout,
            String path,
            String template,
            Model model,
            java.util.function.BiConsumer<RouteContext, Map<String, Object>> html) {
        app.GET("/admin" + path, Tab.handler(ctx -> {
            try {
                Map<String, Object> m = new java.util.HashMap<>(model.build(ctx));
                html.accept(ctx, m);
                layout.html(ctx, template, m);
            } catch (RequestError e) {
                layout.message(ctx, e.status(), e.title(), e.getMessage());
            }
        }));
        app.GET("/api" + path, Tab.handler(ctx -> {
            try {
                Layout.json(ctx, 200, model.build(ctx));
            } catch (RequestError e) {
                Layout.json(ctx, e.status(), Map.of("error", e.getMessage()));
            }
        }));
    }

    static void page(Application app, Layout layout, String path, String template, Model model) {
        page(app, layout, path, template, model, (ctx, m) -> {});
    }

    /** The same file under both prefixes; each download leaves an audit row. */
    static void download(Application app, Layout layout, AuditLog audit, String path, Download download) {
        for (String prefix : new String[] {"/admin", "/api"}) {
            boolean api = prefix.equals("/api");
            app.GET(prefix + path, Tab.handler(ctx -> {
                File file;
                try {
                    file = download.prepare(ctx);
                } catch (RequestError e) {
                    if (api) {
                        Layout.json(ctx, e.status(), Map.of("error", e.getMessage()));
                    } else {
                        layout.message(ctx, e.status(), e.title(), e.getMessage());
                    }
                    return;
                }
                audit.record(AdminRequest.of(ctx).user(), "data.export", file.target(), Map.of("file", file.name()));
                ctx.getResponse()
                        .contentType(file.contentType())
                        .header("Content-Disposition", "attachment; filename=\"" + file.name() + "\"")
                        .header("Cache-Control", "no-store");
                try (OutputStream out = ctx.getResponse().getOutputStream()) {
                    file.body().write(out);
                }
            }));
        }
    }

    /** A query parameter, null when absent or blank (forms send empty fields). */
    static String param(RouteContext ctx, String name) {
        String value = ctx.getParameter(name).toString();
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Safe in a Content-Disposition file name. */
    static String fileName(String part) {
        return part.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Percent-encoded for a URL path; slashes stay, the route takes the rest of the path. */
    static String pathPart(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("%2F", "/");
    }
}
