package io.cohort.platform.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.Field;
import io.cohort.api.experiment.FieldType;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Session;
import io.cohort.platform.Config;
import io.cohort.platform.db.Database;
import io.cohort.platform.db.Transactions;
import io.cohort.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stores and moves on a real, migrated database. */
class ParticipantMovesTest {

    @TempDir
    static Path home;

    static Database database;
    static SessionStore sessions;
    static ParticipantStore participants;
    static FieldStore data;
    static ParticipantMoves moves;
    static LiveFeed live;
    static final List<String> published = new CopyOnWriteArrayList<>();
    static final List<String> arrivedGroups = new CopyOnWriteArrayList<>();

    static final Experiment THREE_WAY = new Experiment(
            "three-way",
            "Three conditions",
            "1.0",
            // c asks something, so b is an ordinary page (a last page that asks nothing is the end page).
            List.of(
                    new Page("a", PageKind.FORM, "a.peb", List.of()),
                    new Page("b", PageKind.FORM, "b.peb", List.of()),
                    new Page(
                            "c",
                            PageKind.FORM,
                            "c.peb",
                            List.of(new Field("x", FieldType.TEXT, "x", false, null, null, List.of())))),
            List.of(new Condition("red", 1), new Condition("green", 1), new Condition("blue", 1)),
            1,
            "{\"rounds\": 2}",
            "",
            "");
    static final Experiment PAIRS = new Experiment(
            "pairs",
            "Pairs",
            "2.0",
            List.of(
                    new Page("decide", PageKind.FORM, "d.peb", List.of()),
                    new Page("wait", PageKind.WAIT, null, List.of()),
                    new Page("result", PageKind.FORM, "r.peb", List.of())),
            List.of(),
            2,
            "{}",
            "",
            "");

    /** A question, then a last page that asks nothing: the experiment's own end page. */
    static final Experiment SHORT = new Experiment(
            "short",
            "Short",
            "1.0",
            List.of(
                    new Page(
                            "q",
                            PageKind.FORM,
                            "q.peb",
                            List.of(new Field("age", FieldType.INT, "Age", true, null, null, List.of()))),
                    new Page("thanks", PageKind.FORM, "thanks.peb", List.of())),
            List.of(),
            1,
            "{}",
            "",
            "");

