package io.cohort.platform.participant;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.session.ParticipantMoves;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-checks waiting groups every 2 s, so a wait page whose missing member went offline lets the others go once the
 * session's wait timeout has passed (nothing else would happen: nobody arrives to trigger the check).
 */
@Singleton
public final class WaitTimeouts implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WaitTimeouts.class);
    static final long PERIOD_MS = 2000;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cohort-wait-timeouts");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public WaitTimeouts(ParticipantMoves moves) {
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        moves.releaseTimedOut();
                    } catch (RuntimeException e) {
                        // Logged and tried again next time: a scheduled task that throws is never run again.
                        LOG.warn("releasing timed-out wait pages failed: {}", e.toString());
                    }
                },
                PERIOD_MS,
                PERIOD_MS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
