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
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.experiment.SessionSettings;
import java.sql.PreparedStatement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** {@link Sessions} over {@code cohort.session}. */
@Singleton
public final class SessionStore implements Sessions {

    static final int MAX_PARTICIPANTS = 10_000;

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
        ObjectNode given =
                spec.settings() == null || spec.settings().isBlank() ? null : parseObject(spec.settings(), "settings");
        if (given != null) {
            SessionSettings.check(experiment, given);
        }
        int group = Math.max(1, experiment.groupSize());
        boolean incompleteAllowed =
                given != null && given.path(SessionSettings.INCOMPLETE_GROUPS).asBoolean(false);
        if (spec.participants() % group != 0 && !incompleteAllowed) {
            int fewer = spec.participants() / group * group;
            throw new IllegalArgumentException("participants: " + experiment.name() + " is played in groups of " + group
                    + ", so " + spec.participants() + " participants would leave " + (spec.participants() - fewer)
                    + " without a group; use " + (fewer == 0 ? "" : fewer + " or ") + (fewer + group)
                    + " (or 0 for a session crowd workers fill as they arrive), or set \""
                    + SessionSettings.INCOMPLETE_GROUPS + "\": true to leave them in a smaller group");
        }
        String settings = mergeSettings(experiment.defaultSettings(), spec.settings());
        String id = RandomIds.id(8);
        String name = spec.name() == null || spec.name().isBlank()
                ? experiment.name() + "-"
                        + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")) + "-"
                        + id.substring(0, 4)
                : spec.name().strip();
        Session session = tx.run(c -> {
            if (tx.mapper(SessionMapper.class, m -> m.named(name)) > 0) {
                throw new IllegalArgumentException("name: a session called '" + name + "' exists already");
            }
            Session s = tx.mapper(
                    SessionMapper.class,
                    m -> m.insert(
                            id,
                            name,
                            experiment.name(),
                            experiment.version(),
                            spec.participants(),
                            spec.simulate(),
                            settings,
                            spec.createdBy()));
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

    @Override
    public Optional<Session> find(String id) {
        return tx.mapper(SessionMapper.class, m -> m.find(id)).stream().findFirst();
    }

    @Override
    public List<Session> list() {
        return tx.mapper(SessionMapper.class, SessionMapper::all);
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
        ObjectNode given = parseObject(settings, "settings");
        find(id).flatMap(s -> experiments.find(s.experiment())).ifPresent(e -> SessionSettings.check(e, given));
        update(id, "settings = ?::jsonb", given.toString());
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
