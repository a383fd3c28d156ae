package io.cohort.platform.experiment;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.platform.Config;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.psiturk.PsiturkProject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The experiments this node knows: every {@code <home>/experiments/<name>/experiment.yaml}, and every
 * {@link ExperimentHooks} service whose bundle ships one in the folder named by {@value ExperimentHooks#RESOURCES}.
 * Bundles are tracked live (bundle stopped: its experiment is gone); a background thread looks at the folders
 * every second and reads again one whose experiment.yaml (or the folder itself) changed, so edits show without a
 * restart. Callers only ever read the last published snapshot: a request never waits for a file to be parsed, and
 * never for a lock (a 30 MB file once stalled every participant page for minutes while they held database
 * connections). A file over {@value #MAX_BYTES} bytes is not parsed at all. A bundle's experiment takes the place
 * of a folder with the same name. A file that cannot be used is reported in {@link #problems()}; if its experiment
 * had a good version before, that version keeps serving until the file is fixed or removed.
 */
@Singleton
public final class ExperimentCatalog implements Experiments, AutoCloseable {

    static final String FILE = "experiment.yaml";
    /** Real experiment files are a few kilobytes; anything near this is a mistake or an attack. */
    static final int MAX_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ExperimentCatalog.class);

    private final Path home;
    /** {@code <home>/experiments}, then the install's own (the demos) when the home is elsewhere; home wins a name. */
    private final List<Path> roots;

    private final Map<String, FolderEntry> folders = new HashMap<>();
    private final Map<ServiceReference<ExperimentHooks>, Contribution> contributions = new ConcurrentHashMap<>();
    private final Set<String> shadowsLogged = ConcurrentHashMap.newKeySet();
    private final Whiteboard<ExperimentHooks> tracker;
    /** Null when the catalog refreshes on every call (a recheck of zero, for tests). */
    private final ScheduledExecutorService refresher;
    /** The experiments as last published; every page load reads it and nothing else. */
    private volatile Map<String, Known> snapshot = Map.of();
    /** The folders' problems as last published. */
    private volatile List<String> folderProblems = List.of();

    /**
     * The host's catalog: {@code <home>/experiments/}, the install's {@code experiments/} (the shipped demos, when
     * the home is a separate folder) and the bundles' hooks.
     */
    @Inject
    public ExperimentCatalog(Config config, BundleContext context) {
        this(config.home(), List.of(config.install().resolve("experiments")), context, java.time.Duration.ofSeconds(1));
    }

    public ExperimentCatalog(Path home, BundleContext context) {
        this(home, context, java.time.Duration.ofSeconds(1));
    }

    public ExperimentCatalog(Path home, BundleContext context, java.time.Duration recheck) {
        this(home, List.of(), context, recheck);
    }

    /**
     * @param more    further experiment folders, read after {@code <home>/experiments}
     * @param recheck how long a look at the folders stays good: edits show within this time
     */
    public ExperimentCatalog(Path home, List<Path> more, BundleContext context, java.time.Duration recheck) {
        this.home = home;
        List<Path> all = new ArrayList<>();
        all.add(home.resolve("experiments").toAbsolutePath().normalize());
        more.stream()
                .map(p -> p.toAbsolutePath().normalize())
                .filter(p -> !all.contains(p))
                .forEach(all::add);
        this.roots = List.copyOf(all);
        this.tracker = new Whiteboard<>(context, ExperimentHooks.class, new Whiteboard.Listener<>() {
            @Override
            public void added(ServiceReference<ExperimentHooks> reference, ExperimentHooks hooks) {
                contributions.put(reference, contribution(reference, hooks));
                publish();
            }

            @Override
            public void modified(ServiceReference<ExperimentHooks> reference, ExperimentHooks hooks) {
                contributions.put(reference, contribution(reference, hooks));
                publish();
            }

            @Override
            public void removed(ServiceReference<ExperimentHooks> reference, ExperimentHooks hooks) {
                contributions.remove(reference);
                publish();
            }
        });
        refresh();
        if (recheck.isZero()) {
            refresher = null;
        } else {
            refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "experiment-catalog");
                t.setDaemon(true);
                return t;
            });
            refresher.scheduleWithFixedDelay(
                    this::refreshQuietly, recheck.toMillis(), recheck.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public List<Experiment> list() {
        return current().values().stream().map(Known::experiment).toList();
    }

    @Override
    public Optional<Experiment> find(String name) {
        return Optional.ofNullable(current().get(name)).map(Known::experiment);
    }

    /**
     * A file of the experiment, e.g. {@code task.peb} or {@code static/stroop.js}, from its folder or bundle;
     * empty for a path with {@code ..}, an absolute path, a missing file or an experiment not listed.
     */
    public Optional<URL> resource(String experiment, String path) {
        if (!isSafePath(path)) {
            return Optional.empty();
        }
        return Optional.ofNullable(current().get(experiment))
                .map(known -> known.origin().entry(path));
    }

    /** The psiTurk project {@code experiment} is, if it is one. */
    public Optional<PsiturkProject> psiturk(String experiment) {
        return Optional.ofNullable(current().get(experiment)).map(Known::psiturk);
    }

    /** The psiTurk experiments, by name. */
    public List<PsiturkProject> psiturkProjects() {
        return current().values().stream()
                .map(Known::psiturk)
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    /** The {@link ExperimentHooks} registered with {@code cohort.experiment=<experiment>}, if any. */
    public Optional<ExperimentHooks> hooks(String experiment) {
        return contributions.values().stream()
                .filter(c -> experiment.equals(c.name()))
                .max(Comparator.comparing(Contribution::reference))
                .map(Contribution::hooks);
    }

    /** Why each experiment left out was left out, one message a problem, folders first. */
    public List<String> problems() {
        current();
        List<String> problems = new ArrayList<>(folderProblems);
        contributions.values().stream()
                .sorted(Comparator.comparing(Contribution::reference))
                .forEach(c -> problems.addAll(c.problems()));
        return problems;
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        tracker.close();
    }

    /** A relative path that stays inside the experiment's folder: no {@code ..}, no leading {@code /}, no drive. */
    static boolean isSafePath(String path) {
        if (path == null
                || path.isEmpty()
                || path.startsWith("/")
                || path.contains("\\")
                || path.contains(":")
                || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }

    /** Where an experiment's files are. */
    private interface Origin {
        /** The file at a safe relative path; null when there is none. */
        URL entry(String path);
    }

    /** @param psiturk the psiTurk project the experiment is, or null for an experiment.yaml one */
    private record Known(Experiment experiment, Origin origin, PsiturkProject psiturk) {}

    /**
     * One folder as last read; {@code experiment} is the version served: null when the file has problems and had no
     * good version before, else the last good one.
     */
    private record FolderEntry(
            FileTime yamlTime,
            long yamlSize,
            FileTime folderTime,
            Experiment experiment,
            Origin origin,
            List<String> problems,
            PsiturkProject psiturk) {}

    /** One {@link ExperimentHooks} service and the experiment its bundle ships (null if none or unusable). */
    private record Contribution(
            ServiceReference<ExperimentHooks> reference,
            ExperimentHooks hooks,
            String name,
            Experiment experiment,
            Origin origin,
            List<String> problems) {}

    /** Valid experiments by name: folders, then bundles on top. */
    private Map<String, Known> current() {
        if (refresher == null) {
            refresh();
        }
        return snapshot;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // The thread must outlive a folder that cannot be listed for a moment.
            LOG.warn("Experiments folder not read: {}", e.getMessage());
        }
    }

    /** Reads the folders that changed, then publishes. Only the refresher (or a test's caller) gets here. */
    private void refresh() {
        synchronized (folders) {
            refreshFolders();
            List<String> problems = new ArrayList<>();
            new TreeMap<>(folders).values().forEach(e -> problems.addAll(e.problems()));
            folderProblems = List.copyOf(problems);
        }
        publish();
    }

    /** Builds the snapshot from the folders as last read and the bundles' experiments; reads no file. */
    private void publish() {
        Map<String, Known> known = new TreeMap<>();
        synchronized (folders) {
            folders.forEach((name, e) -> {
                if (e.experiment() != null) {
                    known.put(name, new Known(e.experiment(), e.origin(), e.psiturk()));
                }
            });
        }
        // Lowest-ranked first, so the best service for a name is put last and stays.
        contributions.values().stream()
                .filter(c -> c.experiment() != null)
                .sorted(Comparator.comparing(Contribution::reference))
                .forEach(c -> {
                    Known previous = known.put(c.name(), new Known(c.experiment(), c.origin(), null));
                    if (previous != null) {
                        logShadow(c, previous);
                    }
                });
        snapshot = java.util.Collections.unmodifiableMap(known);
    }

    private void logShadow(Contribution winner, Known loser) {
        Bundle bundle = winner.reference().getBundle();
        String key = winner.name() + "@" + (bundle == null ? "?" : bundle.getBundleId()) + "/" + loser.origin();
        if (shadowsLogged.add(key)) {
            LOG.info(
                    "Experiment '{}': bundle {} takes the place of {}",
                    winner.name(),
                    bundle == null ? "?" : bundle.getSymbolicName(),
                    loser.origin());
        }
    }

    /** Re-reads the folders whose experiment.yaml or listing changed; forgets folders that went. */
    private void refreshFolders() {
        Map<String, FolderEntry> seen = new HashMap<>();
        for (Path folder : roots) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(folder, Files::isDirectory)) {
                for (Path dir : dirs) {
                    String name = dir.getFileName().toString();
                    if (name.startsWith(".") || seen.containsKey(name)) {
                        continue;
                    }
                    FolderEntry entry = folderEntry(name, dir, folders.get(name));
                    if (entry != null) {
                        seen.put(name, entry);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder, e);
            }
        }
        folders.clear();
        folders.putAll(seen);
    }

    /** The folder as it is now: {@code cached} when unchanged; null when it has no experiment.yaml. */
    private FolderEntry folderEntry(String name, Path dir, FolderEntry cached) throws IOException {
        Path yaml = dir.resolve(FILE);
        if (!Files.exists(yaml) && Files.isRegularFile(dir.resolve(PsiturkProject.CONFIG))) {
            return psiturkEntry(name, dir, cached);
        }
        BasicFileAttributes file;
        FileTime folderTime;
        try {
            file = Files.readAttributes(yaml, BasicFileAttributes.class);
            // A template added next to experiment.yaml changes the folder's time, so a missing one is noticed.
            folderTime = Files.getLastModifiedTime(dir);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (file.size() > MAX_BYTES) {
            return changed(name, dir, cached, file.lastModifiedTime(), file.size(), folderTime, label(yaml), o -> {
                throw new Unusable(List.of(tooBig(label(yaml), file.size())));
            });
        }
        return changed(name, dir, cached, file.lastModifiedTime(), file.size(), folderTime, label(yaml), origin -> {
            try {
                return new Read(
                        ExperimentYaml.read(
                                Files.readAllBytes(yaml), label(yaml), name, path -> origin.entry(path) != null),
                        null);
            } catch (ExperimentYaml.InvalidExperiment e) {
                throw new Unusable(e.problems());
            }
        });
    }

    /** What a folder's definition gives: its experiment, and the psiTurk project it is, if it is one. */
    private record Read(Experiment experiment, PsiturkProject psiturk) {}

    /** A definition that cannot be used, with every problem. */
    private static final class Unusable extends Exception {
        final List<String> problems;

        Unusable(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = problems;
        }
    }

    @FunctionalInterface
    private interface Reading {
        Read read(Origin origin) throws Unusable, IOException;
    }

    /**
     * The folder as it is now: {@code cached} while its definition's time and size and the folder's time are the same,
     * else read again; null when the files went meanwhile. A definition with problems keeps the last good version
     * serving.
     */
    private FolderEntry changed(
            String name,
            Path dir,
            FolderEntry cached,
            FileTime time,
            long size,
            FileTime folderTime,
            String source,
            Reading reading)
            throws IOException {
        if (cached != null
                && cached.yamlTime().equals(time)
                && cached.yamlSize() == size
                && cached.folderTime().equals(folderTime)) {
            return cached;
        }
        Origin origin = new FolderOrigin(dir);
        List<String> problems;
        if (!ExperimentYaml.NAME.matcher(name).matches()) {
            problems = List.of(
                    source + ": the folder's name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
        } else {
            try {
                Read read = reading.read(origin);
                return new FolderEntry(time, size, folderTime, read.experiment(), origin, List.of(), read.psiturk());
            } catch (Unusable e) {
                problems = e.problems;
            } catch (NoSuchFileException e) {
                return null;
            }
        }
        LOG.warn("Experiment not used: {}", String.join("; ", problems));
        if (cached != null && cached.experiment() != null) {
            List<String> kept = new ArrayList<>(problems);
            kept.add(source + ": the last good version of '" + name + "' keeps serving until this is fixed");
            return new FolderEntry(
                    time, size, folderTime, cached.experiment(), cached.origin(), List.copyOf(kept), cached.psiturk());
        }
        return new FolderEntry(time, size, folderTime, null, origin, problems, null);
    }

    /**
     * A psiTurk project (a config.txt and no experiment.yaml). Its templates are read at once, so any edit under
     * the folder (the newest file time and the number and size of files) has it read again.
     */
    private FolderEntry psiturkEntry(String name, Path dir, FolderEntry cached) throws IOException {
        FileTime newest = Files.getLastModifiedTime(dir);
        long files = 0;
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(p -> !p.startsWith(dir.resolve("static"))).toList()) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                newest = a.lastModifiedTime().compareTo(newest) > 0 ? a.lastModifiedTime() : newest;
                files += 1 + a.size();
            }
        } catch (UncheckedIOException e) {
            return cached; // a file went while listing: read it on the next look
        }
        FileTime folderTime = Files.getLastModifiedTime(dir);
        return changed(name, dir, cached, newest, files, folderTime, label(dir), origin -> {
            try {
                PsiturkProject project = PsiturkProject.read(dir, name, label(dir));
                project.notes().forEach(n -> LOG.info("psiTurk experiment '{}': {}", name, n));
                return new Read(project.experiment(), project);
            } catch (PsiturkProject.Invalid e) {
                throw new Unusable(e.problems());
            }
        });
    }

    private static String tooBig(String source, long size) {
        return source + ": " + size + " bytes is over the limit of " + MAX_BYTES
                + " bytes (1 MB); the file is not read";
    }

    /** {@code experiments/stroop/experiment.yaml}, as an admin looking at the home folder sees it. */
    private String label(Path file) {
        return (file.startsWith(home) ? home.relativize(file) : file).toString().replace('\\', '/');
    }

    private Contribution contribution(ServiceReference<ExperimentHooks> reference, ExperimentHooks hooks) {
        Object nameProperty = reference.getProperty(ExperimentHooks.EXPERIMENT);
        Object resources = reference.getProperty(ExperimentHooks.RESOURCES);
        String name = nameProperty == null ? null : nameProperty.toString();
        if (resources == null) {
            return new Contribution(reference, hooks, name, null, null, List.of());
        }
        Bundle bundle = reference.getBundle();
        String prefix = resources.toString().replaceAll("^/+|/+$", "");
        String where = "bundle " + (bundle == null ? "?" : bundle.getSymbolicName()) + " " + ExperimentHooks.RESOURCES
                + "=" + resources;
        if (name == null || !ExperimentYaml.NAME.matcher(name).matches()) {
            return failed(
                    reference,
                    hooks,
                    name,
                    where + ": " + ExperimentHooks.EXPERIMENT + " must name the"
                            + " experiment (letters, digits, '.', '_' and '-'), not "
                            + (name == null ? "be absent" : "'" + name + "'"));
        }
        if (bundle == null || (!prefix.isEmpty() && !isSafePath(prefix))) {
            return failed(reference, hooks, name, where + ": not a folder inside the bundle");
        }
        BundleOrigin origin = new BundleOrigin(bundle, prefix.isEmpty() ? "" : prefix + "/");
        URL yaml = origin.entry(FILE);
        String source = "bundle " + bundle.getSymbolicName() + " " + origin.prefix() + FILE;
        if (yaml == null) {
            return failed(reference, hooks, name, source + ": does not exist");
        }
        try (InputStream in = yaml.openStream()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return failed(
                        reference,
                        hooks,
                        name,
                        tooBig(source, bytes.length + in.transferTo(OutputStream.nullOutputStream())));
            }
            Experiment experiment = ExperimentYaml.read(bytes, source, name, p -> origin.entry(p) != null);
            LOG.info("Experiment '{}' from bundle {}", name, bundle.getSymbolicName());
            return new Contribution(reference, hooks, name, experiment, origin, List.of());
        } catch (ExperimentYaml.InvalidExperiment e) {
            LOG.warn("Experiment left out: {}", e.getMessage());
            return new Contribution(reference, hooks, name, null, null, e.problems());
        } catch (IOException e) {
            return failed(reference, hooks, name, source + ": cannot be read: " + e.getMessage());
        }
    }

    private static Contribution failed(
            ServiceReference<ExperimentHooks> reference, ExperimentHooks hooks, String name, String problem) {
        LOG.warn("Experiment left out: {}", problem);
        return new Contribution(reference, hooks, name, null, null, List.of(problem));
    }

    private record FolderOrigin(Path dir) implements Origin {
        @Override
        public URL entry(String path) {
            Path file = dir.resolve(path).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                return null;
            }
            try {
                return file.toUri().toURL();
            } catch (MalformedURLException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return dir.toString();
        }
    }

    private record BundleOrigin(Bundle bundle, String prefix) implements Origin {
        @Override
        public URL entry(String path) {
            try {
                return bundle.getEntry(prefix + path);
            } catch (IllegalStateException uninstalled) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "bundle " + bundle.getSymbolicName() + " " + prefix;
        }
    }
}
