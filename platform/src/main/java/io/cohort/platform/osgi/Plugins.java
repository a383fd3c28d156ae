package io.cohort.platform.osgi;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The bundles of the node as the Plugins page and {@code /api/plugins} show them, with what went wrong:
 * an activator that threw, a bundle that did not resolve, a file in {@code deploy/} that is no bundle.
 */
@Singleton
public final class Plugins implements FrameworkListener, SynchronousBundleListener, AutoCloseable {

    /** A file must sit this long in deploy/ before we call it failed: FileInstall polls. */
    private static final long GRACE_MILLIS = 3_000;

    private final BundleContext context;
    private final Path deployDir;
    private final Map<Long, String> failures = new ConcurrentHashMap<>();
    /** Bundles whose activator is running its start(). */
    private final Set<Long> activating = ConcurrentHashMap.newKeySet();

    @Inject
    public Plugins(BundleContext context, Config config) {
        this(context, config.deployDir());
    }

    public Plugins(BundleContext context, Path deployDir) {
        this.context = context;
        this.deployDir = deployDir;
        context.addFrameworkListener(this);
        context.addBundleListener(this);
    }

    /** One row of the Plugins page. {@code id} is null for a file that is not installed. */
    public record Plugin(
            Long id,
            String symbolicName,
            String name,
            String version,
            String state,
            String error,
            String location,
            boolean boot) {}

    public List<Plugin> list() {
        List<Plugin> rows = new ArrayList<>();
        Set<String> locations = new HashSet<>();
        for (Bundle b : context.getBundles()) {
            locations.add(b.getLocation());
            String error = failures.get(b.getBundleId());
            if (error == null && b.getState() == Bundle.INSTALLED) {
                error = unresolved(b);
            }
            String state = error != null && b.getState() != Bundle.ACTIVE ? "FAILED" : state(b);
            rows.add(new Plugin(
                    b.getBundleId(),
                    b.getSymbolicName(),
                    b.getHeaders().get(Constants.BUNDLE_NAME),
                    b.getVersion().toString(),
                    state,
                    error,
                    b.getLocation(),
                    isBoot(b)));
        }
        rows.addAll(undeployable(locations, context.getBundles()));
        rows.sort(Comparator.comparing((Plugin p) -> p.id() == null ? Long.MAX_VALUE : p.id()));
        return rows;
    }

