package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** {@link Participants} over {@code cohort.participant}. Status and bonus changes also leave a field row. */
@Singleton
public final class ParticipantStore implements Participants {

    static final String COLUMNS = "p.id, p.session_id, p.name, p.token, p.provider, p.worker_id, p.assignment_id,"
            + " p.hit_id, p.mode, p.condition, p.code_version, p.status, p.bonus_cents, p.page_index, p.group_name,"
            + " p.created_at, p.updated_at";

    private final Transactions tx;
    private final Experiments experiments;
    private final Function<String, Optional<ExperimentHooks>> hooks;
    private final FieldStore data;
    private final LiveFeed live;

    @Inject
    public ParticipantStore(
            Transactions tx, RegisteredServices services, ExperimentCatalog catalog, FieldStore data, LiveFeed live) {
        this(tx, services, catalog::hooks, data, live);
    }

    public ParticipantStore(
            Transactions tx,
            Experiments experiments,
            Function<String, Optional<ExperimentHooks>> hooks,
            FieldStore data,
            LiveFeed live) {
        this.tx = tx;
        this.experiments = experiments;
        this.hooks = hooks;
        this.data = data;
        this.live = live;
    }

    static Participant read(ResultSet rs) throws SQLException {
        String mode = rs.getString("mode");
        return new Participant(
                rs.getString("id"),
                rs.getString("session_id"),
                rs.getString("name"),
                rs.getString("token"),
                rs.getString("provider"),
                rs.getString("worker_id"),
                rs.getString("assignment_id"),
                rs.getString("hit_id"),
                mode == null ? null : CrowdMode.valueOf(mode),
                rs.getString("condition"),
                rs.getString("code_version"),
                ParticipantStatus.valueOf(rs.getString("status")),
                rs.getLong("bonus_cents"),
                rs.getInt("page_index"),
                rs.getString("group_name"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    @Override
    public Optional<Participant> find(String id) {
        return tx.mapper(ParticipantMapper.class, m -> m.participant(id)).stream()
                .findFirst();
    }

    @Override
    public Optional<Participant> byToken(String sessionId, String token) {
        if (sessionId == null || token == null) {
            return Optional.empty();
        }
        return tx.mapper(ParticipantMapper.class, m -> m.withToken(sessionId, token)).stream()
                .findFirst();
    }

    /** The label a participant came with (a room's pre-assigned slot), if any. */
    public Optional<String> label(String participantId) {
        // No row and a row without a label both mean no label.
        return tx.mapper(ParticipantMapper.class, m -> m.label(participantId)).stream()
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }

    @Override
    public List<Participant> ofSession(String sessionId) {
        return tx.mapper(ParticipantMapper.class, m -> m.ofSession(sessionId));
    }

    @Override
    public List<Participant> ofWorker(String provider, String workerId) {
        return tx.mapper(ParticipantMapper.class, m -> m.ofWorker(provider, workerId));
    }

    /** Every participant who came through a crowd provider, oldest first (the ledger checks plans against them). */
    public List<Participant> ofProvider(String provider) {
        return tx.mapper(ParticipantMapper.class, m -> m.ofProvider(provider));
    }

    @Override
    public Participant addBot(String sessionId, String name, String by) {
        // No provider: the ledger checks every plan against a provider's participants, so a bot is never paid.
        return add(sessionId, name, new CrowdArrival(null, null, null, null, CrowdMode.BOT), by);
    }

    @Override
    public Participant add(String sessionId, String name, CrowdArrival crowd, String by) {
        Participant p = tx.run(c -> {
            Session session = tx.mapper(SessionMapper.class, m -> m.locked(sessionId)).stream()
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalArgumentException("session: there is no session '" + sessionId + "'"));
            Experiment experiment = experiments
                    .find(session.experiment())
                    .orElseThrow(() -> new IllegalArgumentException(
                            "experiment: '" + session.experiment() + "' is not installed"));
            int count;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT count(*) AS n FROM cohort.participant WHERE session_id = ?")) {
                ps.setString(1, sessionId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count = rs.getInt("n");
                }
            }
            String group = "g" + (count / Math.max(1, experiment.groupSize()) + 1);
            return insert(
                    c,
                    session,
                    experiment,
                    name == null || name.isBlank() ? "P" + (count + 1) : name.strip(),
                    group,
                    crowd,
                    null,
                    by);
        });
        live.changed(p.id());
        return p;
    }

    /** Inserts one participant and runs {@code new_player}, inside the caller's transaction. */
    Participant insert(
            Connection c,
            Session session,
            Experiment experiment,
            String name,
            String group,
            CrowdArrival crowd,
            String label,
            String by)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO cohort.participant (id, session_id, name, token, provider,"
                        + " worker_id, assignment_id, hit_id, mode, experiment, code_version, group_name, label, created_at)"
                        // clock_timestamp(), not the column's now(): a session's participants are made in one
                        // transaction,
                        // and ofSession's "in the order they were created" needs them apart.
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, clock_timestamp())"
                        + " RETURNING id, session_id, name, token, provider, worker_id, assignment_id, hit_id, mode, condition,"
                        + " code_version, status, bonus_cents, page_index, group_name, created_at, updated_at")) {
            ps.setString(1, RandomIds.id(10));
            ps.setString(2, session.id());
            ps.setString(3, name);
            ps.setString(4, RandomIds.token());
            ps.setString(5, crowd == null ? null : crowd.provider());
            ps.setString(6, crowd == null ? null : crowd.workerId());
            ps.setString(7, crowd == null ? null : crowd.assignmentId());
            ps.setString(8, crowd == null ? null : crowd.hitId());
            ps.setString(
                    9,
                    crowd == null || crowd.mode() == null ? null : crowd.mode().name());
            ps.setString(10, experiment.name());
            ps.setString(11, session.codeVersion());
            ps.setString(12, group);
            ps.setString(13, label);
            Participant p;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                p = read(rs);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new IllegalArgumentException("name: '" + name + "' is taken in session " + session.id());
                }
                throw e;
            }
            data.setAll(p.id(), java.util.Map.of("status", quoted(ParticipantStatus.ALLOCATED.name())), by);
            hooks.apply(experiment.name()).ifPresent(h -> h.newPlayer(session, p, data));
            return p;
        }
    }

    static String quoted(String text) {
        return FieldStore.JSON.getNodeFactory().textNode(text).toString();
    }

    @Override
    public void setStatus(String participantId, ParticipantStatus status, String by) {
        updateRow(participantId, "status = ?", status.name(), "status", quoted(status.name()), by);
    }

    @Override
    public void setBonus(String participantId, long cents, String by) {
        if (cents < 0) {
            throw new IllegalArgumentException("bonus: " + cents + " cents is negative");
        }
        updateRow(participantId, "bonus_cents = ?", cents, "bonus_cents", Long.toString(cents), by);
    }

    /** Sets one column and appends the matching field row, in one transaction. */
    void updateRow(String participantId, String assignment, Object value, String key, String json, String by) {
        Participant p = tx.run(c -> {
            Participant found = updateRow(c, participantId, assignment, value);
            data.setAll(participantId, java.util.Map.of(key, json), by);
            return found;
        });
        live.changed(p.id());
    }

    static Participant updateRow(Connection c, String participantId, String assignment, Object value)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.participant p SET " + assignment
                + ", updated_at = now()" + " WHERE p.id = ? RETURNING " + COLUMNS)) {
            ps.setObject(1, value);
            ps.setString(2, participantId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("participant: there is no participant '" + participantId + "'");
                }
                return read(rs);
            }
        }
    }

    /** Re-runs the experiment's {@code new_player} hook for one participant (an admin's action). */
    public void rerunNewPlayer(String participantId, Session session) {
        Participant p = find(participantId)
                .orElseThrow(() ->
                        new IllegalArgumentException("participant: there is no participant '" + participantId + "'"));
        tx.run(c -> {
            hooks.apply(session.experiment()).ifPresent(h -> h.newPlayer(session, p, data));
            return null;
        });
        live.changed(p.id());
    }
}
