package io.cohort.platform.psiturk;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.session.SessionStore;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which psiTurk session the site root serves. psiTurk experiments call {@code /static/...}, {@code /exp} and
 * {@code /sync} at the server's root, as psiTurk serves one experiment per server; Cohort keeps their files unmodified
 * by doing the same: the session the admin chose (kept in the database, so every node behind a balancer agrees), or
 * else the newest active psiTurk session (the answer is kept for a second). Participants of other psiTurk sessions
 * are told theirs is not open.
 */
@Singleton
public final class PsiturkRoot {

    private final Transactions tx;
    private final ExperimentCatalog catalog;
    private final SessionStore sessions;

    @Inject
    public PsiturkRoot(Transactions tx, ExperimentCatalog catalog, SessionStore sessions) {
        this.tx = tx;
        this.catalog = catalog;
        this.sessions = sessions;
    }

    /** The session at the root and its project. */
    public record Served(Session session, PsiturkProject project, boolean pinned) {}

    /**
     * How long an answer of {@link #served()} stands: a psiTurk page's every file and call asks, and the answer
     * (two or three queries) changes only when an admin pins or pauses a session.
     */
    static final long KEPT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private record Answer(Optional<Served> served, long at) {}

    private volatile Answer last;

    public Optional<Served> served() {
        if (catalog.psiturkProjects().isEmpty()) {
            return Optional.empty();
        }
        Answer known = last;
        if (known != null && System.nanoTime() - known.at() < KEPT_NANOS) {
            return known.served();
        }
        Optional<Served> served = find();
        last = new Answer(served, System.nanoTime());
        return served;
    }

    private Optional<Served> find() {
        List<PsiturkProject> projects = catalog.psiturkProjects();
        String pinned = tx.mapper(PsiturkMapper.class, PsiturkMapper::pinnedRoot);
        Optional<Served> chosen = serve(pinned, true);
        if (chosen.isPresent()) {
            return chosen;
        }
        String names = projects.stream().map(p -> "\"" + p.name() + "\"").collect(Collectors.joining(",", "{", "}"));
        return serve(tx.mapper(PsiturkMapper.class, m -> m.newestActive(names)), false);
    }

    private Optional<Served> serve(String sessionId, boolean pinned) {
        if (sessionId == null) {
            return Optional.empty();
        }
        return sessions.find(sessionId)
                .filter(Session::active)
                .flatMap(s -> catalog.psiturk(s.experiment()).map(p -> new Served(s, p, pinned)));
    }

    /** @throws IllegalArgumentException when the session is not a psiTurk one */
    public void pin(String sessionId, String by) {
        Session s = sessions.find(sessionId)
                .orElseThrow(() -> new IllegalArgumentException("session: there is no session '" + sessionId + "'"));
        if (catalog.psiturk(s.experiment()).isEmpty()) {
            throw new IllegalArgumentException(
                    "session: " + sessionId + " runs '" + s.experiment() + "', which is not a psiTurk experiment");
        }
        tx.mapper(PsiturkMapper.class, m -> m.pinRoot(sessionId, by));
        last = null; // this node sees it at once; the others within a second
    }
}
