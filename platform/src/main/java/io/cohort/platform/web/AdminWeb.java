package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import ro.pippo.core.Application;
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
    private final ContributedViews views;

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
            ContributedViews views,
            Readiness ready,
            Set<Tab> tabs) {
        this(security, layout, pages, publicRoutes, sockets, views, (BooleanSupplier) ready, List.copyOf(tabs));
    }

    public AdminWeb(
            Security security,
            Layout layout,
            ContributedPages pages,
            PublicRoutes publicRoutes,
            Sockets sockets,
            ContributedViews views,
            BooleanSupplier ready,
            List<Tab> tabs) {
        super(new PippoSettings(RuntimeMode.PROD));
        setRouter(new RouteTable(), false);
        this.views = views;
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
            Optional<ContributedPages.StaticFile> file = pages.staticFile(
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
            // Asked again on every page (no-cache), answered 304 while the plugin is the same: a participant page
            // that links a plugin's script does not download it each time.
            String etag = file.get().etag();
            if (etag.equals(ctx.getRequest().getHeader("If-None-Match"))) {
                ctx.getResponse()
                        .status(304)
                        .header("ETag", etag)
                        .header("Cache-Control", "no-cache")
                        .commit();
                return;
            }
            String name = file.get().url().getPath();
            String type = name.endsWith(".js")
                    ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css")
                            ? "text/css; charset=utf-8"
                            : name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
            try (java.io.InputStream in = file.get().url().openStream()) {
                javax.servlet.http.HttpServletResponse out = ctx.getResponse().getHttpServletResponse();
                out.setStatus(200);
                out.setContentType(type);
                out.setHeader("Cache-Control", "no-cache");
                out.setHeader("ETag", etag);
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
        Optional<ContributedViews.Target> target =
                pages.target(ctx.getRequest().getPath().substring(prefix.length()));
        if (target.isEmpty()) { // no such page, or a core tab's own routes did not answer
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
        views.serve(ctx, api, target.get(), pages::target);
    }
}