    /** Set by a test: the pairs' groupArrived hook throws, as a lab's code with a bug would. */
    static final java.util.concurrent.atomic.AtomicBoolean hookFails = new java.util.concurrent.atomic.AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(
                Config.load(home, home, Map.of("COHORT_DB_URL", TestDatabase.create(), "COHORT_DB_POOL_SIZE", "20")));
        database.migrate();
        Experiments experiments = new Experiments() {
            @Override
            public List<Experiment> list() {
                return List.of(THREE_WAY, PAIRS, SHORT);
            }

            @Override
            public Optional<Experiment> find(String name) {
                return list().stream().filter(e -> e.name().equals(name)).findFirst();
            }
        };
        ExperimentHooks pairHooks = new ExperimentHooks() {
            @Override
            public void groupArrived(
                    Session session, String page, List<Participant> group, io.cohort.api.data.ParticipantData d) {
                arrivedGroups.add(page + ":" + group.size());
                group.forEach(p ->
                        d.set(p.id(), "partner_seen", Integer.toString(group.size() - 1), "PairsHooks.groupArrived"));
                if (hookFails.get()) {
                    throw new IllegalStateException("the payoff table has no entry for this pair");
                }
                group.forEach(p ->
                        d.set(p.id(), "partner_seen", Integer.toString(group.size() - 1), "PairsHooks.groupArrived"));
            }
        };
        Transactions tx = new Transactions(database.dataSource());
        live = LiveFeed.over((topic, payload) -> published.add(topic + " " + payload), tx);
        data = new FieldStore(tx, live);
        java.util.function.Function<String, Optional<ExperimentHooks>> hooks =
                name -> name.equals("pairs") ? Optional.of(pairHooks) : Optional.empty();
        participants = new ParticipantStore(tx, experiments, hooks, data, live);
        sessions = new SessionStore(tx, experiments, hooks, participants, data, live);
        moves = new ParticipantMoves(
                tx, experiments, hooks, sessions, data, live, new ConditionAssignment(n -> Optional.empty()));
    }

    @AfterAll
    static void stop() {
        moves.close();
        live.close();
        database.close();
    }

    @Test
    void conditionsStayBalancedUnder200ConcurrentArrivals() throws Exception {
        Session s = sessions.create(new NewSession("three-way", 200, null, null, List.of(), false, "test"));
        List<Participant> all = participants.ofSession(s.id());
        assertEquals(200, all.size());
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (Participant p : all) {
            done.add(pool.submit(() -> {
                go.await();
                return moves.arrive(p.id());
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        Map<String, Integer> counts = new TreeMap<>();
        participants.ofSession(s.id()).forEach(p -> counts.merge(p.condition(), 1, Integer::sum));
        assertEquals(List.of("blue", "green", "red"), List.copyOf(counts.keySet()));
        int max = counts.values().stream().max(Integer::compare).orElseThrow();
        int min = counts.values().stream().min(Integer::compare).orElseThrow();
        assertTrue(max - min <= 1, "unbalanced: " + counts);
        assertTrue(participants.ofSession(s.id()).stream().allMatch(p -> p.status() == ParticipantStatus.STARTED));
    }

    @Test
    void aSubmitMovesOnceAndRecordsFieldsVisitsAndCompletion() {
        Session s = sessions.create(
                new NewSession("three-way", 1, "{\"rounds\": 5}", "submit-test", List.of("ann"), false, "test"));
        assertEquals("{\"rounds\": 5}".replace(" ", ""), s.settings().replace(" ", ""));
        Participant p = participants.ofSession(s.id()).get(0);
        assertEquals("ann", p.name());
        moves.arrive(p.id());
        assertTrue(moves.submit(p.id(), 0, Map.of("age", "41", "word", "\"caf\\u00e9\"")));
        assertFalse(moves.submit(p.id(), 0, Map.of("age", "99")), "a second click on the same page changes nothing");
        assertEquals("41", data.current(p.id()).get("age"));
        assertEquals(1, data.history(p.id(), "age").size());
        assertEquals("page:a", data.history(p.id(), "age").get(0).setBy());
        assertTrue(moves.submit(p.id(), 1, Map.of()));
        assertTrue(moves.submit(p.id(), 2, Map.of("x", "\"y\"")));
        Participant done = participants.find(p.id()).orElseThrow();
        assertEquals(ParticipantStatus.COMPLETED, done.status());
        assertEquals(3, done.pageIndex());
        assertEquals(
                List.of("a", "b", "c"),
                data.visits(p.id()).stream().map(v -> v.page()).toList());
        assertTrue(data.visits(p.id()).stream().allMatch(v -> v.leftAt() != null));
        assertEquals(
                List.of("\"ALLOCATED\"", "\"STARTED\"", "\"COMPLETED\""),
                data.history(p.id(), "status").stream().map(v -> v.value()).toList());
        live.announce();
        assertTrue(
                published.stream()
                        .anyMatch(e -> e.startsWith("participant/changed {\"participants\":[")
                                && e.contains("\"" + p.id() + "\"")),
                published.toString());
    }

    @Test
    void badSessionInputNamesTheFieldAndCreatesNothing() throws Exception {
        int before = count("SELECT count(*) FROM cohort.session");
        assertEquals(
                "experiment: there is no experiment 'nope'",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> sessions.create(new NewSession("nope", 2, null, null, List.of(), false, "t")))
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> sessions.create(new NewSession("three-way", 2, "{\"a\": ", null, List.of(), false, "t")))
                .getMessage()
                .startsWith("settings: not JSON"));
        assertEquals(
                "settings: must be a JSON object like {\"rounds\": 3}",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> sessions.create(
                                        new NewSession("three-way", 2, "[1]", null, List.of(), false, "t")))
                        .getMessage());
        assertEquals(
                "participant names: 1 names for 2 participants",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> sessions.create(
                                        new NewSession("three-way", 2, null, null, List.of("x"), false, "t")))
                        .getMessage());
        assertEquals(before, count("SELECT count(*) FROM cohort.session"));
    }

    @Test
    void aWaitPageHoldsTheGroupUntilBothArriveAndHooksWriteInTheSameTransaction() {
        Session s = sessions.create(new NewSession("pairs", 2, null, "pairs-wait", List.of(), false, "test"));
        List<Participant> ps = participants.ofSession(s.id());
        assertEquals(ps.get(0).group(), ps.get(1).group());
        ps.forEach(p -> moves.arrive(p.id()));
        moves.setOnline(ps.get(1).id(), true);
        moves.submit(ps.get(0).id(), 0, Map.of("choice", "\"C\""));
        assertEquals(1, participants.find(ps.get(0).id()).orElseThrow().pageIndex(), "first one waits");
        moves.submit(ps.get(1).id(), 0, Map.of("choice", "\"D\""));
        assertEquals(2, participants.find(ps.get(0).id()).orElseThrow().pageIndex());
        assertEquals(2, participants.find(ps.get(1).id()).orElseThrow().pageIndex());
        assertEquals("1", data.current(ps.get(0).id()).get("partner_seen"));
        assertTrue(arrivedGroups.contains("wait:2"));
        assertTrue(published.stream()
                .anyMatch(e -> e.startsWith("participant/command")
                        && e.contains(ps.get(0).id())
                        && e.contains("\"advance\"")));
    }

    @Test
    void anErrorsLocationIsTheLabsCodeNotTheHosts() {
        IllegalStateException e = new IllegalStateException("no payoff");
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("com.fasterxml.jackson.databind.JsonNode", "get", "JsonNode.java", 10),
            new StackTraceElement("org.example.lab.Payoffs", "of", "Payoffs.java", 57),
            new StackTraceElement("io.cohort.platform.session.ParticipantMoves", "release", "ParticipantMoves.java", 9)
        });
        RuntimeException wrapped = new RuntimeException("wrapped", e);
        wrapped.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.cohort.platform.participant.ParticipantWeb", "submit", "ParticipantWeb.java", 3)
        });
        assertEquals("Payoffs.java:57 (org.example.lab.Payoffs.of)", ParticipantErrors.location(wrapped));
        assertEquals("IllegalStateException: no payoff", ParticipantErrors.message(wrapped));
    }

    @Test
    void reachingTheEndPageCompletesWithNoFurtherClick() {
        Session s = sessions.create(new NewSession("short", 1, null, "short-end", List.of(), false, "test"));
        Participant p = participants.ofSession(s.id()).get(0);
        moves.arrive(p.id());
        assertTrue(moves.submitDirect(s.id(), p.token(), SHORT, 0, Map.of("age", "30")) == false);
        assertTrue(moves.submit(p.id(), 0, Map.of("age", "30")));
        Participant there = participants.find(p.id()).orElseThrow();
        assertEquals(1, there.pageIndex(), "on the end page, not past it");
        assertEquals(ParticipantStatus.COMPLETED, there.status(), "the tab may close now: they have finished");
        moves.quit(p.id());
        assertEquals(
                ParticipantStatus.COMPLETED,
                participants.find(p.id()).orElseThrow().status(),
                "closing the tab on the end page is not quitting");
    }

    @Test
    void aHookThatFailsAtATimedOutReleaseIsUndoneRecordedAndTheGroupGoesOn() throws Exception {
        Session s = sessions.create(
                new NewSession("pairs", 2, "{\"wait_timeout_seconds\": 0}", "pairs-hook-fails", List.of(), false, "t"));
        List<Participant> ps = participants.ofSession(s.id());
        ps.forEach(p -> moves.arrive(p.id()));
        moves.setOnline(ps.get(1).id(), true);
        moves.submit(ps.get(0).id(), 0, Map.of("choice", "\"C\""));
        assertEquals(1, participants.find(ps.get(0).id()).orElseThrow().pageIndex(), "waits for the online partner");
        // The partner's submit runs the hook, which throws: their request fails whole and they stay where they were.
        hookFails.set(true);
        try {
            assertThrows(
                    IllegalStateException.class, () -> moves.submit(ps.get(1).id(), 0, Map.of("choice", "\"D\"")));
            assertEquals(0, participants.find(ps.get(1).id()).orElseThrow().pageIndex());
            new ParticipantErrors(new Transactions(database.dataSource()), live)
                    .record(ps.get(1).id(), "decide", new IllegalStateException("the payoff table has no entry"));
            // Still online, but failed: after the wait timeout the first one is let go, and the hook fails again.
            published.clear();
            assertEquals(1, moves.releaseTimedOut());
            live.announce();
        } finally {
            hookFails.set(false);
        }
        assertEquals(2, participants.find(ps.get(0).id()).orElseThrow().pageIndex(), "released");
        assertEquals(null, data.current(ps.get(0).id()).get("partner_seen"), "the failed hook's writes are undone");
        assertEquals(
                "wait|IllegalStateException: the payoff table has no entry for this pair",
                one(
                        "SELECT page || '|' || message FROM cohort.participant_error WHERE participant_id = ?"
                                + " ORDER BY id DESC LIMIT 1",
                        ps.get(0).id()));
        assertTrue(
                one(
                                "SELECT location FROM cohort.participant_error WHERE participant_id = ? ORDER BY id DESC LIMIT 1",
                                ps.get(0).id())
                        .matches(".+\\.java:\\d+ \\(.+\\)"),
                "a file, line and method");
        assertTrue(
                published.stream()
                        .anyMatch(e -> e.startsWith("participant/command")
                                && e.contains(ps.get(0).id())
                                && e.contains("the experimenter has been told")),
                "the released one is told why: " + published);
    }

    @Test
    void anOfflinePartnerDoesNotBlockTheWaitForever() throws Exception {
        Session s = sessions.create(
                new NewSession("pairs", 2, "{\"wait_timeout_seconds\": 1}", "pairs-timeout", List.of(), false, "test"));
        List<Participant> ps = participants.ofSession(s.id());
        moves.arrive(ps.get(0).id());
        moves.arrive(ps.get(1).id());
        moves.setOnline(ps.get(1).id(), false);
        moves.submit(ps.get(0).id(), 0, Map.of());
        assertEquals(
                0,
                moves.releaseTimedOut()
                        + participants.find(ps.get(0).id()).orElseThrow().pageIndex()
                        - 1,
                "still waiting right after arriving");
        Thread.sleep(1300);
        assertEquals(1, moves.releaseTimedOut());
        assertEquals(2, participants.find(ps.get(0).id()).orElseThrow().pageIndex());
        assertEquals(0, participants.find(ps.get(1).id()).orElseThrow().pageIndex());
        assertTrue(arrivedGroups.contains("wait:1"));
    }

    @Test
    void submitsArrivingTogetherAreStoredOnceEachEvenWhenTheSamePageIsSentTwice() throws Exception {
        Session s = sessions.create(new NewSession("three-way", 60, null, "together", List.of(), false, "test"));
        List<Participant> all = participants.ofSession(s.id());
        all.forEach(p -> moves.arrive(p.id()));
        ExecutorService pool = Executors.newFixedThreadPool(40);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (Participant p : all) {
            // every participant sends page 0 twice at once (a double click): exactly one may count
            for (int twice = 0; twice < 2; twice++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return moves.submitDirect(s.id(), p.token(), THREE_WAY, 0, Map.of("age", "30", "word", "\"w\""));
                }));
            }
        }
        go.countDown();
        int moved = 0;
        for (Future<Boolean> f : results) {
            moved += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(60, moved, "one submit per participant moved them");
        for (Participant p : participants.ofSession(s.id())) {
            assertEquals(1, p.pageIndex(), p.name());
            assertEquals(1, data.history(p.id(), "age").size(), p.name() + " stored once");
            assertEquals(
                    List.of("a", "b"),
                    data.visits(p.id()).stream().map(v -> v.page()).toList());
        }
        assertFalse(moves.submitDirect(s.id(), "not-a-token", THREE_WAY, 0, Map.of()), "an unknown token moves no one");
    }

    static int count(String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static String one(String sql, String parameter) throws Exception {
        try (Connection c = database.dataSource().getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
