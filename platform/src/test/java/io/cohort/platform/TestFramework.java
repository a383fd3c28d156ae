package io.cohort.platform;

import java.nio.file.Path;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;

/** A real Felix framework for tests, exporting the given packages from the system bundle. */
public final class TestFramework {

    private TestFramework() {
    }

    public static Framework start(Path storage, String systemPackagesExtra) throws BundleException {
        Framework framework = new FrameworkFactory().newFramework(Map.of(
                "org.osgi.framework.storage", storage.toString(),
                "org.osgi.framework.storage.clean", "onFirstInit",
                "org.osgi.framework.system.packages.extra", systemPackagesExtra));
        framework.start();
        return framework;
    }

    public static void stop(Framework framework) throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }
}
