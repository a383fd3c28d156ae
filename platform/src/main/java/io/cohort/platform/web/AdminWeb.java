package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import ro.pippo.core.Application;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.PippoSettings;
import ro.pippo.core.RuntimeMode;
import ro.pippo.core.route.RouteContext;

/** The web application: health, login, the admin shell and its core tabs, and the pages plugins contribute. */
@Singleton
public final class AdminWeb extends Application {

    private final Security security;
    private final Layout layout;
    private final ContributedPages pages;
    private final List<Tab> tabs;
    private final BooleanSupplier ready;
    private final Sockets sockets;
    private final PublicRoutes publicRoutes;
    private final AuditLog audit;

    /** The host's parts that mount routes; the {@link CoreTab}s among them are also registered as admin pages. */
    public List<Tab> tabs() {
        return tabs;
    }

    /** @param tabs the host's parts that mount routes, in the order their routes are tried */
    @Inject
    public AdminWeb(
            Security security,
            Layout layout,
            ContributedPages pages,
            PublicRoutes publicRoutes,
            Sockets sockets,
            AuditLog audit,
            Readiness ready,
            Set<Tab> tabs) {
        this(security, layout, pages, publicRoutes, sockets, audit, (BooleanSupplier) ready, List.copyOf(tabs));
    }

    public AdminWeb(
            Security security,
            Layout layout,
            ContributedPages pages,
            PublicRoutes publicRoutes,
            Sockets sockets,
            AuditLog audit,
            BooleanSupplier ready,
            List<Tab> tabs) {
        super(new PippoSettings(RuntimeMode.PROD));
        this.audit = audit;
        this.publicRoutes = publicRoutes;
        this.sockets = sockets;
        this.security = security;
        this.layout = layout;
        this.pages = pages;
        this.ready = ready;
        this.tabs = tabs;
    }

