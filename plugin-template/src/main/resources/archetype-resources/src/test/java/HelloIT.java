package ${package};

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.cohort.api.event.Events;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.DescribedAnswer;
import java.lang.ref.WeakReference;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The plugin in a running host: installed from the built jar, used over HTTP and through the host's services,
 * stopped, uninstalled. Failsafe runs it after {@code package} and passes the jar as {@code plugin.jar}.
 */
@RunWith(PaxExam.class)
public class HelloIT {

    private static final long WAIT_MILLIS = 10_000;

    @Inject
    private BundleContext context;

    /** The host, on a fresh database and a free port, in the framework Pax Exam runs this test in. */
    private final CohortHost cohort = CohortHost.builder().build().in(() -> context);

    private AdminHttp admin;

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions();
    }

    @Before
    public void startHost() throws Exception {
        cohort.start();
        admin = cohort.admin();
    }

    @After
    public void stopHost() throws Exception {
        cohort.stop();
    }

    @Test
    public void installUseStopUninstall() throws Exception {
        assertHealthy();
        Bundle plugin = context.installBundle("file:" + System.getProperty("plugin.jar"));
        plugin.start();
        WeakReference<ClassLoader> pluginLoader = new WeakReference<>(
                plugin.loadClass("${package}.internal.HelloPage").getClassLoader());

        AdminHttp.Response page = waitFor("/admin/hello", r -> r.status() == 200);
        assertTrue(page.body(), page.body().contains("Hello from the hello plugin"));
        assertTrue(admin.get("/admin/").body().contains("<a href=\"/admin/hello\">Hello</a>"));
        assertHealthy();

        // The form adds a row (the client sends the page's CSRF token, as the browser does).
        AdminHttp.Response posted = admin.postForm("/admin/hello", Map.of("message", "from the form"));
        assertEquals(302, posted.status());
        assertTrue(admin.get("/admin/hello").body().contains("from the form"));

        // The tab in the API: described (OSGI-INF/cohort/openapi.yaml) while the plugin runs, answering what it says.
        String description = admin.get("/api/openapi.json").body();
        AdminHttp.Response twin = admin.get("/api/hello");
        assertEquals(200, twin.status());
        assertTrue(twin.body(), twin.body().contains("from the form"));
        assertEquals(List.of(), DescribedAnswer.problems(description, "GET", "/hello", twin.body()));

        // A new configuration (what the Plugins page or deploy/${package}.cfg makes) changes the page.
        configure("${package}", Map.of("greeting", "Hi there", "maxRows", 5));
        waitFor("/admin/hello", r -> r.body().contains("Hi there"));

        // An event published through the host's Events service reaches the plugin's listener.
        publish("hello/greeting", "from an event");
        waitFor("/admin/hello", r -> r.body().contains("from an event"));

        plugin.stop();
        assertEquals(404, admin.get("/admin/hello").status());
        assertFalse(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/hello"));
        assertFalse(admin.get("/admin/").body().contains("/admin/hello"));
        assertHealthy();

        plugin.uninstall();
        refresh(plugin);
        plugin = null;
        assertHealthy();
        assertReleased(pluginLoader);
        assertHealthy();
    }

    private void configure(String pid, Map<String, Object> values) throws Exception {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin =
                new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        configAdmin.open();
        try {
            ConfigurationAdmin service = configAdmin.waitForService(WAIT_MILLIS);
            assertNotNull("no ConfigurationAdmin service", service);
            // Location "?" binds the configuration to whichever bundle asks, as the host does (docs/architecture.md,
            // pitfall 6).
            service.getConfiguration(pid, "?").update(new Hashtable<>(values));
        } finally {
            configAdmin.close();
        }
    }

    private void publish(String topic, String payload) throws InterruptedException {
        ServiceTracker<Events, Events> events = new ServiceTracker<>(context, Events.class, null);
        events.open();
        try {
            Events service = events.waitForService(WAIT_MILLIS);
            assertNotNull("no Events service", service);
            service.publish(topic, payload);
        } finally {
            events.close();
        }
    }

    /** Drops the uninstalled bundle's wiring, as the Plugins page does after an uninstall. */
    private void refresh(Bundle plugin) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(plugin), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("refresh did not finish", refreshed.await(WAIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** Something in the host (or this test) still holding a class of the plugin keeps its class loader. */
    private static void assertReleased(WeakReference<ClassLoader> loader) throws InterruptedException {
        for (int i = 0; i < 20 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(100);
        }
        assertNull("the uninstalled plugin's class loader is still reachable", loader.get());
    }

    private AdminHttp.Response waitFor(String path, Predicate<AdminHttp.Response> condition) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        AdminHttp.Response last = admin.get(path);
        while (!condition.test(last) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            last = admin.get(path);
        }
        assertTrue(path + " answered " + last.status() + ": " + last.body(), condition.test(last));
        return last;
    }

    private void assertHealthy() {
        assertEquals(200, admin.get("/healthz").status());
    }
}
