package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.distribution.fixture.HelloActivator;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin jar dropped into deploy/ of a running node: its page, its menu entry, its .cfg, its removal. */
class HotDeployIT {

    /**
     * How long the test waits for a change to show. The time it takes (under 5 s) is a figure of
     * {@code bench/redeploy.sh}, not asserted here: this test shares the machine with others.
     */
    private static final Duration HOT = Duration.ofSeconds(30);

    private static final String MENU_LINK = "<a href=\"/admin/hello\">Hello</a>";

    private static RunningCohort cohort;
    private static AdminHttp admin;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        cohort = RunningCohort.fromSystemProperty().start();
        admin = cohort.admin();
    }

    @AfterAll
    static void stop() {
        if (cohort != null) {
            cohort.close();
        }
    }

    @Test
    void pluginPageConfigurationAndRemovalFollowTheDeployFolder() throws Exception {
        List<String> healthFailures = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread health = new Thread(
                () -> {
                    AdminHttp anonymous = cohort.http();
                    while (watching.get()) {
                        try {
                            int status = anonymous.get("/healthz").status();
                            if (status != 200) {
                                healthFailures.add("status " + status);
                            }
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            healthFailures.add(e.toString());
                        }
                    }
                },
                "healthz-watch");
        health.start();
        try {
            assertEquals(404, admin.get("/admin/hello").status(), "no hello page before the jar is deployed");

            Path jar = FixtureBundles.hello(work.resolve("hello.jar"));
            Path deployed = cohort.deployDir().resolve("hello.jar");
            Files.move(jar, deployed, StandardCopyOption.ATOMIC_MOVE);
            var page = Eventually.within(
                    HOT,
                    "/admin/hello shows the greeting",
                    () -> admin.get("/admin/hello"),
                    r -> r.status() == 200 && r.body().contains(HelloActivator.DEFAULT_GREETING));
            System.out.println("HotDeployIT: hello.jar in deploy/ -> /admin/hello answered in "
                    + page.after().toMillis() + " ms");
            assertTrue(
                    page.value().body().contains("<h1>Hello page</h1>"),
                    "the plugin's template: " + page.value().body());
            assertTrue(page.value().body().contains("id=\"menu\""), "rendered inside the host's layout");
            assertTrue(admin.get("/admin/").body().contains(MENU_LINK), "the menu links to the plugin's page");

            writeConfig("greeting=Bonjour\n");
            var bonjour = Eventually.within(
                    HOT,
                    "greeting from the .cfg",
                    () -> admin.get("/admin/hello"),
                    r -> r.status() == 200 && r.body().contains("<p id=\"greeting\">Bonjour</p>"));
            System.out.println(
                    "HotDeployIT: .cfg -> greeting shown in " + bonjour.after().toMillis() + " ms");

            writeConfig("greeting=Guten Tag, world\n");
            Eventually.within(
                    HOT,
                    "changed greeting from the .cfg",
                    () -> admin.get("/admin/hello"),
                    r -> r.status() == 200 && r.body().contains("<p id=\"greeting\">Guten Tag, world</p>"));

            Files.delete(deployed);
            var gone = Eventually.within(
                    HOT,
                    "/admin/hello gone after the jar was deleted",
                    () -> admin.get("/admin/hello"),
                    r -> r.status() == 404);
            System.out.println("HotDeployIT: jar deleted -> /admin/hello 404 in "
                    + gone.after().toMillis() + " ms");
            assertFalse(admin.get("/admin/").body().contains(MENU_LINK), "the menu entry is gone");
            assertFalse(
                    cohort.api().get("/api/plugins").body().contains(FixtureBundles.HELLO),
                    "the bundle is uninstalled");
        } finally {
            // No interrupt: one landing in a request under way would read as a failed /healthz.
            watching.set(false);
            health.join(5_000);
        }
        assertTrue(healthFailures.isEmpty(), "/healthz failed meanwhile: " + healthFailures);
        assertTrue(cohort.isAlive());
    }

    /** Writes the fixture's {@code <pid>.cfg} in one step, as an editor saving it would. */
    private void writeConfig(String content) throws IOException {
        Path temp = Files.writeString(work.resolve("hello.cfg.tmp"), content, StandardCharsets.UTF_8);
        Files.move(
                temp,
                cohort.deployDir().resolve(HelloActivator.PID + ".cfg"),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }
}