    @Override
    protected void onInit() {
        getErrorHandler().setExceptionHandler(Exception.class, ErrorPages.routes());
        GET("/healthz", ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.getResponse().status(ok ? 200 : 503).text().send(ok ? "ok" : "starting");
        });
        addClasspathResourceRoute("/static/cohort", "io/cohort/platform/static");
        // Plugins' scripts and styles: their admin pages may not have inline scripts (the CSP forbids them).
        GET("/static/plugins/{bundle}/{path: .+}", ctx -> {
            Optional<java.net.URL> file = pages.staticFile(
                    ctx.getParameter("bundle").toString(),
                    ctx.getParameter("path").toString());
            if (file.isEmpty()) {
                layout.message(
                        ctx,
                        404,
                        "Not found",
                        "There is no file at " + ctx.getRequest().getPath() + ".");
                return;
            }
            String name = file.get().getPath();
            String type = name.endsWith(".js")
                    ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css")
                            ? "text/css; charset=utf-8"
                            : name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
            try (java.io.InputStream in = file.get().openStream()) {
                javax.servlet.http.HttpServletResponse out = ctx.getResponse().getHttpServletResponse();
                out.setStatus(200);
                out.setContentType(type);
                out.setHeader("Cache-Control", "no-cache");
                in.transferTo(out.getOutputStream());
                ctx.getResponse().commit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        GET("/", ctx -> ctx.redirect("/admin/"));
        security.routes(this);
        GET("/admin", ctx -> ctx.redirect("/admin/"));
        tabs.forEach(tab -> tab.routes(this));
        // What this node answers, for an admin checking a proxy's rules or a security review: the host's routes and
        // the pages plugins contribute right now.
        GET("/api/routes", ctx -> {
            List<Map<String, String>> routes = new ArrayList<>();
            getRouter()
                    .getRoutes()
                    .forEach(r -> routes.add(Map.of("method", r.getRequestMethod(), "path", r.getUriPattern())));
            Layout.json(ctx, 200, Map.of("routes", routes, "adminPages", pages.paths()));
        });
        ANY("/admin/{rest: .+}", Tab.handler(this::contributed));
        ANY("/api/{rest: .+}", Tab.handler(this::contributedApi));
        addWebSocket("/ws/{path: .+}", sockets);
        // Last, and only on paths the host never serves: Pippo runs every route that matches until one answers.
        ANY(
                "/{rest: (?!(admin|api|p|room|ws|static|experiments|login|logout|healthz)(/|$))[A-Za-z0-9._-]+(/.*)?}",
                Tab.handler(publicRoutes::handle));
        setNotFoundRouteHandler(ctx -> layout.message(
                ctx, 404, "Not found", "There is no page at " + ctx.getRequest().getPath() + "."));
    }

    /** A page a plugin contributes, found live by path. */
    private void contributed(RouteContext ctx) throws Exception {
        serveContributed(ctx, false);
    }

    /**
     * A plugin's page as JSON, at the same path under {@code /api}: GET answers {@code {"page": model}} (what its
     * template would show); POST runs the page's action and answers {@code {"redirect": path, "page": model}}, the
     * model of the page the browser would be sent to (a notice or an error left there), so every plugin page has its
     * twin in the API with no code of its own.
     */
    private void contributedApi(RouteContext ctx) throws Exception {
        serveContributed(ctx, true);
    }

    private void serveContributed(RouteContext ctx, boolean api) throws Exception {
        if (ctx.getResponse().isCommitted()) {
            return;
        }
        String prefix = api ? "/api" : "/admin";
        String path = ctx.getRequest().getPath().substring(prefix.length());
        Optional<ContributedPages.Match> match = pages.match(path);
        if (match.isEmpty() || match.get().page() instanceof CoreTab) { // a core tab's own routes did not answer
            if (api) {
                Layout.json(
                        ctx,
                        404,
                        Map.of(
                                "error",
                                "There is no route at " + ctx.getRequest().getPath() + "."));
            } else {
                layout.message(
                        ctx,
                        404,
                        "Not found",
                        "There is no page at " + ctx.getRequest().getPath() + ".");
            }
            return;
        }
        AdminRequest admin = ctx.getLocal(AdminRequest.LOCAL);
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterValue> e :
                ctx.getRequest().getParameters().entrySet()) {
            if (!e.getKey().equals("_csrf")) {
                params.put(e.getKey(), new ArrayList<>(List.of(e.getValue().getValues()))); // toList() splits at commas
            }
        }
        ContributedPages.Match m = match.get();
        String method = pageMethod(ctx);
        if (method == null) {
            return;
        }
        View view;
        if (method.equals("POST")) {
            // The host, not each plugin, keeps the record of what was done through a plugin's page.
            String outcome = "failed";
            try {
                view = m.page().handle(new PageRequest(method, m.subPath(), params, admin.user()));
                outcome = view.redirectTo() != null ? "redirect " + view.redirectTo() : "page " + view.template();
            } finally {
                audit.record(
                        admin.user(),
                        "page.action",
                        ctx.getRequest().getPath(),
                        Map.of("plugin", m.reference().getBundle().getSymbolicName(), "outcome", outcome));
            }
        } else {
            view = m.page().handle(new PageRequest(method, m.subPath(), params, admin.user()));
        }
        if (api) {
            Map<String, Object> answer = new LinkedHashMap<>();
            if (view.redirectTo() != null) {
                answer.put("redirect", view.redirectTo());
                view = redirectedTo(view.redirectTo(), admin.user());
            }
            answer.put("page", view == null || view.model() == null ? Map.of() : twin(view.model()));
            Layout.pluginJson(ctx, 200, answer);
        } else if (view.redirectTo() != null) {
            ctx.redirect(Security.safeNext(view.redirectTo()));
        } else {
            layout.html(
                    ctx,
                    m.reference().getBundle(),
                    view.template(),
                    view.model() == null ? new HashMap<>() : view.model());
        }
    }

    /** A page's model as its JSON twin answers it: without the entries for its template alone ({@code _name}). */
    static Map<String, Object> twin(Map<String, Object> model) {
        Map<String, Object> out = new LinkedHashMap<>();
        model.forEach((k, v) -> {
            if (!k.startsWith("_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The view a redirect after an action leads to, when it is a plugin's page; null otherwise. */
    private View redirectedTo(String to, String user) throws Exception {
        if (!to.startsWith("/admin/")) {
            return null;
        }
        java.net.URI uri = java.net.URI.create(to);
        Optional<ContributedPages.Match> next = pages.match(uri.getPath().substring("/admin".length()));
        if (next.isEmpty() || next.get().page() instanceof CoreTab) {
            return null;
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.computeIfAbsent(
                                java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8),
                                k -> new ArrayList<>())
                        .add(
                                kv.length < 2
                                        ? ""
                                        : java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return next.get().page().handle(new PageRequest("GET", next.get().subPath(), query, user));
    }

    /**
     * What a plugin's page is told: GET for GET and HEAD (Jetty sends no body for HEAD), POST for POST; anything
     * else is answered here with 405 and null is returned. Plugins may treat "not GET" as an action, so no other
     * method may reach them.
     */
    static String pageMethod(RouteContext ctx) {
        String method = ctx.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return "GET";
        }
        if (method.equals("POST")) {
            return "POST";
        }
        ctx.getResponse().header("Allow", "GET, HEAD, POST");
        ctx.getResponse().status(405).text().send("405: " + method + " is not allowed here; use GET or POST.");
        return null;
    }
}
