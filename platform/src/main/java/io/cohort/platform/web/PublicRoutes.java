package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.PublicRoute;
import io.cohort.platform.osgi.Whiteboard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;

/**
 * The {@link PublicRoute} services of plugins (e.g. MTurk's {@code /mturk/start}), tracked live and served with no
 * admin login. Paths the host owns can't be taken.
 */
@Singleton
public final class PublicRoutes implements AutoCloseable {

    private static final Set<String> HOST_PATHS =
            Set.of("/admin", "/api", "/p", "/room", "/ws", "/static", "/healthz", "/login", "/logout");

    private final Whiteboard<PublicRoute> tracker;
    private final Templates templates;
    private final Layout layout;

    @Inject
    public PublicRoutes(BundleContext context, Templates templates, Layout layout) {
        this.templates = templates;
        this.layout = layout;
        this.tracker = new Whiteboard<>(context, PublicRoute.class);
    }

    /** Answers any path no host route took: a plugin's public route, or 404. */
    public void handle(RouteContext ctx) throws Exception {
        if (ctx.getResponse().isCommitted()) {
            return;
        }
        String path = ctx.getRequest().getPath();
        ServiceReference<PublicRoute> best = null;
        PublicRoute route = null;
        String bestPath = "";
        for (Map.Entry<ServiceReference<PublicRoute>, PublicRoute> e :
                tracker.services().entrySet()) {
            String own = ContributedPages.normalise(e.getKey().getProperty(PublicRoute.PATH));
            if (own != null
                    && !HOST_PATHS.contains(own)
                    && (path.equals(own) || path.startsWith(own + "/"))
                    && own.length() > bestPath.length()) {
                best = e.getKey();
                route = e.getValue();
                bestPath = own;
            }
        }
        if (route == null) {
            layout.message(ctx, 404, "Not found", "There is no page at " + path + ".");
            return;
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterValue> e :
                ctx.getRequest().getParameters().entrySet()) {
            params.put(e.getKey(), new ArrayList<>(List.of(e.getValue().getValues())));
        }
        String method = ContributedViews.pageMethod(ctx);
        if (method == null) {
            return;
        }
        PublicRoute.Reply reply =
                route.handle(new PageRequest(method, path.substring(bestPath.length()), params, null));
        ctx.getResponse().header("Cache-Control", "no-store");
        if (reply.redirectTo() != null) {
            String to = reply.redirectTo();
            if (!to.matches("(?i)https?://.+") && !to.matches("/[^/\\\\].*|/")) {
                throw new IllegalStateException("public route " + bestPath + " redirected to an unsafe place: " + to);
            }
            ctx.getResponse().status(reply.status() >= 300 && reply.status() < 400 ? reply.status() : 303);
            ctx.getResponse().header("Location", to).commit();
            return;
        }
        ctx.getResponse()
                .status(reply.status())
                .html()
                .send(templates.render(
                        best.getBundle(), reply.template(), reply.model() == null ? new HashMap<>() : reply.model()));
    }

    @Override
    public void close() {
        tracker.close();
    }
}
