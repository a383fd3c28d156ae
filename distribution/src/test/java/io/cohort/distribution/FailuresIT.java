package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.distribution.fixture.FailingActivator;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken plugins show as FAILED and leave the host serving; plugins started, stopped, removed and uploaded. */
class FailuresIT {

    /** Generous: the machine may be busy with other tests; these check what happens, not how fast. */
    private static final Duration SOON = Duration.ofSeconds(30);

    private static RunningCohort cohort;
    private static AdminHttp admin;
    private static Plugins plugins;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        cohort = RunningCohort.fromSystemProperty().start();
        admin = cohort.admin();
        plugins = new Plugins(cohort.api());
    }

    @AfterAll
    static void stop() {
        if (cohort != null) {
            cohort.close();
        }
    }

    @Test
    void aThrowingActivatorAndACorruptJarShowAsFailed() throws Exception {
        deploy(FixtureBundles.failing(work.resolve("failing.jar")));
        deploy(FixtureBundles.corrupt(work.resolve("broken.jar")));

        Plugins.Row failing = Eventually.within(
                        SOON,
                        "the failing bundle FAILED",
                        () -> plugins.bySymbolicName(FixtureBundles.FAILING),
                        p -> p.isPresent() && p.get().state().equals("FAILED"))
                .value()
                .get();
        assertNotNull(failing.id());
        assertNotNull(failing.error(), "FAILED with a reason");
        assertTrue(failing.error().startsWith("Activator start error"), failing.error());
        AdminHttp.Response retry = cohort.api().post("/api/plugins/" + failing.id() + "/start");
        assertEquals(409, retry.status(), retry.toString());
        assertTrue(
                retry.body().contains(FailingActivator.MESSAGE),
                "a start from the API tells the cause: " + retry.body());
        Plugins.Row afterRetry = plugins.bySymbolicName(FixtureBundles.FAILING).get();
        assertEquals("FAILED", afterRetry.state());
        assertTrue(afterRetry.error().contains(FailingActivator.MESSAGE), afterRetry.error());

        Plugins.Row broken = Eventually.within(
                        SOON,
                        "broken.jar FAILED",
                        () -> plugins.byFileName("broken.jar"),
                        p -> p.isPresent() && p.get().state().equals("FAILED"))
                .value()
                .get();
        assertTrue(broken.error().startsWith("not a valid jar"), broken.error());

        String page = admin.get("/admin/plugins").body();
        assertTrue(
                row(page, "data-name=\"" + FixtureBundles.FAILING + "\"").startsWith("<tr class=\"state-failed\""),
                "the Plugins page shows the failing bundle as FAILED:\n" + page);
        String brokenRow = row(page, "broken.jar");
        assertTrue(
                brokenRow.startsWith("<tr class=\"state-failed\"") && brokenRow.contains("not a valid jar"),
                "the Plugins page shows broken.jar as FAILED with its reason: " + brokenRow);

        assertEquals(200, cohort.http().get("/healthz").status());
        assertEquals(200, admin.get("/admin/").status());
    }

    @Test
    void theApiStopsStartsAndUninstallsAPlugin() throws Exception {
        Path deployed = deploy(FixtureBundles.hello(work.resolve("hello.jar")));
        long id = Eventually.within(
                        SOON,
                        "hello ACTIVE",
                        () -> plugins.bySymbolicName(FixtureBundles.HELLO),
                        p -> p.isPresent() && p.get().state().equals("ACTIVE"))
                .value()
                .get()
                .id();
        assertEquals(200, admin.get("/admin/hello").status());
        AdminHttp api = cohort.api();

        AdminHttp.Response stopped = api.post("/api/plugins/" + id + "/stop");
        assertEquals(200, stopped.status(), stopped.toString());
        assertEquals(
                "RESOLVED", plugins.bySymbolicName(FixtureBundles.HELLO).get().state());
        assertEquals(404, admin.get("/admin/hello").status(), "a stopped plugin's page is gone");

        assertEquals(200, api.post("/api/plugins/" + id + "/start").status());
        assertEquals(
                "ACTIVE", plugins.bySymbolicName(FixtureBundles.HELLO).get().state());
        assertEquals(200, admin.get("/admin/hello").status());

        assertEquals(200, api.post("/api/plugins/" + id + "/uninstall").status());
        assertEquals(Optional.empty(), plugins.bySymbolicName(FixtureBundles.HELLO));
        assertFalse(Files.exists(deployed), "the jar left deploy/ so it is not installed again");
        assertEquals(404, admin.get("/admin/hello").status());
        Thread.sleep(1_500);
        assertEquals(
                Optional.empty(), plugins.bySymbolicName(FixtureBundles.HELLO), "still gone after FileInstall polled");

        AdminHttp.Response unknown = api.post("/api/plugins/99999/stop");
        assertEquals(400, unknown.status(), unknown.toString());
        AdminHttp.Response boot = api.post("/api/plugins/0/stop");
        assertEquals(400, boot.status(), "the framework itself cannot be stopped from here: " + boot);
        assertEquals(200, cohort.http().get("/healthz").status());
    }

    @Test
    void thePluginsPageUploadsABundleAndRefusesWhatIsNone() throws Exception {
        byte[] jar = Files.readAllBytes(FixtureBundles.plain(work.resolve("x.jar"), "io.cohort.fixture.uploaded"));
        AdminHttp.Response uploaded =
                admin.postMultipart("/admin/plugins/upload", Map.of(), "bundle", "uploaded.jar", jar);
        assertEquals(302, uploaded.status(), uploaded.toString());
        assertTrue(uploaded.location().contains("notice="), uploaded.location());
        assertTrue(Files.exists(cohort.deployDir().resolve("uploaded.jar")));
        Eventually.within(
                SOON,
                "the uploaded bundle ACTIVE",
                () -> plugins.bySymbolicName("io.cohort.fixture.uploaded"),
                p -> p.isPresent() && p.get().state().equals("ACTIVE"));

        AdminHttp.Response text = admin.postMultipart(
                "/admin/plugins/upload", Map.of(), "bundle", "notes.txt", "just some notes".getBytes());
        assertEquals(302, text.status(), text.toString());
        String shown = admin.get(text.redirectPath()).body();
        assertTrue(
                shown.contains("upload refused: &#39;notes.txt&#39; is not a .jar file name")
                        || shown.contains("upload refused: 'notes.txt' is not a .jar file name"),
                "the page says why:\n" + shown);

        AdminHttp.Response fake = admin.postMultipart(
                "/admin/plugins/upload",
                Map.of(),
                "bundle",
                "fake.jar",
                Files.readAllBytes(FixtureBundles.corrupt(work.resolve("fake.jar"))));
        assertEquals(302, fake.status(), fake.toString());
        String fakeShown = admin.get(fake.redirectPath()).body();
        assertTrue(fakeShown.contains("upload refused: fake.jar: not a valid jar"), "the page says why:\n" + fakeShown);
        assertFalse(Files.exists(cohort.deployDir().resolve("notes.txt")));
        assertFalse(Files.exists(cohort.deployDir().resolve("fake.jar")), "a refused upload leaves deploy/ alone");
        assertTrue(
                Arrays.stream(cohort.deployDir().getParent().toFile().list()).noneMatch(n -> n.endsWith(".part")),
                "no upload leftovers in the home folder");
    }

    /** Moves a built jar into deploy/ in one step, as FileInstall should see it. */
    @Test
    void anUnresolvableBundleNamesItsMissingPackageAndADuplicateSaysSo() throws Exception {
        deploy(io.cohort.testkit.TestBundles.jar(
                work.resolve("needs-missing.jar"),
                Map.of(
                        "Bundle-SymbolicName",
                        "test.needs.missing",
                        "Bundle-Version",
                        "1.0.0",
                        "Import-Package",
                        "org.example.nowhere;version=\"[1.0,2)\""),
                List.of(),
                Map.of()));
        Plugins.Row unresolved = Eventually.within(
                        SOON,
                        "the unresolvable bundle FAILED with its reason",
                        () -> plugins.bySymbolicName("test.needs.missing"),
                        p -> p.isPresent() && p.get().error() != null)
                .value()
                .get();
        assertEquals("FAILED", unresolved.state());
        assertTrue(
                unresolved.error().startsWith("cannot resolve: no bundle exports the package org.example.nowhere"),
                unresolved.error());
        assertTrue(admin.get("/admin/plugins").body().contains("org.example.nowhere"));

        Path first = FixtureBundles.plain(work.resolve("twin-a.jar"), "test.twin");
        Path second = Files.copy(first, work.resolve("twin-b.jar"));
        deploy(first);
        Eventually.within(
                SOON,
                "the first twin ACTIVE",
                () -> plugins.bySymbolicName("test.twin"),
                p -> p.isPresent() && p.get().state().equals("ACTIVE"));
        deploy(second);
        Plugins.Row duplicate = Eventually.within(
                        Duration.ofSeconds(15),
                        "the second twin named a duplicate",
                        () -> plugins.byFileName("twin-b.jar"),
                        p -> p.isPresent() && p.get().error() != null)
                .value()
                .get();
        assertTrue(
                duplicate.error().startsWith("a duplicate: bundle ")
                        && duplicate.error().contains("twin-a.jar"),
                duplicate.error());
        Files.delete(cohort.deployDir().resolve("twin-b.jar"));
        Files.delete(cohort.deployDir().resolve("twin-a.jar"));
        Files.delete(cohort.deployDir().resolve("needs-missing.jar"));
    }

    @Test
    void aBadValueInACfgFileIsNamedOnTheFormAndInTheLog() throws Exception {
        Path distribution = Path.of(System.getProperty(io.cohort.testkit.RunningCohort.DISTRIBUTION_PROPERTY));
        Path mturk;
        try (var files = Files.list(distribution.resolve("deploy"))) {
            mturk = files.filter(f -> f.getFileName().toString().startsWith("cohort-plugin-mturk"))
                    .findFirst()
                    .orElseThrow();
        }
        Files.writeString(work.resolve("io.cohort.mturk.cfg"), "mode=sandbox\nratePerSecond=abc\n");
        deploy(work.resolve("io.cohort.mturk.cfg"));
        deploy(Files.copy(mturk, work.resolve("mturk.jar")));
        Plugins.Row plugin = Eventually.within(
                        Duration.ofSeconds(30),
                        "the MTurk plugin ACTIVE",
                        () -> plugins.bySymbolicName("io.cohort.plugin.mturk"),
                        p -> p.isPresent() && p.get().state().equals("ACTIVE"))
                .value()
                .get();
        String form = Eventually.within(
                        SOON,
                        "the form names the key",
                        () -> admin.get("/admin/plugins/" + plugin.id() + "/config/io.cohort.mturk")
                                .body(),
                        body -> body.contains("id=\"config-problems\""))
                .value();
        assertTrue(form.contains("ratePerSecond: &#39;abc&#39;") || form.contains("ratePerSecond: 'abc'"), form);
        Eventually.within(
                SOON,
                "the log names the key",
                cohort::stderr,
                log -> log.contains("Configuration io.cohort.mturk (io.cohort.mturk.cfg): ratePerSecond: 'abc'"));
        Files.delete(cohort.deployDir().resolve("mturk.jar"));
        Files.delete(cohort.deployDir().resolve("io.cohort.mturk.cfg"));
    }

    private Path deploy(Path jar) throws Exception {
        return Files.move(jar, cohort.deployDir().resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The {@code <tr ...>…</tr>} of the Plugins table that contains {@code marker}, or "" if none. */
    private static String row(String page, String marker) {
        for (String part : page.split("(?=<tr )")) {
            int end = part.indexOf("</tr>");
            String tr = end < 0 ? part : part.substring(0, end);
            if (tr.startsWith("<tr ") && tr.contains(marker)) {
                return tr;
            }
        }
        return "";
    }
}
