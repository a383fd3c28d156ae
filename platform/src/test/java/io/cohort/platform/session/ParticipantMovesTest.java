package io.cohort.platform.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
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
            List.of(new Page("a", PageKind.FORM, "a.peb", List.of()), new Page("b", PageKind.FORM, "b.peb", List.of())),
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

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(
                Config.load(home, home, Map.of("COHORT_DB_URL", TestDatabase.create(), "COHORT_DB_POOL_SIZE", "20")));
        database.migrate();
        Experiments experiments = new Experiments() {
            @Override
            public List<Experiment> list() {
                return List.of(THREE_WAY, PAIRS);
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
        Participant done = participants.find(p.id()).orElseThrow();
        assertEquals(ParticipantStatus.COMPLETED, done.status());
        assertEquals(2, done.pageIndex());
        assertEquals(
                List.of("a", "b"),
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
}
