package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sessions with how far their participants got: the Sessions list, the dashboard and their live updates. */
@Singleton
public final class SessionTable {

    /** Statuses of who has finished the pages (later steps are payment steps). */
    private final SessionStore sessions;

    private final Transactions tx;

    @Inject
    public SessionTable(SessionStore sessions, Transactions tx) {
        this.sessions = sessions;
        this.tx = tx;
    }

    /**
     * @param started  arrived at least once; {@code completed} reached the end
     * @param atWork   started and not finished (or gone for now): still at work
     * @param archived put away by the admin: not on the dashboard
     */
    public record Row(
            Session session,
            int participants,
            int started,
            int completed,
            int online,
            int atWork,
            Instant lastJoined,
            boolean archived) {

        /** What a lab calls active: running (not paused, not archived), and busy. */
        public boolean current(Instant now) {
            return !archived && session.active() && busy(now);
        }

        /** Someone still at work, or the session made or joined in the last day. */
        public boolean busy(Instant now) {
            Instant dayAgo = now.minus(java.time.Duration.ofDays(1));
            return atWork > 0
                    || session.createdAt().isAfter(dayAgo)
                    || (lastJoined != null && lastJoined.isAfter(dayAgo));
        }
    }

    /** A session's participants counted: all, started, finished (completed or later), online now, at work. */
    public record Counts(
            String sessionId,
            int participants,
            int started,
            int completed,
            int online,
            int atWork,
            Instant lastJoined) {
        static final Counts NONE = new Counts(null, 0, 0, 0, 0, 0, null);
    }

    /** Newest first. */
    public List<Row> all() {
        Map<String, Counts> counts = counts(null);
        java.util.Set<String> archived = archived();
        return sessions.list().stream().map(s -> row(s, counts, archived)).toList();
    }

    /** The dashboard's sessions: see {@link Row#current}. */
    public List<Row> active() {
        return active(all());
    }

    public static List<Row> active(List<Row> all) {
        Instant now = Instant.now();
        return all.stream().filter(r -> r.current(now)).toList();
    }

    /** Of {@code all}, those nobody works in and nobody joined for a day, not archived yet: "archive the rest". */
    public static List<Row> idle(List<Row> all) {
        Instant now = Instant.now();
        return all.stream().filter(r -> !r.archived() && !r.busy(now)).toList();
    }

    /** Archives the idle sessions; returns how many. */
    public int archiveIdle() {
        List<String> ids = idle(all()).stream().map(r -> r.session().id()).toList();
        return ids.isEmpty() ? 0 : tx.mapper(SessionMapper.class, m -> m.archive(ids));
    }

    public Optional<Row> find(String sessionId) {
        return sessions.find(sessionId).map(s -> row(s, counts(sessionId), archived()));
    }

    private java.util.Set<String> archived() {
        return new java.util.HashSet<>(tx.mapper(SessionMapper.class, SessionMapper::archived));
    }

    private static Row row(Session s, Map<String, Counts> counts, java.util.Set<String> archived) {
        Counts c = counts.getOrDefault(s.id(), Counts.NONE);
        return new Row(
                s,
                c.participants(),
                c.started(),
                c.completed(),
                c.online(),
                c.atWork(),
                c.lastJoined(),
                archived.contains(s.id()));
    }

    /** Per session; of one session when {@code sessionId} is not null. */
    private Map<String, Counts> counts(String sessionId) {
        Map<String, Counts> out = new HashMap<>();
        tx.mapper(SessionMapper.class, m -> m.counts(sessionId)).forEach(c -> out.put(c.sessionId(), c));
        return out;
    }
}
