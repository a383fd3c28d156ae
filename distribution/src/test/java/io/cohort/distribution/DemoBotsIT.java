package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The distribution as shipped, with the simulation plugin copied from plugins/ into deploy/ as a lab would: it starts
 * beside the prisoner's dilemma, and bots
 * alone, added through the Bots tab's JSON twin, play a session of each demo to the end on the real bin/cohort.
 */
class DemoBotsIT {

    @Test
    void botsAloneFinishASessionOfEachShippedDemo() throws Exception {
        RunningCohort.Builder node = RunningCohort.fromSystemProperty();
        Path deploy = java.nio.file.Files.createDirectories(node.home().resolve("deploy"));
        Path jar = ProlificLab.shippedPlugin("simulation");
        java.nio.file.Files.copy(jar, deploy.resolve(jar.getFileName()));
        try (RunningCohort cohort = node.start()) {
            Plugins plugins = new Plugins(cohort.admin());
            for (String bundle : List.of("io.cohort.plugin.simulation", "io.cohort.plugin.prisonersdilemma")) {
                Eventually.within(
                        Duration.ofSeconds(20),
                        bundle + " is ACTIVE",
                        () -> plugins.bySymbolicName(bundle),
                        row -> row.isPresent() && "ACTIVE".equals(row.get().state()));
            }
            AdminHttp api = cohort.api();
            for (String experiment : List.of("stroop", "prisoners-dilemma")) {
                AdminHttp.Response made =
                        api.postForm("/api/sessions", Map.of("experiment", experiment, "participants", "0"));
                assertEquals(201, made.status(), made.body());
                String id = CrowdLab.read(made).path("session").path("id").asText();
                // The bundle is ACTIVE a moment before its components have registered their services.
                Eventually.within(
                        Duration.ofSeconds(20),
                        "the Bots tab answers",
                        () -> api.get("/api/sessions/" + id + "/bots").status(),
                        status -> status == 200);
                AdminHttp.Response added = api.postForm("/api/sessions/" + id + "/bots", Map.of("n", "2"));
                assertEquals(200, added.status(), added.body());

                JsonNode runs = Eventually.within(
                                Duration.ofSeconds(60),
                                "the bots of " + experiment + " stop",
                                () -> CrowdLab.read(api.get("/api/sessions/" + id + "/bots"))
                                        .at("/page/runs"),
                                r -> r.size() == 2
                                        && r.findValues("finished").stream().noneMatch(JsonNode::isNull))
                        .value();
                for (JsonNode run : runs) {
                    assertTrue(run.path("error").isNull(), run.toString());
                }
                JsonNode rows = CrowdLab.read(api.get("/api/sessions/" + id)).get("participants");
                assertEquals(2, rows.size());
                for (JsonNode row : rows) {
                    assertEquals("end", row.path("page").asText(), row.toString());
                    assertEquals("bot", row.path("mode").asText(), row.toString());
                }
            }
        }
    }
}
