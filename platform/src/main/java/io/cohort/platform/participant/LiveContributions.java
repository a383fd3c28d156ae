package io.cohort.platform.participant;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.session.Participant;
import io.cohort.api.web.ParticipantPageContribution;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps open participant pages in step with the {@link ParticipantPageContribution}s: when one is registered, each
 * page open on this node gets its markup for that participant's page through the page's socket ({@code {"type":
 * "contribution", "contribution": id, "head": ..., "body": ...}}); when one goes, {@code {"type":
 * "contribution-removed", "contribution": id}}. cohort.js adds or removes it with no reload. Sent from a thread of
 * its own: the registering bundle's thread must not wait on a query per open page.
 */
@Singleton
public final class LiveContributions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveContributions.class);

    private final ParticipantSockets sockets;
    private final ParticipantStore participants;
    private final ParticipantMoves moves;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cohort-contributions");
        t.setDaemon(true);
        return t;
    });
    private final Whiteboard<ParticipantPageContribution> contributions;

    @Inject
    public LiveContributions(
            BundleContext context, ParticipantSockets sockets, ParticipantStore participants, ParticipantMoves moves) {
        this.sockets = sockets;
        this.participants = participants;
        this.moves = moves;
        this.contributions = new Whiteboard<>(context, ParticipantPageContribution.class, new Whiteboard.Listener<>() {
            @Override
            public void added(
                    ServiceReference<ParticipantPageContribution> reference, ParticipantPageContribution service) {
                sender.execute(() -> add(reference, service));
            }

            @Override
            public void removed(
                    ServiceReference<ParticipantPageContribution> reference, ParticipantPageContribution service) {
                String message = ParticipantPages.JSON
                        .createObjectNode()
                        .put("type", "contribution-removed")
                        .put("contribution", id(reference))
                        .toString();
                sender.execute(() -> sockets.open().forEach(pid -> sockets.send(pid, message)));
            }
        });
    }

    private static String id(ServiceReference<?> reference) {
        return String.valueOf(reference.getProperty(Constants.SERVICE_ID));
    }

    private void add(ServiceReference<ParticipantPageContribution> reference, ParticipantPageContribution service) {
        for (String pid : sockets.open()) {
            try {
                Optional<ParticipantMoves.Context> at =
                        participants.find(pid).flatMap((Participant p) -> moves.byToken(p.sessionId(), p.token()));
                if (at.isEmpty() || at.get().experiment() == null) {
                    continue;
                }
                Participant p = at.get().participant();
                Experiment e = at.get().experiment();
                int index = p.pageIndex();
                String page = index < e.pages().size() ? e.pages().get(index).name() : "end";
                ParticipantPages.Markup markup = ParticipantPages.markup(
                        Map.of(reference, service),
                        new ParticipantPageContribution.ParticipantPage(
                                p.sessionId(), p.id(), page, ParticipantMoves.finishes(e, index), p.token()));
                sockets.send(
                        pid,
                        ParticipantPages.JSON
                                .createObjectNode()
                                .put("type", "contribution")
                                .put("contribution", id(reference))
                                .put("head", markup.head())
                                .put("body", markup.body())
                                .toString());
            } catch (RuntimeException ex) {
                LOG.warn("participant {}: cannot add a contribution to the open page: {}", pid, ex.toString());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        contributions.close();
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
    }
}
