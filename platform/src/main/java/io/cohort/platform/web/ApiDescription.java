package io.cohort.platform.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ro.pippo.core.Application;

/**
 * The JSON API described in OpenAPI 3.1 ({@code openapi.yaml} beside this class, written by hand next to the routes):
 * served as JSON at {@code /api/openapi.json} for tools and client generators, and as a page at {@code /api/docs}.
 * A test compares it with the routes the node registers, so a route cannot be added without its description.
 *
 * <p>Plugins describe their pages' JSON twins in a fragment of the same format ({@value #FRAGMENT}, a {@code paths:}
 * map) in their bundle; the fragments of the started bundles are merged in on every request, so a plugin's paths
 * appear when it starts and vanish when it stops. Each merged path item says whose it is in {@value #PLUGIN}.
 */
@Singleton
public final class ApiDescription implements Tab {

    /** Where a plugin bundle keeps its fragment. */
    public static final String FRAGMENT = "OSGI-INF/cohort/openapi.yaml";
    /** The path item's extension naming the bundle (symbolic name) that described it. */
    public static final String PLUGIN = "x-cohort-plugin";

    private static final Logger LOG = LoggerFactory.getLogger(ApiDescription.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options");

    private final JsonNode description = load();
    private final Layout layout;
    private final BundleContext context;
    /** A bundle's fragment as last read, by bundle id; read again when the bundle is updated. */
    private final Map<Long, Fragment> fragments = new ConcurrentHashMap<>();

    @com.google.inject.Inject
    public ApiDescription(Layout layout, BundleContext context) {
        this.layout = layout;
        this.context = context;
    }

    private static JsonNode load() {
        try (InputStream in = ApiDescription.class.getResourceAsStream("openapi.yaml")) {
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One operation, for the page; {@code plugin} is the bundle that described it, or empty for the host's own. */
    public record Operation(
            String method, String path, String summary, String description, List<String> parameters, String plugin) {}

    /** A bundle's fragment: its paths, or why it was left out. */
    private record Fragment(long lastModified, JsonNode paths, String problem) {}

    @Override
    public void routes(Application app) {
        app.GET("/api/openapi.json", ctx -> Layout.json(ctx, 200, current().description()));
        app.GET("/api/docs", ctx -> {
            Merged merged = current();
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("title", description.path("info").path("title").asText());
            model.put("intro", description.path("info").path("description").asText());
            model.put("operations", operations(merged.description()));
            model.put("problems", merged.problems());
            layout.html(ctx, "api-docs.peb", model);
        });
    }

    /** The description with the fragments of the started plugins, and what was left out and why. */
    record Merged(JsonNode description, List<String> problems) {}

    Merged current() {
        ObjectNode merged = description.deepCopy();
        ObjectNode paths = (ObjectNode) merged.get("paths");
        List<String> problems = new ArrayList<>();
        Set<Long> started = new java.util.HashSet<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() != Bundle.ACTIVE || bundle.getBundleId() == 0) {
                continue;
            }
            started.add(bundle.getBundleId());
            Fragment fragment = fragmentOf(bundle);
            if (fragment == null) {
                continue;
            }
            String where = bundle.getSymbolicName() + " (" + FRAGMENT + ")";
            if (fragment.problem() != null) {
                problems.add(where + ": " + fragment.problem());
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = fragment.paths().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                JsonNode taken = paths.get(path.getKey());
                if (taken != null) {
                    // The host's routes, and the first plugin's, keep their description.
                    problems.add(where + ": path " + path.getKey() + " is already described by "
                            + taken.path(PLUGIN).asText("the host") + "; left out");
                    continue;
                }
                ObjectNode item = path.getValue().deepCopy();
                item.put(PLUGIN, bundle.getSymbolicName());
                paths.set(path.getKey(), item);
            }
        }
        fragments.keySet().retainAll(started); // an uninstalled bundle's fragment is not kept
        return new Merged(merged, problems);
    }

    private Fragment fragmentOf(Bundle bundle) {
        URL entry = bundle.getEntry(FRAGMENT);
        if (entry == null) {
            fragments.remove(bundle.getBundleId());
            return null;
        }
        Fragment known = fragments.get(bundle.getBundleId());
        if (known != null && known.lastModified() == bundle.getLastModified()) {
            return known;
        }
        Fragment read = read(entry, bundle.getLastModified());
        if (read.problem() != null) {
            LOG.warn(
                    "{} {}: {}; its paths are not in the API description",
                    bundle.getSymbolicName(),
                    FRAGMENT,
                    read.problem());
        }
        fragments.put(bundle.getBundleId(), read);
        return read;
    }

    /** Reads a fragment and checks it has what the host's own description has for each operation. */
    private static Fragment read(URL entry, long lastModified) {
        JsonNode root;
        try (InputStream in = entry.openStream()) {
            root = YAML.readTree(in);
        } catch (IOException e) {
            return new Fragment(lastModified, null, "not YAML: " + e.getMessage());
        }
        if (root == null || !root.path("paths").isObject()) {
            return new Fragment(lastModified, null, "has no 'paths:' map");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            if (!path.getKey().startsWith("/") || !path.getValue().isObject()) {
                return new Fragment(
                        lastModified, null, "path '" + path.getKey() + "' must start with / and hold operations");
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (op.getKey().equals("parameters")
                        || op.getKey().equals("summary")
                        || op.getKey().equals("description")) {
                    continue;
                }
                if (!METHODS.contains(op.getKey())) {
                    return new Fragment(
                            lastModified,
                            null,
                            "path " + path.getKey() + ": '" + op.getKey() + "' is not an HTTP method");
                }
                if (!op.getValue().hasNonNull("summary") || !op.getValue().hasNonNull("responses")) {
                    return new Fragment(
                            lastModified, null, path.getKey() + " " + op.getKey() + " needs a summary and responses");
                }
            }
        }
        return new Fragment(lastModified, root.get("paths"), null);
    }

    private static List<Operation> operations(JsonNode description) {
        List<Operation> all = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths =
                        description.path("paths").fields();
                paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                List<String> parameters = new ArrayList<>();
                for (JsonNode p : op.getValue().path("parameters")) {
                    parameters.add(p.path("name").asText() + " (" + p.path("in").asText() + "): "
                            + p.path("description").asText());
                }
                // A plugin's action takes form fields, described as its request body.
                op.getValue()
                        .path("requestBody")
                        .path("content")
                        .path("application/x-www-form-urlencoded")
                        .path("schema")
                        .path("properties")
                        .fields()
                        .forEachRemaining(f -> parameters.add(f.getKey() + " (form): "
                                + f.getValue()
                                        .path("description")
                                        .asText(f.getValue().path("type").asText())));
                all.add(new Operation(
                        op.getKey().toUpperCase(java.util.Locale.ROOT),
                        "/api" + path.getKey(),
                        op.getValue().path("summary").asText(),
                        op.getValue().path("description").asText(""),
                        parameters,
                        path.getValue().path(PLUGIN).asText("")));
            }
        }
        return all;
    }
}
