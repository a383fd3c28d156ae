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
import org.osgi.framework.Bundle;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;

/**
 * Serves a request to a page a plugin contributes (an {@code AdminPage}, a {@code SessionTab}): the page sees GET or
 * POST only, a POST leaves an audit row, and the answer is the page's template in the layout or, under {@code /api},
 * its JSON twin ({@code {"page": model}} without the {@code _} entries; after a POST also {@code redirect}). The
 * login and the CSRF check come before, from {@link Security}.
 */
@Singleton
public final class ContributedViews {

    /** What a contributed page does with one request. */
    @FunctionalInterface
    public interface Handler {
        View handle(PageRequest request) throws Exception;
    }

    /**
     * A contributed page that answers a path.
     *
     * @param bundle  the contributing bundle (its templates, its name in the audit row)
     * @param subPath the rest of the path below the page's own
     * @param layout  values the host adds for the layout alone (never in the twin), e.g. the session's tab bar
     */
    public record Target(Bundle bundle, String subPath, Handler handler, Map<String, Object> layout) {}

    /** The contributed page at a path under {@code /admin} (with its leading slash), if any. */
    @FunctionalInterface
    public interface Resolver {
        Optional<Target> resolve(String adminPath);
    }

    private final Layout layout;
    private final AuditLog audit;

    @Inject
    public ContributedViews(Layout layout, AuditLog audit) {
        this.layout = layout;
        this.audit = audit;
    }

    /**
     * Answers {@code ctx} with {@code target}'s view.
     *
     * @param pages where a twin follows a redirect, to answer the model of the page the browser would be sent to
     */
    public void serve(RouteContext ctx, boolean api, Target target, Resolver pages) throws Exception {
        AdminRequest admin = ctx.getLocal(AdminRequest.LOCAL);
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterValue> e :
                ctx.getRequest().getParameters().entrySet()) {
            if (!e.getKey().equals("_csrf")) {
                params.put(e.getKey(), new ArrayList<>(List.of(e.getValue().getValues()))); // toList() splits at commas
            }
        }
        String method = pageMethod(ctx);
        if (method == null) {
            return;
        }
        View view;
        PageRequest request = new PageRequest(method, target.subPath(), params, admin.user());
        if (method.equals("POST")) {
            // The host, not each plugin, keeps the record of what was done through a plugin's page.
            String outcome = "failed";
            try {
                view = target.handler().handle(request);
                outcome = view.redirectTo() != null ? "redirect " + view.redirectTo() : "page " + view.template();
            } finally {
                audit.record(
                        admin.user(),
                        "page.action",
                        ctx.getRequest().getPath(),
                        Map.of("plugin", target.bundle().getSymbolicName(), "outcome", outcome));
            }
        } else {
            view = target.handler().handle(request);
        }
        if (api) {
            Map<String, Object> answer = new LinkedHashMap<>();
            if (view.redirectTo() != null) {
                answer.put("redirect", view.redirectTo());
                view = redirectedTo(view.redirectTo(), admin.user(), pages);
            }
            answer.put("page", view == null || view.model() == null ? Map.of() : twin(view.model()));
            Layout.pluginJson(ctx, 200, answer);
        } else if (view.redirectTo() != null) {
            ctx.redirect(Security.safeNext(view.redirectTo()));
        } else {
            Map<String, Object> model = new HashMap<>(target.layout());
            if (view.model() != null) {
                model.putAll(view.model());
            }
            layout.html(ctx, target.bundle(), view.template(), model);
        }
    }

    /** A page's model as its JSON twin answers it: without the entries for its template alone ({@code _name}). */
    public static Map<String, Object> twin(Map<String, Object> model) {
        Map<String, Object> out = new LinkedHashMap<>();
        model.forEach((k, v) -> {
            if (!k.startsWith("_")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The view a redirect after an action leads to, when it is a plugin's page; null otherwise. */
    private static View redirectedTo(String to, String user, Resolver pages) throws Exception {
        if (!to.startsWith("/admin/")) {
            return null;
        }
        java.net.URI uri = java.net.URI.create(to);
        Optional<Target> next = pages.resolve(uri.getPath().substring("/admin".length()));
        if (next.isEmpty()) {
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
        return next.get().handler().handle(new PageRequest("GET", next.get().subPath(), query, user));
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
