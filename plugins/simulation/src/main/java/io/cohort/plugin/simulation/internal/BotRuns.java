package io.cohort.plugin.simulation.internal;

import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.storage.PluginDatabase;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds bots to a session and runs each from the server ({@link ServerBot}), one thread each: the members of a group
 * must play at once for its wait pages to let them through. Each run is a row of {@code plugin_simulation.bot_run},
 * updated as it passes pages and closed when it ends, with why it failed if it did.
 */
@Component(service = BotRuns.class)
public final class BotRuns {

    private static final Logger LOG = LoggerFactory.getLogger(BotRuns.class);

    /** At most this many bots in one request. */
    static final int MAX = 1000;
    /** How long a wait page may hold a bot. */
    static final Duration WAIT_LIMIT = Duration.ofMinutes(2);

    private final PluginDatabase database;
    private final Sessions sessions;
    private final Participants participants;
    private final Experiments experiments;
    private final BundleContext context;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService runners = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cohort-bot-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    @Activate
    public BotRuns(
            BundleContext context,
            @Reference PluginDatabase database,
            @Reference Sessions sessions,
            @Reference Participants participants,
            @Reference Experiments experiments) {
        this.context = context;
        this.database = database;
        this.sessions = sessions;
        this.participants = participants;
        this.experiments = experiments;
    }

    @Deactivate
    void stop() throws InterruptedException {
        // Running bots are interrupted and close their rows as stopped.
        runners.shutdownNow();
        runners.awaitTermination(10, TimeUnit.SECONDS);
    }

    /**
     * Adds {@code n} bots to the session (mode BOT) and starts them.
     *
     * @throws IllegalArgumentException naming what is wrong; nothing is added then
     */
    public List<BotRun> add(String sessionId, String n, String by) {
        int count;
        try {
            count = Integer.parseInt(n == null ? "" : n.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("n: '" + n + "' is not a whole number of bots (1 to " + MAX + ")");
        }
        if (count < 1 || count > MAX) {
            throw new IllegalArgumentException("n: " + count + " bots is not between 1 and " + MAX);
        }
        Session session = sessions.find(sessionId)
                .orElseThrow(() -> new IllegalArgumentException("session: there is no session '" + sessionId + "'"));
        Experiment experiment = experiments
                .find(session.experiment())
                .orElseThrow(() -> new IllegalArgumentException(
                        "session: its experiment '" + session.experiment() + "' is not installed"));
        String node = context.getProperty("cohort.node.url");
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("cohort.node.url: this node's own address is not known yet");
        }
        int before = database.transaction(BotRunMapper.class, m -> m.ofSession(sessionId))
                .size();
        List<BotRun> started = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "bot " + (before + i);
            Participant p = participants.addBot(sessionId, name, by);
            long id = database.transaction(BotRunMapper.class, m -> m.start(sessionId, p.id(), name));
            started.add(new BotRun(id, sessionId, p.id(), name, null, null, 0, null, "running"));
            ServerBot bot =
                    new ServerBot(http, node, experiment, sessionId, p.token(), WAIT_LIMIT, new SplittableRandom());
            runners.execute(() -> run(id, name, bot));
        }
        return started;
    }

    private void run(long id, String name, ServerBot bot) {
        int[] passed = {0};
        String error = null;
        try {
            bot.run(pages -> {
                passed[0] = pages;
                database.transaction(BotRunMapper.class, m -> m.progress(id, pages));
            });
        } catch (ServerBot.Failure e) {
            error = e.getMessage();
        } catch (InterruptedException e) {
            error = "stopped: the plugin or the node stopped while it ran";
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            error = e.toString();
        }
        if (error != null) {
            LOG.info("{} (run {}) stopped after {} page(s): {}", name, id, passed[0], error);
        }
        String why = error;
        try {
            database.transaction(BotRunMapper.class, m -> m.finish(id, passed[0], why));
        } catch (RuntimeException e) {
            LOG.warn("{} (run {}): cannot record its end: {}", name, id, e.toString());
        }
    }

    public List<BotRun> ofSession(String sessionId) {
        return database.transaction(BotRunMapper.class, m -> m.ofSession(sessionId));
    }
}
