package io.cohort.platform.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Field;
import io.cohort.api.experiment.FieldType;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.platform.TestFramework;
import io.cohort.platform.osgi.SystemPackages;
import io.cohort.testkit.TestBundles;
import io.example.hooks.HooksActivator;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/** Experiments from folders (real files) and from bundles (a real Felix), with every kind of bad file. */
class ExperimentCatalogTest {

    /** Line numbers matter: the error messages below name them. */
    static final String GOOD = """
            name: stroop
            title: Stroop task
            version: "1.0"
            groupSize: 1
            conditions:
              - {name: words-first, weight: 2}
              - {name: colours-first}
            settings: {trials: 24, colours: [red, green]}
            completion: {code: STROOP-2026, redirect: "https://example.org/done"}
            pages:
              - name: consent
                kind: form
                template: consent.peb
                fields:
                  - {name: agree, type: boolean, label: "I agree to take part", required: true}
                  - {name: age, type: int, label: "Age", required: true, min: 18, max: 99}
                  - {name: hand, type: choice, label: "Writing hand", choices: [left, right]}
                  - {name: mood, type: scale, min: 1, max: 7}
              - {name: task, kind: script, template: task.peb, bot: {values: {score: 3}, records: {trials: [{rt: 500}]}}}
              - {name: done, kind: wait}
            """;

    static final String FILE = "experiments/stroop/experiment.yaml";

    @TempDir
    static Path felixStorage;

    static Framework framework;

    @TempDir
    Path home;

    ExperimentCatalog catalog;

    @BeforeAll
    static void startFramework() throws Exception {
        framework = TestFramework.start(felixStorage, SystemPackages.list());
    }

    @AfterAll
    static void stopFramework() throws Exception {
        TestFramework.stop(framework);
    }

    @AfterEach
    void closeCatalog() {
        if (catalog != null) {
            catalog.close();
        }
    }

    ExperimentCatalog catalog() {
        catalog = new ExperimentCatalog(home, framework.getBundleContext(), java.time.Duration.ZERO);
        return catalog;
    }

    /** Writes experiments/NAME/ with its yaml and the templates the good file names. */
    Path write(String name, String yaml) throws Exception {
        Path dir = Files.createDirectories(home.resolve("experiments").resolve(name));
        Files.writeString(dir.resolve("consent.peb"), "{% extends \"participant.peb\" %}");
        Files.writeString(dir.resolve("task.peb"), "{% extends \"participant.peb\" %}");
        Files.createDirectories(dir.resolve("static"));
        Files.writeString(dir.resolve("static/stroop.js"), "// task");
        Files.writeString(dir.resolve("experiment.yaml"), yaml);
        return dir;
    }

    @Test
    void aGoodFileBecomesTheExperimentItDescribes() throws Exception {
        write("stroop", GOOD);
        Experiment e = catalog().find("stroop").orElseThrow(() -> new AssertionError(catalog.problems()));
        assertEquals(List.of(), catalog.problems());
        assertEquals("stroop", e.name());
        assertEquals("Stroop task", e.title());
        assertEquals("1.0", e.version());
        assertEquals(1, e.groupSize());
        assertEquals(List.of(new Condition("words-first", 2), new Condition("colours-first", 1)), e.conditions());
        assertEquals("{\"trials\":24,\"colours\":[\"red\",\"green\"]}", e.defaultSettings());
        assertEquals("STROOP-2026", e.completionCode());
        assertEquals("https://example.org/done", e.completionRedirect());
        assertEquals(3, e.pages().size());
        Page consent = e.pages().get(0);
        assertEquals("consent", consent.name());
        assertEquals(PageKind.FORM, consent.kind());
        assertEquals("consent.peb", consent.template());
        assertEquals(
                List.of(
                        new Field("agree", FieldType.BOOLEAN, "I agree to take part", true, null, null, List.of()),
                        new Field("age", FieldType.INT, "Age", true, 18.0, 99.0, List.of()),
                        new Field(
                                "hand", FieldType.CHOICE, "Writing hand", false, null, null, List.of("left", "right")),
                        // no label: the field's name stands in
                        new Field("mood", FieldType.SCALE, "mood", false, 1.0, 7.0, List.of())),
                consent.fields());
        assertEquals(
                new Page(
                        "task",
                        PageKind.SCRIPT,
                        "task.peb",
                        List.of(),
                        "{\"values\":{\"score\":3},\"records\":{\"trials\":[{\"rt\":500}]}}"),
                e.pages().get(1));
        assertEquals(new Page("done", PageKind.WAIT, null, List.of()), e.pages().get(2));
        assertEquals(List.of(e), catalog.list());
    }

