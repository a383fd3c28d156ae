package io.cohort.testhost;

import io.cohort.platform.Config;
import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.CohortExam;
import io.cohort.testkit.Folders;
import io.cohort.testkit.TestDatabase;
import io.cohort.testkit.mturk.MTurkEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A running Cohort host for a test: a fresh database (the one in {@code COHORT_TEST_DB_URL}, else an embedded
 * PostgreSQL), a home folder with the test's experiments, a free port, the host started, an admin logged in, and on
 * request the MTurk emulator; all of it stopped and removed afterwards.
 *
 * <p>In a JUnit 5 test, register it as an extension: it starts its own framework.
 * <pre>{@code
 * @RegisterExtension
 * static final CohortHost cohort = CohortHost.builder().experiment("stroop", files).build();
 * }</pre>
 * A Pax Exam test runs on JUnit 4 inside the framework Pax Exam starts, with JUnit's classes from a bundle there:
 * it starts and stops the host itself, in that framework.
 * <pre>{@code
 * @Inject BundleContext context;
 * final CohortHost cohort = CohortHost.builder().mturk().build().in(() -> context);
 * @Configuration public Option[] config() { return CohortHost.examOptions(); }
 * @Before public void start() throws Exception { cohort.start(); }
 * @After public void stop() throws Exception { cohort.stop(); }
 * }</pre>
 */
