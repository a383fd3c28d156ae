package io.cohort.platform.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * How participants move through an experiment's pages: arriving (start, condition, resume), submitting a page,
 * being moved by an admin, waiting for their group, leaving. Each move is one transaction: page index, page
 * visits, status and the field rows that record them commit together.
 */
@Singleton
public final class ParticipantMoves implements AutoCloseable {

    /** A wait page stops waiting for a member offline this long, unless the session's settings say otherwise. */
    static final int DEFAULT_WAIT_TIMEOUT_SECONDS = 120;

    static final Set<ParticipantStatus> GONE = Set.of(ParticipantStatus.DROPOUT, ParticipantStatus.QUIT_EARLY);
    /** Who reaching the end has completed; a dropout moved to the end stays a dropout. */
    static final Set<ParticipantStatus> UNFINISHED =
            Set.of(ParticipantStatus.ALLOCATED, ParticipantStatus.STARTED, ParticipantStatus.QUIT_EARLY);

    private final Transactions tx;
    private final Experiments experiments;
    private final Function<String, Optional<ExperimentHooks>> hooks;
    private final SessionStore sessions;
    private final FieldStore data;
    private final LiveFeed live;
    private final ConditionAssignment conditions;
    private final SubmitBatches batches;
    private final ParticipantErrors errors;

    @Inject
    public ParticipantMoves(
            Transactions tx,
            RegisteredServices services,
            ExperimentCatalog catalog,
            SessionStore sessions,
            FieldStore data,
            LiveFeed live) {
        this(tx, services, catalog::hooks, sessions, data, live, new ConditionAssignment(services::policy));
    }

    public ParticipantMoves(
            Transactions tx,
            Experiments experiments,
            Function<String, Optional<ExperimentHooks>> hooks,
            SessionStore sessions,
            FieldStore data,
            LiveFeed live,
            ConditionAssignment conditions) {
        this.tx = tx;
        this.experiments = experiments;
        this.hooks = hooks;
        this.sessions = sessions;
        this.data = data;
        this.live = live;
        this.conditions = conditions;
        this.batches = new SubmitBatches(tx, live);
        this.errors = new ParticipantErrors(tx, live);
    }

    /** Who, in what session and experiment: what every move needs. */
    public record Context(Session session, Experiment experiment, Participant participant) {}

    /** The participant (row locked until the transaction ends), their session and experiment: one query. */
    private Context context(Connection c, String participantId) {
        lockGroupOf(c, participantId);
        Context found = tx.mapper(ParticipantMapper.class, m -> m.locked(participantId)).stream()
                .findFirst()
                .map(this::context)
                .orElseThrow(() ->
                        new IllegalArgumentException("participant: there is no participant '" + participantId + "'"));
        if (found.experiment() == null) {
            throw new IllegalStateException("experiment '" + found.session().experiment() + "' is not installed");
        }
        return found;
    }

    private Context context(ParticipantMapper.Found found) {
        return new Context(
                found.session(), experiments.find(found.session().experiment()).orElse(null), found.participant());
    }

    /**
     * The participant whose URL carries {@code token} in session {@code sessionId}, with their session and
     * experiment (null when it is not installed), in one query; empty for any mismatch.
     */
    public Optional<Context> byToken(String sessionId, String token) {
        if (sessionId == null || token == null) {
            return Optional.empty();
        }
        return tx.mapper(ParticipantMapper.class, m -> m.byToken(sessionId, token)).stream()
                .findFirst()
                .map(this::context);
    }

