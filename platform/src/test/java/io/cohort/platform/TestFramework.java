package io.cohort.platform;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;

/** A real Felix framework for tests, exporting the given packages from the system bundle. */
public final class TestFramework {

    private TestFramework() {}

    public static Framework start(Path storage, String systemPackagesExtra) throws BundleException {
        return start(storage, systemPackagesExtra, Map.of());
    }

    public static Framework start(Path storage, String systemPackagesExtra, Map<String, String> more)
            throws BundleException {
        Map<String, String> config = new HashMap<>(more);
        config.put("org.osgi.framework.storage", storage.toString());
        config.put("org.osgi.framework.storage.clean", "onFirstInit");
        config.put("org.osgi.framework.system.packages.extra", systemPackagesExtra);
        Framework framework = new FrameworkFactory().newFramework(config);
        framework.start();
        return framework;
    }

    public static void stop(Framework framework) throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    /** Service properties from name, value pairs. */
    public static Hashtable<String, Object> props(Object... kv) {
        Hashtable<String, Object> p = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        return p;
    }
}
