package io.cohort.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.payment.CrowdProviders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import ro.pippo.core.route.RouteContext;

/** Renders admin pages inside the shared layout (menu, user, CSRF token) and writes JSON answers. */
@Singleton
public final class Layout {

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final Templates templates;
    private final ContributedPages pages;
    private final Supplier<List<Map<String, String>>> crowdModes;

    /** @param crowdModes each running crowd provider's name and mode, shown on every admin page */
    @Inject
    public Layout(Templates templates, ContributedPages pages, CrowdProviders crowd) {
        this(templates, pages, crowd::modes);
    }

    public Layout(Templates templates, ContributedPages pages, Supplier<List<Map<String, String>>> crowdModes) {
        this.templates = templates;
        this.pages = pages;
        this.crowdModes = crowdModes;
    }

    /** Read from the service registry on every page: core and plugin tabs are {@code AdminPage} services alike. */
    public List<ContributedPages.MenuItem> menu() {
        return pages.menu();
    }

    private Map<String, Object> common(RouteContext ctx, Map<String, Object> model) {
        Map<String, Object> all = new HashMap<>(model);
        AdminRequest admin = ctx.getLocal(AdminRequest.LOCAL);
        all.put("menu", menu());
        all.put("path", ctx.getRequest().getPath());
        all.put("user", admin == null ? null : admin.user());
        all.put("csrf", admin == null ? null : admin.csrf());
        all.put("crowdModes", admin == null ? List.of() : crowdModes.get());
        return all;
    }

    /** A host page. */
    public void html(RouteContext ctx, String template, Map<String, Object> model) {
        ctx.getResponse()
                .header("Cache-Control", "no-store")
                .html()
                .send(templates.render(template, common(ctx, model)));
    }

    /** A plugin's page, its template from its bundle. */
    public void html(RouteContext ctx, Bundle bundle, String template, Map<String, Object> model) {
        ctx.getResponse()
                .header("Cache-Control", "no-store")
                .html()
                .send(templates.render(bundle, template, common(ctx, model)));
    }

    /** An error or notice page with a status code. */
    public void message(RouteContext ctx, int status, String title, String text) {
        ctx.getResponse().status(status);
        html(ctx, "message.peb", Map.of("title", title, "text", text));
    }

    public static void json(RouteContext ctx, int status, Object body) {
        json(ctx, status, body, JSON);
    }

    /**
     * JSON of a plugin's values (a page's model): written by a mapper of its own, since the host's caches every class
     * it writes (serializers, types) and would keep an uninstalled plugin's classes, and so its class loader.
     */
    public static void pluginJson(RouteContext ctx, int status, Object body) {
        ObjectMapper own = new ObjectMapper()
                .setTypeFactory(com.fasterxml.jackson.databind.type.TypeFactory.defaultInstance()
                        .withCache(new com.fasterxml.jackson.databind.util.LRUMap<>(16, 200)))
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        json(ctx, status, body, own);
    }

    private static void json(RouteContext ctx, int status, Object body, ObjectMapper mapper) {
        try {
            ctx.getResponse()
                    .status(status)
                    .header("Cache-Control", "no-store")
                    .contentType("application/json")
                    .send(mapper.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
