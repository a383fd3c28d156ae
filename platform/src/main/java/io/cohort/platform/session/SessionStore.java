package io.cohort.platform.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.platform.experiment.ExperimentCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** {@link Sessions} over {@code cohort.session}. */
@Singleton
public final class SessionStore implements Sessions {

    static final int MAX_PARTICIPANTS = 10_000;
    /** The columns {@link #read} reads, by name. */
    private static final List<String> NAMES = List.of(
            "id",
            "name",
            "experiment",
            "code_version",
            "size",
            "active",
            "testing",
            "simulate",
            "description",
            "settings",
            "created_at");

    static final String COLUMNS = columns(null);

    private final Transactions tx;
    private final Experiments experiments;
    private final Function<String, Optional<ExperimentHooks>> hooks;
    private final ParticipantStore participants;
    private final FieldStore data;
    private final LiveFeed live;

    @Inject
    public SessionStore(
            Transactions tx,
            RegisteredServices services,
            ExperimentCatalog catalog,
            ParticipantStore participants,
            FieldStore data,
            LiveFeed live) {
        this(tx, services, catalog::hooks, participants, data, live);
    }

    public SessionStore(
            Transactions tx,
            Experiments experiments,
            Function<String, Optional<ExperimentHooks>> hooks,
            ParticipantStore participants,
            FieldStore data,
            LiveFeed live) {
        this.tx = tx;
        this.experiments = experiments;
        this.hooks = hooks;
        this.participants = participants;
        this.data = data;
        this.live = live;
    }

    @Override
    public Session create(NewSession spec) {
        Experiment experiment = experiments
                .find(spec.experiment())
                .orElseThrow(() ->
                        new IllegalArgumentException("experiment: there is no experiment '" + spec.experiment() + "'"));
        // 0 is a session crowd workers fill as they arrive (Participants.add).
        if (spec.participants() < 0 || spec.participants() > MAX_PARTICIPANTS) {
            throw new IllegalArgumentException(
                    "participants: " + spec.participants() + " is not between 0 and " + MAX_PARTICIPANTS);
        }
        List<String> names = spec.participantNames() == null ? List.of() : spec.participantNames();
        if (!names.isEmpty() && names.size() != spec.participants()) {
            throw new IllegalArgumentException(
                    "participant names: " + names.size() + " names for " + spec.participants() + " participants");
        }
        if (new HashSet<>(names).size() != names.size() || names.stream().anyMatch(n -> n == null || n.isBlank())) {
            throw new IllegalArgumentException("participant names: each must be given once and not be blank");
        }
        String settings = mergeSettings(experiment.defaultSettings(), spec.settings());
        String id = RandomIds.id(8);
        String name = spec.name() == null || spec.name().isBlank()
                ? experiment.name() + "-"
                        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")) + "-"
                        + id.substring(0, 4)
                : spec.name().strip();
        Session session = tx.run(c -> {
            if (exists(c, "SELECT 1 FROM cohort.session WHERE name = ?", name)) {
                throw new IllegalArgumentException("name: a session called '" + name + "' exists already");
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO cohort.session (id, name, experiment, code_version, size,"
                            + " simulate, settings, created_by) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING "
                            + COLUMNS)) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, experiment.name());
                ps.setString(4, experiment.version());
                ps.setInt(5, spec.participants());
                ps.setBoolean(6, spec.simulate());
                ps.setString(7, settings);
                ps.setString(8, spec.createdBy());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Session s = read(rs);
                    hooks.apply(experiment.name()).ifPresent(h -> h.newSession(s, data));
                    for (int i = 0; i < spec.participants(); i++) {
                        participants.insert(
                                c,
                                s,
                                experiment,
                                names.isEmpty() ? "P" + (i + 1) : names.get(i).strip(),
                                "g" + (i / Math.max(1, experiment.groupSize()) + 1),
                                null,
                                null,
                                spec.createdBy());
                    }
                    return s;
                }
            }
        });
        live.sessionChanged(session.id());
        return session;
    }

    /** The experiment's defaults with the admin's values on top (one level deep). */
    static String mergeSettings(String defaults, String given) {
        ObjectNode merged =
                parseObject(defaults == null || defaults.isBlank() ? "{}" : defaults, "experiment settings");
        if (given != null && !given.isBlank()) {
            merged.setAll(parseObject(given, "settings"));
        }
        return merged.toString();
    }

    static ObjectNode parseObject(String text, String what) {
        JsonNode node;
        try {
            node = FieldStore.JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(what + ": not JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException(what + ": must be a JSON object like {\"rounds\": 3}");
        }
        return object;
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static Session read(ResultSet rs) throws SQLException {
        return read(rs, "");
    }

    /** A session from the columns of {@link #columns(String)}: each named {@code prefix} + its column's name. */
    static Session read(ResultSet rs, String prefix) throws SQLException {
        return new Session(
                rs.getString(prefix + "id"),
                rs.getString(prefix + "name"),
                rs.getString(prefix + "experiment"),
                rs.getString(prefix + "code_version"),
                rs.getInt(prefix + "size"),
                rs.getBoolean(prefix + "active"),
                rs.getBoolean(prefix + "testing"),
                rs.getBoolean(prefix + "simulate"),
                rs.getString(prefix + "description"),
                rs.getString(prefix + "settings"),
                rs.getTimestamp(prefix + "created_at").toInstant());
    }

    /**
     * The columns {@link #read(ResultSet, String)} reads; of the table aliased {@code alias} (each column named
     * {@code alias_column}, so it can sit beside another table's columns), or of the bare table when null.
     */
    static String columns(String alias) {
        return String.join(
                ", ",
                NAMES.stream()
                        .map(name -> {
                            String column = (alias == null ? "" : alias + ".")
                                    + name
                                    + (name.equals("settings") ? "::text" : "");
                            return alias == null
                                    ? (name.equals("settings") ? column + " AS settings" : column)
                                    : column + " AS " + alias + "_" + name;
                        })
                        .toList());
    }

    @Override
    public Optional<Session> find(String id) {
        return tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM cohort.session WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<Session> list() {
        return tx.run(c -> {
            List<Session> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT " + COLUMNS + " FROM cohort.session ORDER BY created_at DESC, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        });
    }

    @Override
    public void setActive(String id, boolean active, String by) {
        update(id, "active = ?", active);
    }

    @Override
    public void setTesting(String id, boolean testing, String by) {
        update(id, "testing = ?", testing);
    }

    @Override
    public void setDescription(String id, String description, String by) {
        if (description != null && description.length() > 10_000) {
            throw new IllegalArgumentException("description: longer than 10,000 characters");
        }
        update(id, "description = ?", description == null ? "" : description);
    }

    @Override
    public void setSettings(String id, String settings, String by) {
        update(id, "settings = ?::jsonb", parseObject(settings, "settings").toString());
    }

    private void update(String id, String assignment, Object value) {
        int n = tx.run(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE cohort.session SET " + assignment + " WHERE id = ?")) {
                ps.setObject(1, value);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) {
            throw new IllegalArgumentException("session: there is no session '" + id + "'");
        }
        live.sessionChanged(id);
    }

    /** Re-runs the experiment's {@code new_session} hook (an admin's action). */
    public void rerunNewSession(String id) {
        Session s =
                find(id).orElseThrow(() -> new IllegalArgumentException("session: there is no session '" + id + "'"));
        tx.run(c -> {
            hooks.apply(s.experiment()).ifPresent(h -> h.newSession(s, data));
            return null;
        });
        live.sessionChanged(id);
    }
}
