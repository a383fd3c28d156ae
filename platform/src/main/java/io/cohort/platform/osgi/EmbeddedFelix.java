package io.cohort.platform.osgi;

import io.cohort.platform.Config;
import io.cohort.platform.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OSGi framework of a node: Felix with the boot bundles of {@code system/} (SCR, ConfigAdmin, Metatype,
 * FileInstall) and FileInstall watching {@code deploy/} for bundles and {@code <pid>.cfg} files.
 */
public final class EmbeddedFelix {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFelix.class);

    private static final String FILE_INSTALL = "org.apache.felix.fileinstall";

    /** Framework property: this node's address as participants reach it, e.g. {@code http://127.0.0.1:8080}. */
    public static final String NODE_URL = "cohort.url";

    /**
     * Framework property: where a plugin on this node reaches this node's own web server over HTTP (a server-side
     * bot), e.g. {@code http://127.0.0.1:8080}, whatever {@link #NODE_URL} says participants use. Set when the port
     * is known before the framework starts; otherwise {@code Host.start} sets it as a system property once the
     * server listens, which {@code BundleContext.getProperty} falls back to.
     */
    public static final String OWN_URL = "cohort.node.url";

    /** A deployed plugin whose start failed is tried again this often, this many times (a minute in all). */
    static final long LATE_START_MILLIS = 2_000;

    static final int LATE_START_ATTEMPTS = 30;

    private EmbeddedFelix() {}

    /** Starts the framework and its boot bundles, all but FileInstall: see {@link #startHotDeploy}. */
    public static Framework start(Config config) {
        Path deploy = config.deployDir();
        Path cache = config.dataDir().resolve("felix-cache");
        try {
            Files.createDirectories(deploy);
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new ConfigException("cannot create " + deploy + " or " + cache + ": " + e.getMessage(), e);
        }
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.list());
        props.put("felix.fileinstall.dir", deploy.toString());
        props.put("felix.fileinstall.poll", config.get("deploy.poll.ms"));
        // The first scan on FileInstall's own thread, one poll after it starts, not inside its activator: there it
        // held FileInstall's bundle lock, and Felix refuses a resolve then if another thread holds the global lock
        // ("Unable to acquire global lock for resolve"); the deployed plugin stayed unstarted, never retried.
        props.put("felix.fileinstall.noInitialDelay", "false");
        props.put("felix.fileinstall.bundles.new.start", "true");
        props.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
        props.put("felix.fileinstall.log.level", "2");
        // FileInstall's own write-back rewrites every .cfg at start and was seen to leave one empty; ConfigForms
        // writes an admin's edit of a file-born configuration back to its .cfg itself, atomically.
        props.put("felix.fileinstall.enableConfigSave", "false");
        // Where participants reach this node, for plugins that hand out links (the MTurk plugin's default publicUrl).
        props.put(NODE_URL, config.publicOrigin());
        if (config.port() != 0) {
            props.put(OWN_URL, config.ownUrl(config.port()));
        }
        Framework framework = new FrameworkFactory().newFramework(props);
        try {
            framework.init();
            framework.start();
            UninstalledUsages.watch(framework);
            installBootBundles(framework, config.install().resolve("system"));
            return framework;
        } catch (BundleException | RuntimeException e) {
            stop(framework);
            throw new ConfigException("cannot start the OSGi framework: " + e.getMessage(), e);
        }
    }

    private static void installBootBundles(Framework framework, Path system) throws BundleException {
        if (!Files.isDirectory(system)) {
            throw new ConfigException("boot bundle folder " + system + " is missing (is cohort.install right?)");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(system)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list " + system + ": " + e.getMessage(), e);
        }
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            installed.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
        }
        for (Bundle bundle : installed) {
            if (!FILE_INSTALL.equals(bundle.getSymbolicName())
                    && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
        }
        LOG.info("OSGi framework started with {} boot bundles", jars.size());
    }

    /**
     * Starts FileInstall, which installs what is in {@code deploy/}: called once the host's services are
     * registered, so that plugins deployed before start-up find them when they start.
     */
    public static void startHotDeploy(Framework framework, Config config) throws BundleException {
        LateStarts.watch(framework.getBundleContext(), config.deployDir(), LATE_START_MILLIS, LATE_START_ATTEMPTS);
        startShippedPlugins(framework, config);
        for (Bundle bundle : framework.getBundleContext().getBundles()) {
            if (FILE_INSTALL.equals(bundle.getSymbolicName())) {
                bundle.start();
                return;
            }
        }
        throw new ConfigException("FileInstall is not among the boot bundles: hot deploy is off");
    }

    /**
     * The plugins shipped in the install's {@code deploy/} when the home is another folder: they always load, and
     * {@code $COHORT_HOME/deploy} is for the lab's own (which FileInstall watches). A jar the home also holds, by
     * name, is left to the home's copy.
     */
    private static void startShippedPlugins(Framework framework, Config config) throws BundleException {
        Path shipped = config.install().resolve("deploy").toAbsolutePath().normalize();
        Path own = config.deployDir().toAbsolutePath().normalize();
        if (shipped.equals(own) || !Files.isDirectory(shipped) || !"true".equals(config.get("plugins.shipped"))) {
            return;
        }
        List<Bundle> installed = new ArrayList<>();
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path jar :
                    files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                if (Files.exists(own.resolve(jar.getFileName()))) {
                    continue;
                }
                installed.add(
                        framework.getBundleContext().installBundle(jar.toUri().toString()));
            }
        } catch (IOException e) {
            throw new ConfigException("cannot list " + shipped + ": " + e.getMessage(), e);
        }
        for (Bundle bundle : installed) {
            try {
                bundle.start();
            } catch (BundleException e) {
                // One broken plugin must not keep the node down; the Plugins page shows it unstarted.
                LOG.warn("shipped plugin {} did not start: {}", bundle.getLocation(), e.getMessage());
            }
        }
    }

    /** Stops the framework and waits for it; Felix's threads would otherwise keep the JVM alive. */
    public static void stop(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            LOG.warn("framework did not stop cleanly: {}", e.getMessage());
        }
    }
}
