package io.cohort.plugin.prisonersdilemma.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.testhost.CohortHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
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
import org.osgi.util.tracker.ServiceTracker;

/**
 * The built bundle in a framework running the host: its experiment is listed by the host's {@link Experiments}
 * while it runs, its hook scores a round of a session in the host's own stores (bonus included), and stopping it
 * takes the experiment away while the host keeps answering. Failsafe passes the jar as {@code plugin.jar}.
 */
@RunWith(PaxExam.class)
public class PrisonersDilemmaIT {

    private static final long WAIT_MILLIS = 10_000;

    @Inject
    private BundleContext context;

    private final CohortHost cohort = CohortHost.builder().build().in(() -> context);

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions();
    }

    @Before
    public void start() throws Exception {
        cohort.start();
    }

    @After
    public void stop() throws Exception {
        cohort.stop();
    }

    @Test
    public void listedWhileStartedScoresARoundGoneWhenStopped() throws Exception {
        Experiments catalog = service(Experiments.class);
        assertTrue(catalog.find(PrisonersDilemma.NAME).isEmpty());

        Bundle plugin = context.installBundle("file:" + System.getProperty("plugin.jar"));
        try {
            plugin.start();
            Experiment game = waitFor(() -> catalog.find(PrisonersDilemma.NAME));
            assertEquals(2, game.groupSize());
            assertEquals(11, game.pages().size());
            assertTrue(game.defaultSettings(), game.defaultSettings().contains("\"centsPerPoint\":10"));
            assertHealthy();

            // A session of it in the host's own stores; the hook as the host finds it scores a round.
            Session session = service(Sessions.class)
                    .create(new NewSession(
                            PrisonersDilemma.NAME, 2, null, null, List.of("ann", "bob"), false, "PrisonersDilemmaIT"));
            Participants participants = service(Participants.class);
            ParticipantData data = service(ParticipantData.class);
            List<Participant> pair = participants.ofSession(session.id());
            Participant ann = pair.get(0);
            Participant bob = pair.get(1);
            data.set(ann.id(), "choice_1", "\"defect\"", "decide-1");
            data.set(bob.id(), "choice_1", "\"cooperate\"", "decide-1");
            ServiceTracker<ExperimentHooks, ExperimentHooks> hooks = new ServiceTracker<>(
                    context,
                    context.createFilter("(&(objectClass=" + ExperimentHooks.class.getName() + ")("
                            + ExperimentHooks.EXPERIMENT + "=" + PrisonersDilemma.NAME + "))"),
                    null);
            hooks.open(true);
            try {
                hooks.waitForService(WAIT_MILLIS).groupArrived(session, "wait-1", pair, data);
            } finally {
                hooks.close();
            }
            assertEquals("5", data.current(ann.id()).get("payoff_1"));
            assertEquals("\"defect\"", data.current(bob.id()).get("partner_choice_1"));
            assertEquals(
                    PrisonersDilemma.SET_BY,
                    data.history(ann.id(), "total_payoff").get(0).setBy());
            assertEquals(50, participants.find(ann.id()).orElseThrow().bonusCents());
            assertEquals(0, participants.find(bob.id()).orElseThrow().bonusCents());

            plugin.stop();
            waitFor(() -> catalog.find(PrisonersDilemma.NAME).isEmpty() ? Optional.of(true) : Optional.empty());
            assertTrue(catalog.list().stream().noneMatch(e -> e.name().equals(PrisonersDilemma.NAME)));
            assertHealthy();
        } finally {
            plugin.uninstall();
        }
        assertHealthy();
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open(true);
        try {
            T service = tracker.waitForService(WAIT_MILLIS);
            assertNotNull("no " + type.getSimpleName() + " service", service);
            return service;
        } finally {
            tracker.close();
        }
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
        HttpResponse<String> health = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(cohort.host().url() + "healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
    }
}
