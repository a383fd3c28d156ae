package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.RunningCohort;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.DelegatingLoader;
import io.pebbletemplates.pebble.loader.FileLoader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.interactions.Actions;
import org.osgi.framework.launch.Framework;

/** The two demo experiments as the distribution ships them: Stroop in experiments/, the prisoner's dilemma in deploy/. */
class DemoExperimentsIT {

    static final Path DISTRIBUTION = Path.of(System.getProperty("cohort.distribution"));
    static final Path STROOP = DISTRIBUTION.resolve("experiments/stroop");

    @TempDir
    Path work;

    @Test
    void stroopIsAValidExperimentFolder() throws Exception {
        Framework framework = new FrameworkFactory()
                .newFramework(Map.of(
                        "org.osgi.framework.storage",
                        work.resolve("felix").toString(),
                        "org.osgi.framework.storage.clean",
                        "onFirstInit"));
        framework.start();
        try (ExperimentCatalog catalog = new ExperimentCatalog(DISTRIBUTION, framework.getBundleContext())) {
            assertEquals(List.of(), catalog.problems());
            Experiment stroop = catalog.find("stroop").orElseThrow();
            assertEquals(
                    List.of(new Condition("congruent-first", 1), new Condition("incongruent-first", 1)),
                    stroop.conditions());
            assertEquals(
                    List.of("consent", "instructions", "task", "debrief"),
                    stroop.pages().stream().map(Page::name).toList());
            assertEquals("{\"trials\":24}", stroop.defaultSettings());
            assertTrue(catalog.resource("stroop", "static/stroop.js").isPresent());
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void thePrisonersDilemmaBundleStartsFromDeployWithItsDigest() throws Exception {
        Path home = Files.createDirectories(work.resolve("home/deploy")).getParent();
        for (String plugin : List.of("cohort-plugin-prisoners-dilemma-", "cohort-plugin-digest-")) {
            try (Stream<Path> shipped = Files.list(DISTRIBUTION.resolve("deploy"))) {
                List<Path> jars = shipped.filter(p -> p.getFileName().toString().startsWith(plugin))
                        .toList();
                assertEquals(1, jars.size(), "deploy/ ships " + plugin + ": " + jars);
                Files.copy(
                        jars.get(0), home.resolve("deploy").resolve(jars.get(0).getFileName()));
            }
        }
        try (RunningCohort cohort =
                RunningCohort.fromSystemProperty().home(home).start()) {
            Plugins plugins = new Plugins(cohort.admin());
            Eventually.within(
                    Duration.ofSeconds(30),
                    "the bundle is ACTIVE",
                    () -> plugins.bySymbolicName("io.cohort.plugin.prisonersdilemma"),
                    row -> row.isPresent() && "ACTIVE".equals(row.get().state()));
            // The host read the experiment inside the bundle.
            String log = Eventually.within(
                            Duration.ofSeconds(30),
                            "the host logs the bundle's experiment",
                            () -> cohort.stdout() + cohort.stderr(),
                            l -> l.contains(
                                    "Experiment 'prisoners-dilemma' from bundle io.cohort.plugin.prisonersdilemma"))
                    .value();
            assertFalse(log.contains("Experiment left out"), log);

            // The digest plugin's tab shows the game's own digest for a session of it.
            Eventually.within(
                    Duration.ofSeconds(30),
                    "the digest bundle is ACTIVE",
                    () -> plugins.bySymbolicName("io.cohort.plugin.digest"),
                    row -> row.isPresent() && "ACTIVE".equals(row.get().state()));
            AdminHttp.Response made = cohort.api()
                    .postForm("/api/sessions", Map.of("experiment", "prisoners-dilemma", "participants", "2"));
            assertEquals(201, made.status(), made.toString());
            String id = new ObjectMapper()
                    .readTree(made.body())
                    .get("session")
                    .get("id")
                    .asText();
            AdminHttp.Response digest = cohort.api().get("/api/sessions/" + id + "/digest");
            assertEquals(200, digest.status(), digest.toString());
            assertTrue(
                    digest.body().contains("\"own\":true")
                            && digest.body().contains("\"Cooperation rate per round\":[null,null,null]")
                            && digest.body().contains("\"Pairs that always cooperated\":0"),
                    digest.body());
        }
    }

    /**
     * task.peb and static/stroop.js in Chromium, inside a stand-in for the host's participant.peb whose
     * {@code cohort} object records what the script hands it; keys are pressed as a participant would.
     */
    @Test
    void theStroopTaskRunsItsTrialsAndSavesTheSummary() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        Path host = Files.createDirectories(work.resolve("host"));
        Files.writeString(host.resolve("participant.peb"), """
                <!doctype html><html><head><script>
                window.cohort = {settings: {trials: 6}, fields: {}, calls: [],
                  append(key, record) { this.calls.push(['append', key, record]); return Promise.resolve(); },
                  save(values) { this.calls.push(['save', values]); return Promise.resolve(); },
                  next() { this.calls.push(['next']); return Promise.resolve(); }};
                </script></head><body>{% block content %}{% endblock %}</body></html>
                """);
        PebbleEngine engine = new PebbleEngine.Builder()
                .autoEscaping(true)
                .loader(new DelegatingLoader(
                        List.of(new FileLoader(STROOP.toString()), new FileLoader(host.toString()))))
                .build();
        Path page = work.resolve("task.html");
        try (Writer out = Files.newBufferedWriter(page)) {
            engine.getTemplate("task.peb")
                    .evaluate(
                            out,
                            Map.of(
                                    "participant", Map.of("name", "p1", "condition", "incongruent-first"),
                                    "page", Map.of("name", "task", "kind", "script"),
                                    "settings", Map.of("trials", 6),
                                    "fields", Map.of(),
                                    "static",
                                            STROOP.resolve("static")
                                                    .toUri()
                                                    .toString()
                                                    .replaceAll("/$", "")));
        }

        try (Browser browser = Browser.start()) {
            browser.open(page.toUri().toString());
            for (int trial = 1; trial <= 6; trial++) {
                String number = Integer.toString(trial);
                String expected = browser.await(10, d -> {
                    var stimulus = browser.find("#stimulus");
                    String key = stimulus.getAttribute("data-expected");
                    return number.equals(stimulus.getAttribute("data-trial")) && !key.isEmpty() ? key : null;
                });
                // Trial 2 gets a wrong answer.
                String key = trial == 2 ? (expected.equals("r") ? "g" : "r") : expected;
                new Actions(browser.driver()).sendKeys(key).perform();
            }
            JavascriptExecutor js = (JavascriptExecutor) browser.driver();
            browser.await(10, d -> (Boolean) js.executeScript("return window.cohort.calls.some(c => c[0] === 'next')"));
            @SuppressWarnings("unchecked")
            List<List<Object>> calls = (List<List<Object>>) js.executeScript("return window.cohort.calls");

            assertEquals(8, calls.size(), calls.toString());
            for (int i = 0; i < 6; i++) {
                assertEquals(List.of("append", "trials"), calls.get(i).subList(0, 2));
                @SuppressWarnings("unchecked")
                Map<String, Object> record = (Map<String, Object>) calls.get(i).get(2);
                assertEquals((long) i + 1, record.get("trial"));
                // incongruent-first: three incongruent words, then three congruent ones
                boolean congruent = i >= 3;
                assertEquals(congruent, record.get("congruent"), record.toString());
                assertEquals(congruent, record.get("word").equals(record.get("colour")), record.toString());
                assertEquals(i != 1, record.get("correct"), record.toString());
                assertEquals(
                        i != 1,
                        record.get("key").equals(record.get("colour").toString().substring(0, 1)),
                        record.toString());
                assertTrue(((Number) record.get("rt_ms")).longValue() >= 0, record.toString());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> summary = (Map<String, Object>) calls.get(6).get(1);
            assertEquals("save", calls.get(6).get(0));
            assertEquals(0.833, ((Number) summary.get("accuracy")).doubleValue(), 1e-9);
            assertNotEquals(null, summary.get("mean_rt_ms"));
            assertEquals(List.of("next"), calls.get(7));
        }
    }
}
