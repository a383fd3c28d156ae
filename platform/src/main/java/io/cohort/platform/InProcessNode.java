package io.cohort.platform;

import io.cohort.platform.osgi.EmbeddedFelix;
import io.cohort.platform.osgi.SystemPackages;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * A node inside this JVM: a Felix framework of its own that exports the api, and a {@link Host} on a free
 * loopback port (unless {@code COHORT_PORT} is given). For tests and benchmarks; {@link Main} runs the real one.
 */
public final class InProcessNode implements AutoCloseable {

    private final Framework framework;
    private final Host host;

    private InProcessNode(Framework framework, Host host) {
        this.framework = framework;
        this.host = host;
    }

    /** @param env as the environment would give it: {@code COHORT_DB_URL}, {@code COHORT_API_TOKEN}, … */
    public static InProcessNode start(Path home, Map<String, String> env) throws Exception {
        return start(home, env, context -> {});
    }

    /** @param beforeHost registers what the host should find already there when it starts (a test's services) */
    public static InProcessNode start(Path home, Map<String, String> env, Consumer<BundleContext> beforeHost)
            throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("COHORT_PORT", String.valueOf(freePort()));
        Config config = Config.load(home, home, all);
        // Each node its own address, as EmbeddedFelix gives the real one: several may share this JVM.
        Framework framework = new FrameworkFactory()
                .newFramework(Map.of(
                        Constants.FRAMEWORK_STORAGE, home.resolve("felix").toString(),
                        Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                        Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.list(),
                        EmbeddedFelix.OWN_URL, config.ownUrl(config.port())));
        framework.start();
        try {
            beforeHost.accept(framework.getBundleContext());
            return new InProcessNode(framework, Host.start(framework.getBundleContext(), config));
        } catch (Exception | Error e) {
            // Felix's dispatch thread is not a daemon (docs/architecture.md, pitfall 1).
            framework.stop();
            framework.waitForStop(10_000);
            throw e;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public Host host() {
        return host;
    }

    public Framework framework() {
        return framework;
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    /** {@code http://127.0.0.1:<port>/} */
    public String url() {
        return host.url();
    }

    @Override
    public void close() throws Exception {
        try {
            host.close();
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }
}