    /** Files in deploy/ that FileInstall did not turn into bundles, and why. */
    private List<Plugin> undeployable(Set<String> locations, Bundle[] installed) {
        List<Plugin> rows = new ArrayList<>();
        if (!Files.isDirectory(deployDir)) {
            return rows;
        }
        try (Stream<Path> files = Files.list(deployDir)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                if (installedFrom(file, locations)) {
                    continue;
                }
                long age = System.currentTimeMillis()
                        - Files.getLastModifiedTime(file).toMillis();
                String error = age < GRACE_MILLIS ? null : whyNotABundle(file, installed);
                rows.add(new Plugin(
                        null,
                        null,
                        file.getFileName().toString(),
                        null,
                        error == null ? "PENDING" : "FAILED",
                        error,
                        file.toUri().toString(),
                        false));
            }
        } catch (IOException e) {
            rows.add(new Plugin(
                    null, null, deployDir.toString(), null, "FAILED", "cannot list: " + e.getMessage(), null, false));
        }
        return rows;
    }

    private static boolean installedFrom(Path file, Set<String> locations) {
        String uri = file.toUri().toString();
        String path = file.toAbsolutePath().toString();
        return locations.stream().anyMatch(l -> l.equals(uri) || l.endsWith(path) || l.equals("file:" + path));
    }

    /** A reason a jar cannot be installed, or a generic one if it looks fine (FileInstall refused it anyway). */
    static String whyNotABundle(Path file, Bundle[] installed) {
        try (JarFile jar = new JarFile(file.toFile())) {
            Manifest manifest = jar.getManifest();
            if (manifest == null) {
                return "not an OSGi bundle: the jar has no META-INF/MANIFEST.MF";
            }
            String name = manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (name == null) {
                return "not an OSGi bundle: its manifest has no Bundle-SymbolicName";
            }
            String symbolicName = name.split(";")[0].trim();
            String version = org.osgi.framework.Version.parseVersion(
                            manifest.getMainAttributes().getValue(Constants.BUNDLE_VERSION))
                    .toString();
            for (Bundle b : installed) {
                if (symbolicName.equals(b.getSymbolicName())
                        && version.equals(b.getVersion().toString())) {
                    return "a duplicate: bundle " + b.getBundleId() + " ("
                            + b.getLocation().replaceAll(".*/", "") + ") is already " + symbolicName + " " + version
                            + "; remove one of the two files";
                }
            }
            return "not installed by hot deploy (see the log)";
        } catch (IOException e) {
            return "not a valid jar: " + e.getMessage();
        }
    }

    /**
     * Why an installed bundle does not resolve: the packages it imports (not optionally) that no bundle and not
     * the host export, each with its version range. Null when every import has a provider.
     */
    private String unresolved(Bundle b) {
        org.osgi.framework.wiring.BundleRevision revision = b.adapt(org.osgi.framework.wiring.BundleRevision.class);
        org.osgi.framework.wiring.FrameworkWiring wiring =
                context.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class);
        if (revision == null || wiring == null) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (org.osgi.resource.Requirement r :
                revision.getRequirements(org.osgi.framework.wiring.BundleRevision.PACKAGE_NAMESPACE)) {
            if ("optional".equals(r.getDirectives().get("resolution"))) {
                continue;
            }
            if (wiring.findProviders(r).isEmpty()) {
                missing.add(String.valueOf(r.getDirectives().get("filter"))
                                .replaceAll(".*osgi\\.wiring\\.package=([^)]+)\\).*", "$1")
                        + " (" + r.getDirectives().get("filter") + ")");
            }
        }
        return missing.isEmpty()
                ? null
                : "cannot resolve: no bundle exports the package" + (missing.size() > 1 ? "s " : " ")
                        + String.join(", ", missing);
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }

    private static boolean isBoot(Bundle b) {
        return b.getBundleId() == 0 || b.getLocation().contains("/system/");
    }

    /** Starts, stops or uninstalls bundle {@code id}; boot bundles are left alone. */
    public void act(long id, String action) throws BundleException {
        Bundle b = context.getBundle(id);
        if (b == null) {
            throw new IllegalArgumentException("no bundle with id " + id);
        }
        if (isBoot(b)) {
            throw new IllegalArgumentException(
                    b.getSymbolicName() + " is a boot bundle of the host; it cannot be changed here");
        }
        switch (action) {
            case "start" -> {
                failures.remove(id);
                try {
                    b.start();
                } catch (BundleException e) {
                    // The framework's message names only the bundle; the cause says what went wrong.
                    failures.put(id, message(e));
                    throw new BundleException(message(e), e.getType(), e);
                }
            }
            case "stop" -> b.stop();
            case "uninstall" -> {
                b.uninstall();
                failures.remove(id);
                deleteDeployedFile(b.getLocation());
                // Drop the old wiring now so the bundle's class loader can be collected.
                context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null);
            }
            default -> throw new IllegalArgumentException("unknown action '" + action + "' (start, stop, uninstall)");
        }
    }

    /** FileInstall would reinstall a bundle whose jar is still in deploy/. */
    private void deleteDeployedFile(String location) {
        try (Stream<Path> files = Files.list(deployDir)) {
            for (Path f : files.toList()) {
                if (installedFrom(f, Set.of(location))) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException ignored) {
            // Nothing deployed from there.
        }
    }

    /**
     * Puts an uploaded jar into deploy/, where FileInstall installs and starts it. Refuses a file that is not
     * a bundle, naming why, and leaves deploy/ untouched.
     */
    public Path upload(String fileName, InputStream content) throws IOException {
        String name = Path.of(fileName == null ? "" : fileName).getFileName().toString();
        if (!name.matches("[A-Za-z0-9._-]+\\.jar")) {
            throw new IllegalArgumentException(
                    "'" + fileName + "' is not a .jar file name (letters, digits, . _ - only)");
        }
        Files.createDirectories(deployDir);
        Path temp = Files.createTempFile(deployDir.getParent(), "upload-", ".part");
        try {
            Files.copy(content, temp, StandardCopyOption.REPLACE_EXISTING);
            String problem = whyNotABundle(temp, new Bundle[0]);
            if (!problem.startsWith("not installed")) {
                throw new IllegalArgumentException(name + ": " + problem);
            }
            return Files.move(
                    temp, deployDir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR
                && event.getBundle() != null
                && event.getBundle().getBundleId() != 0) {
            failures.put(event.getBundle().getBundleId(), message(event.getThrowable()));
        }
    }

    /**
     * Also notices an activator that throws when FileInstall starts a bundle: FileInstall only logs that, and
     * the framework reports it to no listener, but the bundle goes STARTING → STOPPING without STARTED.
     */
    @Override
    public void bundleChanged(BundleEvent event) {
        long id = event.getBundle().getBundleId();
        switch (event.getType()) {
            case BundleEvent.STARTING -> activating.add(id);
            case BundleEvent.STOPPING -> {
                if (activating.remove(id)) {
                    failures.putIfAbsent(
                            id, "Activator start error: its start() threw (the exception is in the node's log)");
                }
            }
            case BundleEvent.STARTED, BundleEvent.UNINSTALLED, BundleEvent.UPDATED -> {
                activating.remove(id);
                failures.remove(id);
            }
            default -> {
                // nothing to note
            }
        }
    }

    private static String message(Throwable t) {
        if (t == null) {
            return "failed at " + Instant.now();
        }
        StringBuilder text = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (!text.isEmpty()) {
                text.append(" ← ");
            }
            text.append(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
        }
        return text.toString();
    }

    @Override
    public void close() {
        context.removeFrameworkListener(this);
        context.removeBundleListener(this);
    }
}
