package io.cohort.platform.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cohort.testkit.TestBundles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * A plugin of deploy/ that FileInstall installed but failed to start (as when Felix refused the resolve because
 * another thread held its global lock) is started on a later try; one outside deploy/, and one an admin stopped
 * after it ran, are left alone.
 */
class LateStartsTest {

    @TempDir
    Path dir;

    private Framework framework;
    private BundleContext context;
    private LateStarts starts;

    @BeforeEach
    void start() throws Exception {
        framework = new FrameworkFactory()
                .newFramework(Map.of(
                        Constants.FRAMEWORK_STORAGE,
                        dir.resolve("cache").toString(),
                        Constants.FRAMEWORK_STORAGE_CLEAN,
                        Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        context = framework.getBundleContext();
        starts = LateStarts.watch(context, dir.resolve("deploy"), 100, 5);
    }

    @AfterEach
    void stop() throws Exception {
        starts.close(context);
        framework.stop();
        framework.waitForStop(10_000);
    }

    private Bundle install(Path folder, String name) throws Exception {
        Path jar = TestBundles.jar(
                folder.resolve(name + ".jar"),
                Map.of("Bundle-SymbolicName", "io.cohort.fixture." + name),
                List.of(),
                Map.of());
        return context.installBundle(jar.toUri().toString());
    }

    private static void await(Bundle bundle, int state) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (bundle.getState() != state && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(state, bundle.getState(), bundle.getSymbolicName());
    }

    @Test
    void aDeployedPluginLeftUnstartedIsStartedLater() throws Exception {
        Bundle unstarted = install(dir.resolve("deploy"), "unstarted");
        Bundle elsewhere = install(dir.resolve("elsewhere"), "elsewhere");
        Bundle stoppedByAdmin = install(dir.resolve("deploy"), "stopped");
        stoppedByAdmin.start();
        stoppedByAdmin.stop();

        await(unstarted, Bundle.ACTIVE);
        Thread.sleep(500); // five more tries' worth
        assertEquals(Bundle.INSTALLED, elsewhere.getState());
        assertEquals(Bundle.RESOLVED, stoppedByAdmin.getState());
    }
}
