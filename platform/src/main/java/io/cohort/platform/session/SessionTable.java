package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
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

    /** @param started arrived at least once; {@code completed} reached the end */
    public record Row(Session session, int participants, int started, int completed, int online) {}

    /** A session's participants counted: all, started, finished (completed or later), online now. */
    public record Counts(String sessionId, int participants, int started, int completed, int online) {
        static final Counts NONE = new Counts(null, 0, 0, 0, 0);
    }

    /** Newest first. */
    public List<Row> all() {
        Map<String, Counts> counts = counts(null);
        return sessions.list().stream().map(s -> row(s, counts)).toList();
    }

    public List<Row> active() {
        return all().stream().filter(r -> r.session().active()).toList();
    }

    public Optional<Row> find(String sessionId) {
        return sessions.find(sessionId).map(s -> row(s, counts(sessionId)));
    }

    private static Row row(Session s, Map<String, Counts> counts) {
        Counts c = counts.getOrDefault(s.id(), Counts.NONE);
        return new Row(s, c.participants(), c.started(), c.completed(), c.online());
    }

    /** Per session; of one session when {@code sessionId} is not null. */
    private Map<String, Counts> counts(String sessionId) {
        Map<String, Counts> out = new HashMap<>();
        tx.mapper(SessionMapper.class, m -> m.counts(sessionId)).forEach(c -> out.put(c.sessionId(), c));
        return out;
    }
}
