package io.cohort.platform.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ro.pippo.core.Application;

/**
 * The JSON API described in OpenAPI 3.1 ({@code openapi.yaml} beside this class, written by hand next to the routes):
 * served as JSON at {@code /api/openapi.json} for tools and client generators, and as a page at {@code /api/docs}.
 * A test compares it with the routes the node registers, so a route cannot be added without its description.
 */
@Singleton
public final class ApiDescription implements Tab {

    private final JsonNode description = load();
    private final Layout layout;

    @com.google.inject.Inject
    public ApiDescription(Layout layout) {
        this.layout = layout;
    }

    private static JsonNode load() {
        try (InputStream in = ApiDescription.class.getResourceAsStream("openapi.yaml")) {
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One operation, for the page. */
    public record Operation(String method, String path, String summary, String description, List<String> parameters) {}

    @Override
    public void routes(Application app) {
        app.GET("/api/openapi.json", ctx -> Layout.json(ctx, 200, description));
        app.GET("/api/docs", ctx -> {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("title", description.path("info").path("title").asText());
            model.put("intro", description.path("info").path("description").asText());
            model.put("operations", operations());
            layout.html(ctx, "api-docs.peb", model);
        });
    }

    private List<Operation> operations() {
        List<Operation> all = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths =
                        description.path("paths").fields();
                paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                List<String> parameters = new ArrayList<>();
                for (JsonNode p : op.getValue().path("parameters")) {
                    parameters.add(p.path("name").asText() + " (" + p.path("in").asText() + "): "
                            + p.path("description").asText());
                }
                all.add(new Operation(
                        op.getKey().toUpperCase(java.util.Locale.ROOT),
                        "/api" + path.getKey(),
                        op.getValue().path("summary").asText(),
                        op.getValue().path("description").asText(""),
                        parameters));
            }
        }
        return all;
    }
}
