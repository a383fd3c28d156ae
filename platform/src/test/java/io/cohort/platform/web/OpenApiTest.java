package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's OpenAPI description lists every /api route the node answers, and nothing it does not. */
class OpenApiTest {

    static final String TOKEN = "openapi-token";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static InProcessNode node;
    static AdminHttp api;

    @BeforeAll
    static void start() throws Exception {
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", TestDatabase.create(), "COHORT_API_TOKEN", TOKEN));
        api = new AdminHttp(URI.create(node.url())).bearer(TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    /** Pippo's {@code {id: [0-9]+}} as OpenAPI's {@code {id}}. */
    static String openApiPath(String pippo) {
        return pippo.replaceAll("\\{([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}");
    }

    @Test
    void everyApiRouteIsDescribedAndEveryDescribedRouteIsServed() throws Exception {
        JsonNode routes = JSON.readTree(api.get("/api/routes").body()).get("routes");
        Set<String> served = new TreeSet<>();
        for (JsonNode r : routes) {
            String path = r.get("path").asText();
            if (path.startsWith("/api/")
                    && !path.contains(".*")
                    && !r.get("method").asText().equals("ANY")) {
                served.add(r.get("method").asText().toLowerCase() + " " + openApiPath(path));
            }
        }
        AdminHttp.Response described = api.get("/api/openapi.json");
        assertEquals(200, described.status(), described.body());
        JsonNode doc = JSON.readTree(described.body());
        assertEquals("3.1.0", doc.get("openapi").asText());
        Set<String> listed = new TreeSet<>();
        // A plugin's paths are its pages' twins, served by the host's one /api route for them (checked where plugins
        // start).
        doc.get("paths")
                .fields()
                .forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
                    if (p.getValue().has(ApiDescription.PLUGIN)) {
                        return;
                    }
                    if (Set.of("get", "post", "put", "delete", "patch").contains(m)) {
                        listed.add(m + " /api" + p.getKey());
                    }
                }));
        Set<String> missing = new TreeSet<>(served);
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "routes the description lacks");
        Set<String> extra = new TreeSet<>(listed);
        extra.removeAll(served);
        assertEquals(Set.of(), extra, "described routes the node does not serve");
        for (JsonNode path : doc.get("paths")) {
            path.fields()
                    .forEachRemaining(op -> assertTrue(
                            op.getValue().hasNonNull("summary") && op.getValue().hasNonNull("responses"),
                            op.getKey() + " " + op.getValue()));
        }
    }

    @Test
    void theDocsPageRendersTheDescription() {
        AdminHttp.Response page = api.get("/api/docs");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<code>GET /api/sessions</code>"), page.body());
    }

    @Test
    void theDumpsTwinAnswersTheDocumentedFile() throws Exception {
        JsonNode ok = JSON.readTree(api.get("/api/openapi.json").body()).at("/paths/~1dump/get/responses/200/content");
        Set<String> documented = new TreeSet<>();
        ok.fieldNames().forEachRemaining(documented::add);
        AdminHttp.Response dump = api.get("/api/dump");
        assertEquals(200, dump.status());
        // The media type; Jetty adds the response's charset as a parameter.
        assertEquals(documented, Set.of(dump.header("Content-Type").split(";")[0]));
    }
}