    /**
     * A page load. The first one starts the participant (status STARTED, condition); one after a quit resumes them.
     * Opens a visit of the current page unless one is open. Returns the participant as they are now.
     */
    public Context arrive(String participantId) {
        return tx.run(c -> {
            Context ctx = context(c, participantId);
            Participant p = ctx.participant();
            String by = "page:" + pageName(ctx.experiment(), p.pageIndex());
            if (p.status() == ParticipantStatus.ALLOCATED) {
                String condition =
                        conditions.assign(c, ctx.experiment(), p, setting(ctx.session(), "condition_policy"));
                ParticipantStore.updateRow(
                        c, p.id(), "status = 'STARTED', started_at = now(), condition = ?", condition);
                data.setAll(
                        p.id(),
                        condition == null
                                ? Map.of("status", ParticipantStore.quoted("STARTED"))
                                : Map.of(
                                        "status",
                                        ParticipantStore.quoted("STARTED"),
                                        "condition",
                                        ParticipantStore.quoted(condition)),
                        by);
            } else if (p.status() == ParticipantStatus.QUIT_EARLY) {
                ParticipantStore.updateRow(c, p.id(), "status = ?", ParticipantStatus.STARTED.name());
                data.setAll(p.id(), Map.of("status", ParticipantStore.quoted("STARTED")), by + " (returned)");
            }
            openVisit(c, p.id(), p.pageIndex(), ctx.experiment());
            live.changed(p.id());
            List<Page> pages = ctx.experiment().pages();
            if (p.pageIndex() < pages.size() && pages.get(p.pageIndex()).kind() == PageKind.WAIT) {
                arriveAtWait(c, context(c, participantId), p.pageIndex());
            }
            return context(c, participantId);
        });
    }

    /**
     * A page's answers, already checked. Returns false and changes nothing when the participant is no longer on
     * {@code pageIndex} (a second click, an old tab).
     */
    public boolean submit(String participantId, int pageIndex, Map<String, String> values) {
        return tx.run(c -> {
            Context ctx = context(c, participantId);
            if (ctx.participant().pageIndex() != pageIndex
                    || pageIndex >= ctx.experiment().pages().size()) {
                return false;
            }
            String page = ctx.experiment().pages().get(pageIndex).name();
            if (!values.isEmpty()) {
                data.setAll(participantId, values, "page:" + page);
            }
            moveTo(c, ctx, pageIndex + 1, "page:" + page);
            return true;
        });
    }

    /** Session id → experiment name; a session's experiment never changes, so this is kept for good. */
    private final Map<String, String> experimentOfSession = new java.util.concurrent.ConcurrentHashMap<>();