public final class CohortHost implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    public static final String ADMIN = "admin";
    public static final String PASSWORD = "cohort-test-host-password";
    public static final String MTURK_KEY = "AKIDCOHORTTESTHOST";
    public static final String MTURK_SECRET = "cohort-test-host-secret";
    /**
     * The AWS SDK packages a test needs to read back what the MTurk emulator holds with the real SDK client: pass them
     * to {@link #examOptions} (the plugin under test carries its own copy; the test's comes from the class path).
     */
    public static final String[] MTURK_SDK_PACKAGES = {
        "software.amazon.awssdk.services.mturk",
        "software.amazon.awssdk.services.mturk.model",
        "software.amazon.awssdk.auth.credentials",
        "software.amazon.awssdk.http.urlconnection",
        "software.amazon.awssdk.regions",
        "software.amazon.awssdk.http"
    };

    private final Map<String, Map<String, String>> experiments;
    private final Map<String, String> env;
    private final boolean mturk;
    private Supplier<BundleContext> framework;

    private Path home;
    private InProcessNode node;
    private Host host;
    private AdminHttp admin;
    private MTurkEmulator emulator;
    /** Plugins a test installed, uninstalled when the host stops. */
    private final List<Bundle> installed = new ArrayList<>();

    private boolean perClass;

    private CohortHost(Builder b) {
        this.experiments = b.experiments;
        this.env = b.env;
        this.mturk = b.mturk;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the host starts with. */
    public static final class Builder {
        private final Map<String, Map<String, String>> experiments = new LinkedHashMap<>();
        private final Map<String, String> env = new HashMap<>();
        private boolean mturk;

        /** An experiment folder under {@code experiments/}: file name (e.g. {@code experiment.yaml}) to content. */
        public Builder experiment(String name, Map<String, String> files) {
            experiments.put(name, files);
            return this;
        }

        /** A setting as the environment gives it, e.g. {@code COHORT_API_TOKEN}. */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Start the MTurk emulator (credentials {@link #MTURK_KEY}, {@link #MTURK_SECRET}) before the host. */
        public Builder mturk() {
            this.mturk = true;
            return this;
        }

        public CohortHost build() {
            return new CohortHost(this);
        }
    }

    /** Runs the host in a framework that already runs (the one Pax Exam starts), asked for when the test starts. */
    public CohortHost in(Supplier<BundleContext> framework) {
        this.framework = framework;
        return this;
    }

    /**
     * Pax Exam options for a framework like the host's, in which the test's own classes (this one, the testkit,
     * the MTurk emulator and {@code extra} packages) resolve from the class path.
     */
    public static Option[] examOptions(String... extraPackages) {
        List<String> packages = new ArrayList<>(List.of(
                "io.cohort.testhost;version=" + CohortExam.osgiVersion(),
                "io.cohort.testkit.mturk;version=" + CohortExam.osgiVersion()));
        packages.addAll(List.of(extraPackages));
        return CohortExam.options(CoreOptions.systemPackages(packages.toArray(String[]::new)));
    }

    /** The version of Cohort the test runs against, as Maven writes it. */
    public static String version() {
        return CohortExam.version();
    }

    // ---- while the test runs

    public Host host() {
        return running(host);
    }

    public URI url() {
        return URI.create(host().url());
    }

    /** A client logged in as {@link #ADMIN}. */
    public AdminHttp admin() {
        return running(admin);
    }

    /** A new client with no login (a participant, a worker). */
    public AdminHttp visitor() {
        return new AdminHttp(url());
    }

    public Path home() {
        return running(home);
    }

    /** The framework the host runs in. */
    public BundleContext context() {
        return node != null ? node.framework().getBundleContext() : framework.get();
    }

    public MTurkEmulator mturkEmulator() {
        if (emulator == null) {
            throw new IllegalStateException("no MTurk emulator: build the host with .mturk()");
        }
        return emulator;
    }

    // ---- the framework, for the tests of plugins

    /** How long a test waits for a service to appear or a page to answer as expected. */
    public static final long WAIT_MILLIS = 20_000;

    /** A service of the host's framework, waited for. */
    public <T> T service(Class<T> type) {
        return service(type, null);
    }

    /** A service of the host's framework matching an LDAP {@code filter} (e.g. {@code (cohort.crowd.provider=mturk)}). */
    public <T> T service(Class<T> type, String filter) {
        try {
            ServiceTracker<T, T> tracker = filter == null
                    ? new ServiceTracker<>(context(), type, null)
                    : new ServiceTracker<>(
                            context(),
                            FrameworkUtil.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")"),
                            null);
            tracker.open(true);
            try {
                T service = tracker.waitForService(WAIT_MILLIS);
                if (service == null) {
                    throw new AssertionError("no " + type.getSimpleName() + " service"
                            + (filter == null ? "" : " " + filter) + " within " + WAIT_MILLIS + " ms");
                }
                return service;
            } finally {
                tracker.close();
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + type.getSimpleName(), e);
        }
    }

    /** Installs and starts a plugin from its jar; it is uninstalled when the host stops. */
    public Bundle install(String jar) throws Exception {
        Bundle bundle = context().installBundle("file:" + jar);
        installed.add(bundle);
        bundle.start();
        return bundle;
    }

    /** Sets a plugin's configuration; location "?" binds it to whichever bundle asks, as the host does. */
    public void configure(String pid, Map<String, ?> values) throws Exception {
        // Used while tracked: Config Admin is a service factory, and its object is dead once the tracker lets go.
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> tracker =
                new ServiceTracker<>(context(), ConfigurationAdmin.class, null);
        tracker.open();
        try {
            ConfigurationAdmin admin = tracker.waitForService(WAIT_MILLIS);
            if (admin == null) {
                throw new AssertionError("no ConfigurationAdmin service within " + WAIT_MILLIS + " ms");
            }
            admin.getConfiguration(pid, "?").update(new java.util.Hashtable<>(values));
        } finally {
            tracker.close();
        }
    }

    /**
     * Points the MTurk plugin at this host's emulator (built with {@link Builder#mturk()}): not paced, and a fault a
     * test injects is not retried away.
     */
    public void configureMTurk() throws Exception {
        configure(
                "io.cohort.mturk",
                Map.of(
                        "accessKeyId",
                        MTURK_KEY,
                        "secretAccessKey",
                        MTURK_SECRET,
                        "endpoint",
                        mturkEmulator().endpoint().toString(),
                        "publicUrl",
                        host().url(),
                        "workerSite",
                        mturkEmulator().endpoint() + "/worker/",
                        "ratePerSecond",
                        100.0,
                        "retries",
                        0));
    }

    /** Asks for {@code path} until {@code condition} holds, for up to {@link #WAIT_MILLIS}; fails if it never does. */
    public static AdminHttp.Response waitFor(AdminHttp http, String path, Predicate<AdminHttp.Response> condition)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        AdminHttp.Response last = http.get(path);
        while (!condition.test(last) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            last = http.get(path);
        }
        if (!condition.test(last)) {
            throw new AssertionError(path + " answered " + last);
        }
        return last;
    }

    private static <T> T running(T part) {
        if (part == null) {
            throw new IllegalStateException(
                    "the Cohort host is not running: register it as an extension, or call start()");
        }
        return part;
    }

    // ---- life cycle

    public void start() throws Exception {
        if (mturk) {
            emulator = MTurkEmulator.start().credentials(MTURK_KEY, MTURK_SECRET);
        }
        home = Files.createTempDirectory("cohort-test-host");
        for (Map.Entry<String, Map<String, String>> experiment : experiments.entrySet()) {
            Path folder = Files.createDirectories(home.resolve("experiments").resolve(experiment.getKey()));
            for (Map.Entry<String, String> file : experiment.getValue().entrySet()) {
                Path path = folder.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
        }
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("COHORT_DB_URL", TestDatabase.create());
        all.putIfAbsent("COHORT_ADMIN_PASSWORD", PASSWORD);
        all.putIfAbsent("COHORT_PORT", Integer.toString(freePort()));
        if (framework != null) {
            host = Host.start(framework.get().getBundle(0).getBundleContext(), Config.load(home, home, all));
        } else {
            node = InProcessNode.start(home, all);
            host = node.host();
        }
        admin = new AdminHttp(URI.create(host.url()));
        int status = admin.login(ADMIN, all.get("COHORT_ADMIN_PASSWORD")).status();
        if (status != 302) {
            throw new IllegalStateException("the test host's admin login answered " + status);
        }
    }

    public void stop() throws Exception {
        try {
            for (Bundle bundle : installed) {
                if (bundle.getState() != Bundle.UNINSTALLED) {
                    bundle.uninstall();
                }
            }
            installed.clear();
            if (node != null) {
                node.close();
            } else if (host != null) {
                host.close();
            }
        } finally {
            node = null;
            host = null;
            admin = null;
            if (emulator != null) {
                emulator.close();
                emulator = null;
            }
            if (home != null) {
                Folders.delete(home);
                home = null;
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // JUnit 5: a static field starts one host for the class, an instance field one per test.

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }
}
