package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.schedule.TaskRun;
import io.cohort.distribution.fixture.TaskFixtureActivator;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on one database, each running the scheduler (and a fourth with it off, which only manages tasks): a
 * task fires once per due time whichever node takes it, and a run on a node that dies is taken over by another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulerClusterIT {

    /** The nodes that run tasks. */
    private static final List<String> NAMES = List.of("n1", "n2", "n3");
    /** A node with scheduler.enabled=false: it manages tasks (the API) and runs none. */
    private static final String MANAGER = "n4";

    private static final List<String> ALL = List.of("n1", "n2", "n3", MANAGER);
    private static final Duration SOON = Duration.ofSeconds(15);
    private static final Duration TICK = Duration.ofSeconds(2);
    private static final Duration TICKING = Duration.ofSeconds(60);
    private static final Duration TAKEOVER = Duration.ofSeconds(30);

    private static final Map<String, RunningCohort> NODES = new LinkedHashMap<>();

    @BeforeAll
    static void start(@TempDir Path work) throws IOException {
        String database = TestDatabase.create();
        Path jar = FixtureBundles.tasks(work.resolve("tasks.jar"));
        for (String name : ALL) {
            RunningCohort node = RunningCohort.fromSystemProperty()
                    .env("COHORT_DB_URL", database)
                    .env("COHORT_NODE_NAME", name)
                    .env("COHORT_SCHEDULER_ENABLED", Boolean.toString(!name.equals(MANAGER)))
                    .start();
            NODES.put(name, node);
            // Copied beside deploy/ first, then moved in: FileInstall never sees half a jar.
            Path copy = Files.copy(jar, node.home().resolve("tasks.jar"));
            Files.move(copy, node.deployDir().resolve("tasks.jar"), StandardCopyOption.ATOMIC_MOVE);
        }
        NODES.forEach((name, node) -> Eventually.within(
                SOON,
                name + " lists the tasks fixture ACTIVE",
                () -> new Plugins(node.api()).bySymbolicName(FixtureBundles.TASKS),
                p -> p.isPresent() && p.get().state().equals("ACTIVE")));
    }

    @AfterAll
    static void stop() {
        NODES.values().forEach(RunningCohort::close);
    }

    @Test
    @Order(1)
    void aTaskEveryTwoSecondsFiresOncePerDueSpreadOverTheNodes() throws Exception {
        Tasks n1 = tasks("n1");
        tasks(MANAGER).create(Map.of("name", "tick", "type", TaskFixtureActivator.TICK, "interval", "2"));
        Thread.sleep(TICKING.toMillis());
        List<TaskRun> runs = n1.runs("tick", 100);
        n1.act("tick", "delete");
        NODES.keySet()
                .forEach(name -> assertEquals(404, tasks(name).status("tick"), "deleted, as " + name + " sees it"));
        assertTrue(
                runs.stream().noneMatch(r -> r.node().equals(MANAGER)),
                "the node with its scheduler off ran nothing: " + runs);

        // A tick returns at once, but the latest may still be under way when the history was read.
        List<TaskRun> ended =
                runs.stream().filter(r -> !r.outcome().equals("RUNNING")).toList();
        for (TaskRun run : ended) {
            assertEquals("OK", run.outcome(), "every run ended OK: " + run);
            assertEquals(TaskFixtureActivator.TICKED, run.message(), "the handler's answer is recorded: " + run);
            assertNotNull(run.ended(), run.toString());
        }
        List<Instant> dues = runs.stream().map(TaskRun::due).sorted().toList();
        assertEquals(dues.size(), new HashSet<>(dues).size(), "never two runs for one due time: " + dues);
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < dues.size(); i++) {
            gaps.add(Duration.between(dues.get(i - 1), dues.get(i)));
        }
        Map<String, Long> perNode =
                new TreeMap<>(ended.stream().collect(Collectors.groupingBy(TaskRun::node, Collectors.counting())));
        List<Long> lateMillis = ended.stream()
                .map(r -> Duration.between(r.due(), r.started()).toMillis())
                .sorted()
                .toList();
        System.out.println("SchedulerClusterIT: " + ended.size() + " ticks ended in " + TICKING.toSeconds() + " s ("
                + runs.size()
                + " runs in all); per node " + perNode + "; start after due min/median/max " + lateMillis.get(0) + "/"
                + lateMillis.get(lateMillis.size() / 2) + "/" + lateMillis.get(lateMillis.size() - 1) + " ms; due gaps "
                + gaps.stream().map(Duration::toMillis).distinct().toList() + " ms");
        assertTrue(gaps.stream().allMatch(TICK::equals), "consecutive due times are 2 s apart, none missing: " + gaps);
        assertTrue(ended.size() >= 28 && ended.size() <= 31, "about 30 ticks in 60 s: " + ended.size());
        // Which node runs a tick is whichever polls first after its due time; that varies, so it is printed, not
        // asserted.
    }

    @Test
    @Order(2)
    void aRunOnAKilledNodeIsTakenOverByAnother() {
        Tasks n1 = tasks("n1");
        n1.create(Map.of(
                "name", "long", "type", TaskFixtureActivator.LONG, "interval", "3600", "data", "{\"seconds\": 12}"));
        n1.act("long", "run");
        TaskRun running = n1.awaitRunning("long", SOON);
        String killed = running.node();
        NODES.get(killed).kill();
        Instant killedAt = Instant.now();
        String survivor =
                NAMES.stream().filter(name -> !name.equals(killed)).findFirst().orElseThrow();
        Tasks tasks = tasks(survivor);

        var takeover = Eventually.within(
                TAKEOVER,
                "another node's run of long ended OK",
                () -> tasks.runs("long", 10),
                runs -> runs.stream()
                        .anyMatch(r -> !r.node().equals(killed) && r.outcome().equals("OK")));
        TaskRun taken = takeover.value().stream()
                .filter(r -> !r.node().equals(killed) && r.outcome().equals("OK"))
                .findFirst()
                .orElseThrow();
        TaskRun lost = takeover.value().stream()
                .filter(r -> r.id() == running.id())
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("the killed node's run " + running.id() + " is gone: " + takeover.value()));
        System.out.println("SchedulerClusterIT: long started " + running.started() + " on " + killed + ", killed at "
                + killedAt + "; " + taken.node() + " started it "
                + Duration.between(killedAt, taken.started()).toMillis()
                + " ms after the kill and ended it OK "
                + Duration.between(killedAt, taken.ended()).toMillis()
                + " ms after (seen " + takeover.after().toMillis() + " ms after); due " + running.due() + " -> "
                + taken.due() + "; the killed run: " + lost + "; all: " + takeover.value());
        assertNotEquals(killed, taken.node());
        assertEquals(running.due(), taken.due(), "the run taken over keeps the due time it was for");
        assertEquals(TaskFixtureActivator.DONE, taken.message(), "the handler ran to its end: " + taken);
        assertEquals("FAILED", lost.outcome(), "the killed node's run is marked failed: " + lost);
        assertNotNull(lost.ended(), "a failed run has ended: " + lost);
        assertTrue(
                lost.message() != null && lost.message().contains(killed), "the failure names the dead node: " + lost);
        assertEquals(2, takeover.value().size(), "the killed run and the one that took over: " + takeover.value());
        tasks.act("long", "delete");
    }

    private static Tasks tasks(String node) {
        return new Tasks(NODES.get(node).api());
    }

    @Test
    @Order(3)
    void aRunOnANodeStoppedCleanlyRunsAgainOnAnother() {
        String alive = NAMES.stream()
                .filter(name -> NODES.get(name).isAlive())
                .findFirst()
                .orElseThrow();
        Tasks tasks = tasks(alive);
        tasks.create(Map.of(
                "name", "long2", "type", TaskFixtureActivator.LONG, "interval", "3600", "data", "{\"seconds\": 12}"));
        tasks.act("long2", "run");
        TaskRun running = tasks.awaitRunning("long2", SOON);
        String stopped = running.node();
        NODES.get(stopped).close(); // SIGTERM: the node interrupts the run it can't finish
        String other = NAMES.stream()
                .filter(name -> !name.equals(stopped) && NODES.get(name).isAlive())
                .findFirst()
                .orElseThrow();
        var again = Eventually.within(
                TAKEOVER,
                "long2 run again to its end on " + other,
                () -> tasks(other).runs("long2", 10),
                runs -> runs.stream()
                        .anyMatch(r -> !r.node().equals(stopped) && r.outcome().equals("OK")));
        TaskRun cut = again.value().stream()
                .filter(r -> r.id() == running.id())
                .findFirst()
                .orElseThrow();
        assertEquals("FAILED", cut.outcome(), cut.toString());
        assertTrue(cut.message().startsWith("node " + stopped + " stopped during the run"), cut.toString());
        TaskRun done = again.value().stream()
                .filter(r -> r.outcome().equals("OK"))
                .findFirst()
                .orElseThrow();
        assertEquals(running.due(), done.due(), "run again for the same due time");
        tasks(other).act("long2", "delete");
    }
}
