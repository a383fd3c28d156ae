package io.cohort.plugin.prisonersdilemma;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participants;
import io.cohort.platform.Config;
import io.cohort.platform.Host;
import io.cohort.testkit.CohortExam;
import io.cohort.testkit.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
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
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The built bundle in a framework running the host: its experiment is listed by the host's {@link Experiments}
 * while it runs, its hook scores a round through the registered {@link Participants}, and stopping it takes the
 * experiment away while the host keeps answering. Failsafe passes the jar as {@code plugin.jar}.
 */
@RunWith(PaxExam.class)
public class PrisonersDilemmaIT {

    private static final long WAIT_MILLIS = 10_000;

    @Inject
    private BundleContext context;

    private Host host;
    private Path home;
    private ServiceTracker<Experiments, Experiments> experiments;

    @Configuration
    public Option[] config() {
        return CohortExam.options();
    }

    @Before
    public void startHost() throws Exception {
        home = Files.createTempDirectory("cohort-pd-home");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        host = Host.start(context.getBundle(0).getBundleContext(), Config.load(home, home, Map.of(
                "COHORT_DB_URL", TestDatabase.create(), "COHORT_PORT", Integer.toString(port))));
        experiments = new ServiceTracker<>(context, Experiments.class, null);
        experiments.open(true);
    }

    @After
    public void stopHost() throws Exception {
        if (experiments != null) {
            experiments.close();
        }
        if (host != null) {
            host.close();
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    public void listedWhileStartedScoresARoundGoneWhenStopped() throws Exception {
        Experiments catalog = experiments.waitForService(WAIT_MILLIS);
        assertNotNull("the host registers no Experiments service", catalog);
        assertTrue(catalog.find(PrisonersDilemma.NAME).isEmpty());

        // Until the host has its own Participants service, this one receives the bonuses (ranked above any other).
        PrisonersDilemmaTest.Bonuses bonuses = new PrisonersDilemmaTest.Bonuses();
        ServiceRegistration<Participants> participants = context.registerService(Participants.class, bonuses,
                new Hashtable<>(Map.of(Constants.SERVICE_RANKING, Integer.MAX_VALUE)));
        Bundle plugin = context.installBundle("file:" + System.getProperty("plugin.jar"));
        try {
            plugin.start();
            Experiment game = waitFor(() -> catalog.find(PrisonersDilemma.NAME));
            assertEquals(2, game.groupSize());
            assertEquals(11, game.pages().size());
            assertTrue(game.defaultSettings(), game.defaultSettings().contains("\"centsPerPoint\":10"));
            assertHealthy();

            // The hook as the host finds it, with Jackson inside the bundle.
            ServiceTracker<ExperimentHooks, ExperimentHooks> hooks = new ServiceTracker<>(context,
                    context.createFilter("(&(objectClass=" + ExperimentHooks.class.getName() + ")("
                            + ExperimentHooks.EXPERIMENT + "=" + PrisonersDilemma.NAME + "))"), null);
            hooks.open(true);
            try {
                PrisonersDilemmaTest.Data data = new PrisonersDilemmaTest.Data();
                var ann = PrisonersDilemmaTest.participant("ann");
                var bob = PrisonersDilemmaTest.participant("bob");
                data.set(ann.id(), "choice_1", "\"defect\"", "decide-1");
                data.set(bob.id(), "choice_1", "\"cooperate\"", "decide-1");
                hooks.waitForService(WAIT_MILLIS).groupArrived(PrisonersDilemmaTest.session("{}"), "wait-1",
                        List.of(ann, bob), data);
                assertEquals("5", data.current(ann.id()).get("payoff_1"));
                assertEquals("\"defect\"", data.current(bob.id()).get("partner_choice_1"));
                assertEquals(Long.valueOf(50), bonuses.cents.get(ann.id()));
                assertEquals(Long.valueOf(0), bonuses.cents.get(bob.id()));
            } finally {
                hooks.close();
            }

            plugin.stop();
            waitFor(() -> catalog.find(PrisonersDilemma.NAME).isEmpty() ? Optional.of(true) : Optional.empty());
            assertTrue(catalog.list().stream().noneMatch(e -> e.name().equals(PrisonersDilemma.NAME)));
            assertHealthy();
        } finally {
            plugin.uninstall();
            participants.unregister();
        }
        assertHealthy();
    }

    private static <T> T waitFor(Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        Optional<T> value = probe.get();
        while (value.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            value = probe.get();
        }
        assertTrue("not within " + WAIT_MILLIS + " ms", value.isPresent());
        return value.get();
    }

    private void assertHealthy() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(host.url() + "healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
    }
}