    @Test
    void optionalPartsHaveTheirDefaults() throws Exception {
        write("mini", """
                name: mini
                version: 3
                pages:
                  - {name: only, kind: form, template: consent.peb}
                """);
        Experiment e = catalog().find("mini").orElseThrow(() -> new AssertionError(catalog.problems()));
        assertEquals(
                new Experiment(
                        "mini",
                        "mini",
                        "3",
                        List.of(new Page("only", PageKind.FORM, "consent.peb", List.of())),
                        List.of(),
                        1,
                        "{}",
                        null,
                        null),
                e);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of(
                        "kind: script",
                        "kind: quiz",
                        "line 19: pages[1].kind: 'quiz' is not one of form, wait, script"),
                Arguments.of(
                        "{name: task,",
                        "{name: consent,",
                        "line 19: pages[1].name: 'consent' is the name of an earlier page"),
                Arguments.of(
                        "{name: mood,",
                        "{name: age,",
                        "line 18: pages[0].fields[3].name: 'age' is the name of an earlier field on this page"),
                Arguments.of(
                        GOOD.substring(GOOD.indexOf("pages:")),
                        "pages: []\n",
                        "line 10: pages: an experiment needs at least one page"),
                Arguments.of(
                        "    template: consent.peb\n",
                        "",
                        "line 11: pages[0].template: is missing (a form page needs its template)"),
                Arguments.of(
                        "template: task.peb",
                        "template: tusk.peb",
                        "line 19: pages[1].template: 'tusk.peb' does not exist in the experiment's folder"),
                Arguments.of(
                        "template: task.peb",
                        "template: ../other/task.peb",
                        "line 19: pages[1].template: '../other/task.peb' must be a relative path inside the experiment's folder"),
                Arguments.of(
                        "template: task.peb",
                        "template: /etc/passwd",
                        "line 19: pages[1].template: '/etc/passwd' must be a relative path inside the experiment's folder"),
                Arguments.of("groupSize: 1", "groupSize: 0", "line 4: groupSize: 0 is less than 1"),
                Arguments.of("groupSize: 1", "groupSize: two", "line 4: groupSize: 'two' is not a whole number"),
                Arguments.of("weight: 2", "weight: 0", "line 6: conditions[0].weight: 0 is less than 1"),
                Arguments.of(
                        "  - {name: colours-first}",
                        "  - colours-first",
                        "line 7: conditions[1]: must be a mapping {name, weight}"),
                Arguments.of(
                        "{name: colours-first}",
                        "{name: words-first}",
                        "line 7: conditions[1].name: 'words-first' is used by another condition"),
                Arguments.of(
                        "name: stroop",
                        "name: stroopy",
                        "line 1: name: 'stroopy' must equal the folder's name 'stroop'"),
                Arguments.of(
                        "version: \"1.0\"", "version: \"\"", "line 3: version: must be non-empty text, e.g. \"1.0\""),
                Arguments.of(
                        "version: \"1.0\"\n",
                        "",
                        "version: is missing (the code version recorded on every participant, e.g. \"1.0\")"),
                Arguments.of(
                        "version: \"1.0\"",
                        "version: 1.10",
                        "line 3: version: 1.1 is a number; quote it (version: \"1.1\") so it is kept exactly as written"),
                Arguments.of(
                        "https://example.org/done",
                        "javascript:alert(1)",
                        "line 9: completion.redirect: 'javascript:alert(1)' is not an http:// or https:// address"),
                Arguments.of(
                        "https://example.org/done",
                        "ftp://example.org/done",
                        "line 9: completion.redirect: 'ftp://example.org/done' is not an http:// or https:// address"),
                Arguments.of(
                        "min: 18, max: 99",
                        "min: 99, max: 18",
                        "line 16: pages[0].fields[1].min: min 99 is greater than max 18"),
                Arguments.of(
                        "min: 18, max: 99",
                        "min: 18.5, max: 99",
                        "line 16: pages[0].fields[1].min: 18.5 is not a whole number"),
                Arguments.of(
                        "choices: [left, right]",
                        "choices: []",
                        "line 17: pages[0].fields[2].choices: a choice field needs at least one choice"),
                Arguments.of(
                        "min: 1, max: 7",
                        "min: 1",
                        "line 18: pages[0].fields[3].max: is missing (a scale needs min and max)"),
                Arguments.of(
                        "type: int",
                        "type: integer",
                        "line 16: pages[0].fields[1].type: 'integer' is not one of int, decimal, text, choice, boolean, scale"),
                Arguments.of(
                        "required: true, min: 18",
                        "required: yes please, min: 18",
                        "line 16: pages[0].fields[1].required: 'yes please' is not true or false"),
                Arguments.of(
                        "{name: task, kind: script, template: task.peb, bot:",
                        "{name: task, kind: script, template: task.peb, fields: [{name: x, type: text}], bot:",
                        "line 19: pages[1].fields: only form pages have fields (this is a script page)"),
                Arguments.of(
                        "settings: {trials: 24, colours: [red, green]}",
                        "settings: [1, 2]",
                        "line 8: settings: must be a mapping of setting names to defaults or declarations {type,"
                                + " default, ...}"),
                Arguments.of(
                        "settings: {trials: 24, colours: [red, green]}",
                        "settings: {trials: {type: int, default: 500, min: 2, max: 200}}",
                        "line 8: settings.trials.default: 500 is more than the maximum 200"),
                Arguments.of(
                        "settings: {trials: 24, colours: [red, green]}",
                        "settings: {trials: {type: number, default: 5}}",
                        "line 8: settings.trials.type: 'number' is not one of int, decimal, text, boolean, choice,"
                                + " json"),
                Arguments.of(
                        "bot: {values: {score: 3}, records: {trials: [{rt: 500}]}}",
                        "bot: [click, submit]",
                        "line 19: pages[1].bot: page 'task': bot must be a mapping (e.g. values: and records:), not"
                                + " [\"click\",\"submit\"]"),
                Arguments.of(
                        "title: Stroop task",
                        "titel: Stroop task",
                        "line 2: titel: unknown key (known: name, title, version, language, groupSize, conditions, settings,"
                                + " completion, pages)"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void aBadFileIsLeftOutWithTheLineAndFieldAndTheOthersStillLoad(String from, String to, String problem)
            throws Exception {
        assertTrue(GOOD.contains(from), from);
        write("stroop", GOOD.replace(from, to));
        write("other", GOOD.replace("name: stroop", "name: other"));
        catalog();
        assertEquals(List.of(FILE + (problem.startsWith("line") ? " " : ": ") + problem), catalog.problems());
        assertEquals(
                List.of("other"), catalog.list().stream().map(Experiment::name).toList());
        assertTrue(catalog.find("stroop").isEmpty());
        assertTrue(catalog.resource("stroop", "task.peb").isEmpty(), "an experiment left out serves no files");
    }

    @Test
    void everyProblemOfAFileIsListed() throws Exception {
        write("stroop", GOOD.replace("groupSize: 1", "groupSize: 0").replace("kind: script", "kind: quiz"));
        assertEquals(
                List.of(
                        FILE + " line 4: groupSize: 0 is less than 1",
                        FILE + " line 19: pages[1].kind: 'quiz' is not one of form, wait, script"),
                catalog().problems());
    }

    @Test
    void yamlThatDoesNotParseIsReportedWithItsLine() throws Exception {
        write("stroop", GOOD.replace("settings: {trials: 24,", "settings: {trials: 24,,"));
        List<String> problems = catalog().problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(
                FILE + " line 8: not valid YAML: while parsing a flow node: expected the node content, but found"
                        + " ','",
                problems.get(0));
        assertEquals(List.of(), catalog.list());
    }

    @Test
    void anEmptyFileAndAFolderNamedBadlyAreReported() throws Exception {
        write("stroop", "");
        write("bad name", GOOD.replace("name: stroop", "name: bad name"));
        assertEquals(
                List.of(
                        "experiments/bad name/experiment.yaml: the folder's name 'bad name' may hold only letters,"
                                + " digits, '.', '_' and '-'",
                        FILE + ": is empty"),
                catalog().problems());
    }

    @Test
    void editsAreSeenWithoutARestart() throws Exception {
        Path dir = write("stroop", GOOD);
        assertEquals("Stroop task", catalog().find("stroop").orElseThrow().title());
        Experiment first = catalog.find("stroop").orElseThrow();
        assertSame(first, catalog.find("stroop").orElseThrow(), "an unchanged file is not read again");

        // Same length, so only the modification time tells.
        Files.writeString(dir.resolve("experiment.yaml"), GOOD.replace("Stroop task", "Stroop TASK"));
        assertEquals("Stroop TASK", catalog.find("stroop").orElseThrow().title());

        // A bad edit is reported, and the last good version keeps serving the participants already in it.
        Files.writeString(dir.resolve("experiment.yaml"), GOOD.replace("kind: script", "kind: quiz"));
        assertEquals("Stroop TASK", catalog.find("stroop").orElseThrow().title());
        assertEquals(
                List.of(
                        FILE + " line 19: pages[1].kind: 'quiz' is not one of form, wait, script",
                        FILE + ": the last good version of 'stroop' keeps serving until this is fixed"),
                catalog.problems());

        // A missing template that appears makes the (unchanged) file good.
        Files.writeString(dir.resolve("experiment.yaml"), GOOD.replace("task.peb", "later.peb"));
        assertEquals(
                "task.peb", catalog.find("stroop").orElseThrow().pages().get(1).template());
        Files.writeString(dir.resolve("later.peb"), "{% extends \"participant.peb\" %}");
        assertEquals(
                "later.peb", catalog.find("stroop").orElseThrow().pages().get(1).template());
        assertEquals(List.of(), catalog.problems());

        write("second", GOOD.replace("name: stroop", "name: second"));
        assertEquals(
                List.of("second", "stroop"),
                catalog.list().stream().map(Experiment::name).toList());
        Files.delete(dir.resolve("experiment.yaml"));
        assertEquals(
                List.of("second"), catalog.list().stream().map(Experiment::name).toList());
    }

    @Test
    void aFileOverOneMegabyteIsNotReadAndNamed() throws Exception {
        Path dir = write("stroop", GOOD);
        assertEquals("Stroop task", catalog().find("stroop").orElseThrow().title());
        // Valid YAML, so only the size can refuse it: a comment line repeated past the limit.
        String padding = "# padding\n".repeat(ExperimentCatalog.MAX_BYTES / 10 + 1);
        Files.writeString(dir.resolve("experiment.yaml"), GOOD.replace("Stroop task", "Huge") + padding);
        long size = Files.size(dir.resolve("experiment.yaml"));
        assertEquals("Stroop task", catalog.find("stroop").orElseThrow().title(), "the good version keeps serving");
        assertEquals(
                List.of(
                        FILE + ": " + size + " bytes is over the limit of 1048576 bytes (1 MB); the file is not read",
                        FILE + ": the last good version of 'stroop' keeps serving until this is fixed"),
                catalog.problems());
        write("fresh", GOOD.replace("name: stroop", "name: fresh") + padding);
        assertTrue(catalog.find("fresh").isEmpty(), "a new experiment over the limit is not listed");
    }

    @Test
    void resourcesStayInsideTheExperimentsFolder() throws Exception {
        write("stroop", GOOD);
        Files.writeString(home.resolve("secret.txt"), "secret");
        catalog();
        assertEquals(
                "// task", read(catalog.resource("stroop", "static/stroop.js").orElseThrow()));
        assertTrue(catalog.resource("stroop", "consent.peb").isPresent());
        for (String bad : List.of(
                "../../secret.txt",
                "static/../../../secret.txt",
                "/etc/passwd",
                "static/",
                "static",
                "",
                "./task.peb",
                "static//stroop.js",
                "..\\..\\secret.txt",
                "C:/x",
                "missing.js")) {
            assertTrue(catalog.resource("stroop", bad).isEmpty(), bad);
        }
        assertTrue(catalog.resource("nothere", "task.peb").isEmpty());
    }

    @Test
    void hooksAreFoundByTheExperimentTheyName() throws Exception {
        write("stroop", GOOD);
        catalog();
        assertTrue(catalog.hooks("stroop").isEmpty());
        ExperimentHooks hooks = new ExperimentHooks() {};
        Hashtable<String, Object> properties = new Hashtable<>(Map.of(ExperimentHooks.EXPERIMENT, "stroop"));
        ServiceRegistration<ExperimentHooks> reg =
                framework.getBundleContext().registerService(ExperimentHooks.class, hooks, properties);
        try {
            assertSame(hooks, catalog.hooks("stroop").orElseThrow());
            assertTrue(catalog.hooks("other").isEmpty());
            // Hooks without resources add no experiment.
            assertEquals(
                    List.of("stroop"),
                    catalog.list().stream().map(Experiment::name).toList());
        } finally {
            reg.unregister();
        }
        assertTrue(catalog.hooks("stroop").isEmpty());
    }

    /** A bundle whose activator registers hooks for {@code name} and ships {@code yaml} in experiment/. */
    Bundle install(String name, String yaml) throws Exception {
        Path jar = TestBundles.jar(
                home.resolve(name + ".jar"),
                Map.of(
                        "Bundle-SymbolicName",
                        "io.example.hooks." + name,
                        "Bundle-Activator",
                        HooksActivator.class.getName(),
                        "Import-Package",
                        "io.cohort.api.experiment,org.osgi.framework",
                        "Test-Experiment",
                        name),
                List.of(HooksActivator.class),
                Map.of(
                        "experiment/experiment.yaml",
                        yaml,
                        "experiment/page.peb",
                        "{% extends \"participant.peb\" %}",
                        "experiment/static/game.js",
                        "// game"));
        return framework.getBundleContext().installBundle(jar.toUri().toString());
    }

    static final String BUNDLED = """
            name: game
            title: A game from a bundle
            version: "2"
            groupSize: 2
            pages:
              - {name: play, kind: form, template: page.peb}
              - {name: wait, kind: wait}
            """;

    @Test
    void aBundlesExperimentIsListedWhileItRuns() throws Exception {
        Bundle bundle = install("game", BUNDLED);
        catalog();
        assertTrue(catalog.find("game").isEmpty(), "installed but not started");
        bundle.start();
        try {
            Experiment game = catalog.find("game").orElseThrow(() -> new AssertionError(catalog.problems()));
            assertEquals("A game from a bundle", game.title());
            assertEquals(2, game.groupSize());
            assertEquals(
                    List.of("play", "wait"),
                    game.pages().stream().map(Page::name).toList());
            assertEquals(
                    "// game", read(catalog.resource("game", "static/game.js").orElseThrow()));
            assertTrue(catalog.resource("game", "../experiment/page.peb").isEmpty());
            assertTrue(
                    catalog.resource("game", "io/example/hooks/HooksActivator.class")
                            .isEmpty(),
                    "only the experiment's folder is served");
            assertTrue(catalog.hooks("game").isPresent());

            bundle.stop();
            assertTrue(catalog.find("game").isEmpty());
            assertTrue(catalog.resource("game", "static/game.js").isEmpty());
            assertTrue(catalog.hooks("game").isEmpty());
            assertEquals(List.of(), catalog.list());

            bundle.start();
            assertTrue(catalog.find("game").isPresent(), "started again");
        } finally {
            bundle.uninstall();
        }
        assertTrue(catalog.find("game").isEmpty());
    }

    @Test
    void aBundleTakesThePlaceOfAFolderWithTheSameName() throws Exception {
        write("game", GOOD.replace("name: stroop", "name: game"));
        Bundle bundle = install("game", BUNDLED);
        catalog();
        assertEquals("Stroop task", catalog.find("game").orElseThrow().title());
        bundle.start();
        try {
            assertEquals(
                    "A game from a bundle", catalog.find("game").orElseThrow().title());
            assertEquals(1, catalog.list().size());
            assertTrue(catalog.resource("game", "static/game.js").isPresent());
            assertTrue(catalog.resource("game", "static/stroop.js").isEmpty(), "the folder's files are not mixed in");
        } finally {
            bundle.uninstall();
        }
        assertEquals("Stroop task", catalog.find("game").orElseThrow().title());
    }

    @Test
    void aBundleWithABadFileIsReportedAndLeftOut() throws Exception {
        Bundle bundle = install("game", BUNDLED.replace("page.peb", "nopage.peb"));
        catalog();
        bundle.start();
        try {
            assertEquals(
                    List.of("bundle io.example.hooks.game experiment/experiment.yaml line 6: pages[0].template:"
                            + " 'nopage.peb' does not exist in the experiment's folder"),
                    catalog.problems());
            assertEquals(List.of(), catalog.list());
        } finally {
            bundle.uninstall();
        }
        assertEquals(List.of(), catalog.problems());
    }

    @Test
    void noExperimentsFolderMeansNoFolderExperiments() {
        assertFalse(Files.exists(home.resolve("experiments")));
        assertEquals(List.of(), catalog().list());
        assertEquals(List.of(), catalog.problems());
        assertNull(catalog.find("stroop").orElse(null));
    }

    static String read(URL url) throws Exception {
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