    /** The experiment a session runs, if the session exists and the experiment is installed. */
    public Optional<Experiment> experimentOf(String sessionId) {
        String name = experimentOfSession.get(sessionId);
        if (name == null) {
            name = tx.run(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT experiment FROM cohort.session WHERE id = ?")) {
                    ps.setString(1, sessionId);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString("experiment") : null;
                    }
                }
            });
            if (name == null) {
                return Optional.empty();
            }
            experimentOfSession.put(sessionId, name);
        }
        return experiments.find(name);
    }

    /**
     * A form page's checked answers by the participant's URL, stored with the submits that arrive at the same time
     * in one statement ({@link SubmitBatches}): the answers, the next page's visit, the move — only if the token
     * belongs to an active session's participant who is on {@code pageIndex} and the next page is an ordinary one.
     * Returns false having changed nothing otherwise; {@link #submit(String, int, Map)} then decides.
     */
    public boolean submitDirect(
            String sessionId, String token, Experiment e, int pageIndex, Map<String, String> values) {
        List<Page> pages = e.pages();
        int next = pageIndex + 1;
        if (pageIndex < 0 || next >= pages.size() || pages.get(next).kind() == PageKind.WAIT || finishes(e, next)) {
            return false;
        }
        values.forEach(FieldStore::check);
        try {
            return batches.submit(new SubmitBatches.Submit(
                            sessionId,
                            token,
                            e.name(),
                            pageIndex,
                            pages.get(pageIndex).name(),
                            pages.get(next).name(),
                            values,
                            new java.util.concurrent.CompletableFuture<>()))
                    != null;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the submit writers; submits still waiting take the general path. */
    @Override
    public void close() {
        batches.close();
    }

    /** An admin's move: {@code delta} pages forward or back, or to the end; the participant's page reloads. */
    public void move(String participantId, Move move, String by) {
        tx.run(c -> {
            Context ctx = context(c, participantId);
            int pages = ctx.experiment().pages().size();
            int target = switch (move) {
                case ADVANCE -> Math.min(pages, ctx.participant().pageIndex() + 1);
                case REVERT -> Math.max(0, ctx.participant().pageIndex() - 1);
                case END -> pages;
            };
            moveTo(c, ctx, target, by);
            live.command(participantId, "reload", Map.of());
            return null;
        });
    }

    public enum Move {
        ADVANCE,
        REVERT,
        END
    }

    /** Moves to page {@code index} (past the last page: completed), closing and opening page visits. */
    private void moveTo(Connection c, Context ctx, int index, String by) throws SQLException {
        Participant p = ctx.participant();
        if (index == p.pageIndex()) {
            return;
        }
        List<Page> pages = ctx.experiment().pages();
        boolean completes = finishes(ctx.experiment(), index) && UNFINISHED.contains(p.status());
        // The next page's visit starts (it ends the previous one); past the last page, the last visit ends here.
        if (index < pages.size()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cohort.page_visit (participant_id, page_index, page)" + " VALUES (?, ?, ?)")) {
                ps.setString(1, p.id());
                ps.setInt(2, index);
                ps.setString(3, pages.get(index).name());
                ps.executeUpdate();
            }
        } else {
            closeVisit(c, p.id());
        }
        ParticipantStore.updateRow(
                c, p.id(), "page_index = ?" + (completes ? ", status = 'COMPLETED', completed_at = now()" : ""), index);
        if (completes) {
            data.setAll(p.id(), Map.of("status", ParticipantStore.quoted("COMPLETED")), by);
        }
        live.changed(p.id());
        if (index < pages.size() && pages.get(index).kind() == PageKind.WAIT) {
            Participant moved = tx.mapper(ParticipantMapper.class, m -> m.participant(p.id()))
                    .get(0);
            arriveAtWait(c, new Context(ctx.session(), ctx.experiment(), moved), index);
        }
    }

    /**
     * Whether reaching page {@code index} finishes the study: past the last page (the host's end page), or the
     * experiment's own end page — a last page that asks nothing (a form page without fields, "The game is over").
     * A participant who closes the tab there has finished; no further click is needed.
     */
    public static boolean finishes(Experiment e, int index) {
        List<Page> pages = e.pages();
        return index >= pages.size() || isEndPage(e, index);
    }

    /** The experiment's own end page: its last page, a form page that asks nothing. */
    public static boolean isEndPage(Experiment e, int index) {
        List<Page> pages = e.pages();
        return index == pages.size() - 1
                && pages.get(index).kind() == PageKind.FORM
                && (pages.get(index).fields() == null
                        || pages.get(index).fields().isEmpty());
    }

    private static String pageName(Experiment e, int index) {
        return index < e.pages().size() ? e.pages().get(index).name() : "end";
    }

    private static void openVisit(Connection c, String participantId, int index, Experiment e) throws SQLException {
        if (index >= e.pages().size()) {
            return;
        }
        // Unless the latest visit is this page's and still going (a reload).
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO cohort.page_visit (participant_id, page_index, page)"
                        + " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM (SELECT page_index, left_at FROM cohort.page_visit"
                        + " WHERE participant_id = ? ORDER BY id DESC LIMIT 1) latest WHERE latest.page_index = ? AND latest.left_at IS NULL)")) {
            ps.setString(1, participantId);
            ps.setInt(2, index);
            ps.setString(3, e.pages().get(index).name());
            ps.setString(4, participantId);
            ps.setInt(5, index);
            ps.executeUpdate();
        }
    }

    private static void closeVisit(Connection c, String participantId) throws SQLException {
        // Only the latest: the earlier ones ended when the next began.
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.page_visit SET left_at = clock_timestamp()"
                + " WHERE id = (SELECT max(id) FROM cohort.page_visit WHERE participant_id = ?) AND left_at IS NULL")) {
            ps.setString(1, participantId);
            ps.executeUpdate();
        }
    }

    /**
     * The participant's page was closed ({@code navigator.sendBeacon}): the visit ends there, and one who had not
     * finished is QUIT_EARLY until they come back.
     */
    public void quit(String participantId) {
        quit(participantId, -1);
    }

    /**
     * A page's quit beacon, from the rendering numbered {@code load} ({@link #rendering}); -1 when unnumbered. A
     * beacon from a rendering older than the participant's latest, on whichever node it was made, is ignored: the
     * browser sends it after the next page (a reload, a submit) has loaded. Returns whether it counted.
     */
    public boolean quit(String participantId, long load) {
        return tx.run(c -> {
            if (load >= 0) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT last_load FROM cohort.participant WHERE id = ? FOR UPDATE")) {
                    ps.setString(1, participantId);
                    try (java.sql.ResultSet rs = ps.executeQuery()) {
                        long latest = rs.next() ? rs.getLong(1) : 0;
                        if (load < latest) {
                            return false;
                        }
                    }
                }
            }
            Context ctx = context(c, participantId);
            closeVisit(c, participantId);
            if (ctx.participant().status() == ParticipantStatus.STARTED) {
                ParticipantStore.updateRow(c, participantId, "status = ?", ParticipantStatus.QUIT_EARLY.name());
                data.setAll(
                        participantId,
                        Map.of("status", ParticipantStore.quoted("QUIT_EARLY")),
                        "page:" + pageName(ctx.experiment(), ctx.participant().pageIndex()));
            }
            live.changed(participantId);
            return true;
        });
    }

    /**
     * A new rendering of the participant's page: its number, from a sequence every node shares, becomes the
     * participant's latest (see {@link #quit(String, long)}).
     */
    public long rendering(String participantId) {
        return tx.run(c -> number(c, participantId));
    }

    /** A page load ({@link #arrive}) and the number of the rendering it leads to, in one transaction (one commit). */
    public Rendering arriveToRender(String participantId) {
        return tx.run(c -> {
            Context at = arrive(participantId); // joins this transaction
            return new Rendering(at, number(c, participantId));
        });
    }

    public record Rendering(Context at, long load) {}

    private static long number(Connection c, String participantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.participant SET last_load ="
                + " nextval('cohort.page_load') WHERE id = ? RETURNING last_load")) {
            ps.setString(1, participantId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    /** Presence from the participant page's socket. */
    public void setOnline(String participantId, boolean online) {
        tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cohort.participant SET online = ?, last_seen = now()" + " WHERE id = ?")) {
                ps.setBoolean(1, online);
                ps.setString(2, participantId);
                ps.executeUpdate();
            }
            live.changed(participantId);
            return null;
        });
    }

    /** Puts participants in a group (null: each alone). */
    public void setGroup(List<String> participantIds, String group, String by) {
        tx.run(c -> {
            for (String id : participantIds) {
                Context ctx = context(c, id);
                String own = group == null ? "solo-" + id : group;
                ParticipantStore.updateRow(c, id, "group_name = ?", own);
                data.setAll(id, Map.of("group", ParticipantStore.quoted(own)), by);
                live.changed(ctx.participant().id());
            }
            return null;
        });
    }

    // ---- wait pages

    private static String setting(Session s, String key) {
        try {
            JsonNode node = FieldStore.JSON.readTree(s.settings()).get(key);
            return node == null || node.isNull() ? null : node.asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    static int waitTimeout(Session s) {
        String v = setting(s, "wait_timeout_seconds");
        try {
            return v == null ? DEFAULT_WAIT_TIMEOUT_SECONDS : Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return DEFAULT_WAIT_TIMEOUT_SECONDS;
        }
    }

    private static void lockGroup(Connection c, String sessionId, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "group/" + sessionId + "/" + group);
            ps.execute();
        }
    }

    /**
     * The group's lock before the participant's row: a member arriving at a wait page holds its row and then takes
     * the group's lock to let the others through, updating their rows. Taken in the other order, two members
     * arriving at once each held their own row and waited for the other's: a deadlock (seen with bots).
     */
    private static void lockGroupOf(Connection c, String participantId) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('group/' || session_id"
                + " || '/' || group_name)) FROM cohort.participant WHERE id = ? AND group_name IS NOT NULL")) {
            ps.setString(1, participantId);
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("participant " + participantId + ": cannot lock their group", e);
        }
    }

    private void arriveAtWait(Connection c, Context ctx, int index) throws SQLException {
        Participant p = ctx.participant();
        lockGroup(c, p.sessionId(), p.group());
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO cohort.wait_arrival (session_id, group_name, page_index,"
                        + " participant_id) VALUES (?, ?, ?, ?) ON CONFLICT (page_index, participant_id) DO UPDATE"
                        + " SET session_id = EXCLUDED.session_id, group_name = EXCLUDED.group_name,"
                        // A reload on the wait page keeps its arrival time, or the others' timeout would never run out.
                        + " arrived_at = CASE WHEN wait_arrival.released_at IS NULL THEN wait_arrival.arrived_at"
                        + "   ELSE clock_timestamp() END, released_at = NULL")) {
            ps.setString(1, p.sessionId());
            ps.setString(2, p.group());
            ps.setInt(3, index);
            ps.setString(4, p.id());
            ps.executeUpdate();
        }
        releaseIfComplete(c, ctx.session(), ctx.experiment(), p.group(), index, false);
    }

    /**
     * Lets the group on wait page {@code index} move on when every present member has arrived there or is past it.
     * A member is absent when gone (dropout, quit) or offline for the session's wait timeout while the group has
     * waited that long — so a closed laptop does not hold the others forever.
     */
    private void releaseIfComplete(
            Connection c, Session session, Experiment experiment, String group, int index, boolean timedOut)
            throws SQLException {
        int timeout = waitTimeout(session);
        List<String> arrived = new ArrayList<>();
        boolean blocked = false;
        boolean withoutFailed = false;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT p.id, p.page_index, p.status, w.participant_id IS NOT NULL AS arrived,"
                        + " p.online OR coalesce(p.last_seen, '-infinity') > now() - make_interval(secs => ?) AS seen,"
                        + " (SELECT min(arrived_at) FROM cohort.wait_arrival x WHERE x.session_id = p.session_id"
                        + "   AND x.group_name = p.group_name AND x.page_index = ? AND x.released_at IS NULL)"
                        + "   < now() - make_interval(secs => ?) AS waited_long,"
                        // Met an error since the group began waiting here (ParticipantErrors): gone, after the timeout.
                        + " EXISTS (SELECT 1 FROM cohort.participant_error e WHERE e.participant_id = p.id AND e.at >="
                        + "   (SELECT min(arrived_at) FROM cohort.wait_arrival x WHERE x.session_id = p.session_id"
                        + "   AND x.group_name = p.group_name AND x.page_index = ? AND x.released_at IS NULL)) AS failed"
                        + " FROM cohort.participant p LEFT JOIN cohort.wait_arrival w ON w.participant_id = p.id"
                        + "   AND w.page_index = ? AND w.released_at IS NULL"
                        + " WHERE p.session_id = ? AND p.group_name = ?")) {
            ps.setInt(1, timeout);
            ps.setInt(2, index);
            ps.setInt(3, timeout);
            ps.setInt(4, index);
            ps.setInt(5, index);
            ps.setString(6, session.id());
            ps.setString(7, group);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean isArrived = rs.getBoolean("arrived");
                    boolean past = rs.getInt("page_index") > index;
                    boolean gone = GONE.contains(ParticipantStatus.valueOf(rs.getString("status")));
                    boolean recentlySeen = rs.getBoolean("seen");
                    boolean waitedLong = rs.getBoolean("waited_long");
                    boolean failed = rs.getBoolean("failed") && waitedLong;
                    if (isArrived) {
                        arrived.add(rs.getString("id"));
                    } else if (failed && !past && !gone) {
                        withoutFailed = true;
                    } else if (!past && !gone && (recentlySeen || !waitedLong)) {
                        blocked = true;
                    }
                }
            }
        }
        if (blocked || arrived.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.wait_arrival SET released_at = clock_timestamp()"
                + " WHERE session_id = ? AND group_name = ? AND page_index = ? AND released_at IS NULL")) {
            ps.setString(1, session.id());
            ps.setString(2, group);
            ps.setInt(3, index);
            ps.executeUpdate();
        }
        List<Participant> members = new ArrayList<>();
        for (String id : arrived) {
            members.add(
                    tx.mapper(ParticipantMapper.class, m -> m.participant(id)).get(0));
        }
        String page = experiment.pages().get(index).name();
        String notice = withoutFailed ? PARTNER_FAILED : null;
        Optional<ExperimentHooks> hook = hooks.apply(experiment.name());
        if (hook.isPresent()) {
            Savepoint before = c.setSavepoint();
            try {
                hook.get().groupArrived(session, page, List.copyOf(members), data);
            } catch (RuntimeException e) {
                if (!timedOut) {
                    // The arriving participant's request fails whole: they see the calm page, the error is kept.
                    throw e;
                }
                // Nobody's request to fail: the hook's writes are undone, the error kept, the group goes on.
                c.rollback(before);
                for (String id : arrived) {
                    tx.afterCommit(() -> errors.record(id, page, e));
                }
                notice = HOOK_FAILED;
            }
        }
        for (String id : arrived) {
            Participant fresh =
                    tx.mapper(ParticipantMapper.class, m -> m.participant(id)).get(0);
            if (fresh.pageIndex() == index) {
                moveTo(c, new Context(session, experiment, fresh), index + 1, "page:" + page);
                live.command(id, "advance", notice == null ? Map.of() : Map.of("notice", notice));
            }
        }
    }

    /** Told to a participant whose wait ended without a member who met an error. */
    static final String PARTNER_FAILED = "Another participant in your group ran into a problem, so you go on without"
            + " them. The experimenter has been told.";

    /** Told to a group let go after the experiment's code failed at their wait page. */
    static final String HOOK_FAILED =
            "Something went wrong while this step was worked out; the experimenter has been" + " told. You can go on.";

    /** Re-checks every group still waiting (members may have timed out). Returns how many groups moved on. */
    public int releaseTimedOut() {
        List<String[]> waiting = tx.run(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT session_id, group_name, page_index"
                            + " FROM cohort.wait_arrival WHERE released_at IS NULL");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {
                        rs.getString("session_id"),
                        rs.getString("group_name"),
                        Integer.toString(rs.getInt("page_index"))
                    });
                }
            }
            return out;
        });
        int released = 0;
        for (String[] w : waiting) {
            released += tx.run(c -> {
                lockGroup(c, w[0], w[1]);
                Session s = sessions.find(w[0]).orElseThrow();
                Optional<Experiment> e = experiments.find(s.experiment());
                if (e.isEmpty()) {
                    return 0;
                }
                int index = Integer.parseInt(w[2]);
                releaseIfComplete(c, s, e.get(), w[1], index, true);
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) AS n FROM cohort.wait_arrival"
                        + " WHERE session_id = ? AND group_name = ? AND page_index = ? AND released_at IS NULL")) {
                    ps.setString(1, w[0]);
                    ps.setString(2, w[1]);
                    ps.setInt(3, index);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getInt("n") == 0 ? 1 : 0;
                    }
                }
            });
        }
        return released;
    }
}
