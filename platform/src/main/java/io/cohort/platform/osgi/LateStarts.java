package io.cohort.platform.osgi;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a plugin of {@code deploy/} whose start by FileInstall failed for a passing reason. FileInstall starts a
 * new bundle once; when Felix refuses the resolve at that moment ("Unable to acquire global lock for resolve":
 * another thread was resolving) the plugin stayed unstarted until the next change in {@code deploy/}. Every
 * bundle installed from {@code deploy/} that has not started yet is started again here, every {@code period}, for
 * {@code attempts} tries; a plugin an admin stopped after it ran is left alone.
 */
public final class LateStarts implements SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger(LateStarts.class);

    private final Path deploy;
    private final int attempts;
    /** Bundles from deploy/ not started since they were installed or updated, and the tries left for each. */
    private final Map<Bundle, Integer> waiting = new ConcurrentHashMap<>();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cohort-late-starts");
        t.setDaemon(true);
        return t;
    });

    private LateStarts(Path deploy, int attempts) {
        this.deploy = deploy.toAbsolutePath().normalize();
        this.attempts = attempts;
    }

    /** Watches the framework from now on (before FileInstall starts, so no install is missed). */
    public static LateStarts watch(BundleContext context, Path deploy, long periodMillis, int attempts) {
        LateStarts starts = new LateStarts(deploy, attempts);
        context.addBundleListener(starts);
        starts.timer.scheduleWithFixedDelay(starts::retry, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return starts;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle bundle = event.getBundle();
        switch (event.getType()) {
            case BundleEvent.INSTALLED, BundleEvent.UPDATED -> {
                if (fromDeploy(bundle) && bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    waiting.put(bundle, attempts);
                }
            }
            case BundleEvent.STARTING, BundleEvent.STARTED, BundleEvent.UNINSTALLED -> waiting.remove(bundle);
            default -> {}
        }
    }

    private boolean fromDeploy(Bundle bundle) {
        try {
            URI location = URI.create(bundle.getLocation());
            return "file".equals(location.getScheme())
                    && Path.of(location).toAbsolutePath().normalize().startsWith(deploy);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return false;
        }
    }

    private void retry() {
        for (Map.Entry<Bundle, Integer> entry : waiting.entrySet()) {
            Bundle bundle = entry.getKey();
            int state = bundle.getState();
            if (state != Bundle.INSTALLED && state != Bundle.RESOLVED) {
                continue; // being started, or gone: the events settle it
            }
            try {
                bundle.start();
                LOG.info("started {} on a later try (its first start had failed)", bundle.getSymbolicName());
            } catch (BundleException | IllegalStateException e) {
                int left = entry.getValue() - 1;
                if (left <= 0) {
                    waiting.remove(bundle);
                    LOG.warn("plugin {} did not start: {}", bundle.getLocation(), e.getMessage());
                } else {
                    waiting.replace(bundle, left);
                }
            }
        }
    }

    /** Stops trying; the framework stops anyway. */
    public void close(BundleContext context) {
        context.removeBundleListener(this);
        timer.shutdownNow();
    }
}
