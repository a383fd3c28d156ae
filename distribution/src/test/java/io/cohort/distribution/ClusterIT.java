package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.schedule.TaskRun;
import io.cohort.distribution.fixture.TaskFixtureActivator;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.Folders;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;

/**
 * Three nodes on one PostgreSQL behind HAProxy (the install's own configuration, on loopback ports), under the load
 * of {@value #BOTS} participants driven over HTTP and {@value #BROWSERS} in headless Chromium, every one of them
 * through the proxy. One node is killed (SIGKILL) mid-session while it runs a scheduled task and a payment batch;
 * then every node is restarted in turn (SIGTERM) under the same load. Participants answer the eight one-number pages
 * of {@code relay}; every submit the proxy answered is counted against the rows stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final int BOTS = 200;
    static final int BROWSERS = 20;
    static final int STEPS = 8;
    static final List<String> NAMES = List.of("n1", "n2", "n3");
    static final String TOKEN = "cluster-api-token";
    static final String PASSWORD = "cluster-admin-password";

    static MTurkLab lab;
    static final Map<String, RunningCohort.Builder> BUILDERS = new LinkedHashMap<>();
    static final Map<String, RunningCohort> NODES = new ConcurrentHashMap<>();
    static Process haproxy;
    static URI proxy;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "Debian's haproxy is not installed");
        assumeTrue(Browser.available(), "Chromium and chromedriver are not installed");
        work = Files.createTempDirectory("cohort-cluster-");
        // The lab's home (the demos, relay, the MTurk plugin set up for the emulator, the tasks fixture) is copied
        // for each node, as a lab keeps experiments/ and deploy/ equal on every machine. The address the plugin
        // gives MTurk is the proxy's.
        lab = new MTurkLab("ratePerSecond=200\nretries=0", "one-question", "relay");
        Path template = lab.builder.home();
        FixtureBundles.tasks(template.resolve("deploy/tasks.jar"));
        String database = TestDatabase.create();
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        List<Integer> ports = new ArrayList<>();
        for (String name : NAMES) {
            Path home = work.resolve(name);
            Folders.copy(template, home);
            int port = RunningCohort.freePort();
            BUILDERS.put(
                    name,
                    RunningCohort.in(distribution)
                            .home(home)
                            .env("COHORT_PORT", Integer.toString(port))
                            .env("COHORT_DB_URL", database)
                            .env("COHORT_NODE_NAME", name)
                            .env("COHORT_API_TOKEN", TOKEN)
                            .env("COHORT_ADMIN_PASSWORD", PASSWORD)
                            .env("COHORT_SHUTDOWN_DRAIN_SECONDS", "6")
                            // Two cores shared with 200 bots, Chromium and two other nodes: a start is slow.
                            .startTimeout(Duration.ofSeconds(180)));
            ports.add(port);
        }
        ExecutorService starting = Executors.newFixedThreadPool(NAMES.size());
        try {
            for (var started : starting.invokeAll(NAMES.stream()
                    .map(name -> (java.util.concurrent.Callable<RunningCohort>) () -> startNode(name))
                    .toList())) {
                started.get();
            }
        } finally {
            starting.shutdown();
        }
        Path shipped = distribution.resolve("conf/loadbalancer");
        String config = Files.readString(shipped.resolve("haproxy.cfg"))
                .replace("bind 127.0.0.1:8000", "bind 127.0.0.1:" + lab.port)
                .replace("/etc/haproxy/", shipped + "/");
        for (int i = 0; i < NAMES.size(); i++) {
            config = config.replace("127.0.0.1:808" + (i + 1), "127.0.0.1:" + ports.get(i));
        }
        // Every answer logged, so that what participants were shown (an error page included) can be counted.
        config = config.replace("global\n", "global\n    log stdout format raw local0 info\n")
                .replace("defaults\n", "defaults\n    log global\n    option httplog\n");
        Path cfg = Files.writeString(work.resolve("haproxy.cfg"), config);
        haproxy = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("haproxy.log").toFile())
                .start();
        proxy = URI.create("http://127.0.0.1:" + lab.port + "/");
        Eventually.within(
                Duration.ofSeconds(20),
                "the proxy serves",
                () -> Relay.status(Relay.get(proxy, "healthz")),
                s -> s == 200);
        lab.cohort = NODES.get("n1");
    }

    /** Starts a node and waits until its plugins (MTurk, the tasks fixture) are running. */
    static RunningCohort startNode(String name) {
        RunningCohort node = BUILDERS.get(name).start();
        NODES.put(name, node);
        Eventually.within(
                Duration.ofSeconds(90),
                name + ": the MTurk plugin and the tasks fixture run",
                () -> node.admin().get("/admin/").body().contains("mturk: SANDBOX")
                        && new Plugins(node.api())
                                .bySymbolicName(FixtureBundles.TASKS)
                                .map(p -> p.state().equals("ACTIVE"))
                                .orElse(false),
                ok -> ok);
        return node;
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        NODES.values().parallelStream().forEach(RunningCohort::kill);
        NODES.forEach((name, node) -> keepLog(node, name));
        if (lab != null) {
            lab.cohort = null;
            lab.close();
        }
    }

    /** A node's log, kept before a start of the same home writes over it; printed when it has errors. */
    static void keepLog(RunningCohort node, String as) {
        try {
            Path err = node.home().resolve("cohort.err");
            Files.copy(err, work.resolve(as + ".err"), StandardCopyOption.REPLACE_EXISTING);
            // An error page first (ErrorPages logs "error <id> on <method> <path>"), with its causes: CI shows only
            // part of the output.
            List<String> lines = Files.readAllLines(err);
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < lines.size() && errors.size() < 40; i++) {
                if (lines.get(i).matches("cohort: ERROR error \\w+ on .*")) {
                    errors.add(lines.get(i));
                    for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("cohort:"); j++) {
                        if (lines.get(j).startsWith("Caused by")) {
                            errors.add(lines.get(j));
                        }
                    }
                }
            }
            lines.stream()
                    .filter(l -> (l.contains("ERROR") || l.startsWith("Caused by")) && !errors.contains(l))
                    .limit(Math.max(0, 40 - errors.size()))
                    .forEach(errors::add);
            if (!errors.isEmpty()) {
                System.out.println("ClusterIT: " + as + " logged:\n  " + String.join("\n  ", errors));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The admin's API through the proxy: whichever node answers. */
    static AdminHttp admin() {
        return new AdminHttp(proxy).bearer(TOKEN);
    }

    /**
     * The browser participants: one headless Chromium, a tab each. Each page answers by itself after {@code dwellMs}
     * (the relay fixture's auto.js: the real form, the real submit, the page's own socket); what they were shown is
     * read from the proxy's log, their progress from the monitor.
     */
    static final class Browsers implements AutoCloseable {
        final Browser browser = Browser.start();
        final Map<String, String> tabs = new LinkedHashMap<>(); // participant → tab

        Browsers(Map<String, String> participants, int dwellMs) {
            boolean first = true;
            for (var e : participants.entrySet()) {
                if (!first) {
                    browser.driver().switchTo().newWindow(WindowType.TAB);
                }
                first = false;
                tabs.put(e.getKey(), browser.driver().getWindowHandle());
                browser.driver().get(proxy.resolve(e.getValue()) + "#dwell=" + dwellMs);
            }
        }

        /** The commands a tab's page carried out (cohort.js remembers their ids in the tab's sessionStorage). */
        Set<Long> carriedOut(String id) {
            browser.driver().switchTo().window(tabs.get(id));
            Object ids = ((JavascriptExecutor) browser.driver())
                    .executeScript("return sessionStorage.getItem('cohort.commands') || '[]'");
            Set<Long> out = new HashSet<>();
            try {
                for (JsonNode n : MTurkLab.JSON.readTree(ids.toString())) {
                    out.add(n.asLong());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out;
        }

        @Override
        public void close() {
            browser.close();
        }
    }

    /** The answers the proxy gave with a status of 500 or more (its own error pages included), from its log. */
    static List<String> proxyErrors() {
        try {
            return Files.readAllLines(work.resolve("haproxy.log")).stream()
                    .filter(l -> PROXY_STATUS.matcher(l).find())
                    .filter(l -> {
                        Matcher m = PROXY_STATUS.matcher(l);
                        return m.find() && Integer.parseInt(m.group(1)) >= 500;
                    })
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** HAProxy's HTTP log line: the timers Tq/Tw/Tc/Tr/Ta, then the status. */
    static final Pattern PROXY_STATUS = Pattern.compile(" -?\\d+/-?\\d+/-?\\d+/-?\\d+/-?\\d+ (\\d{3}) ");

    /** Waits until every one of {@code ids} is COMPLETED, as the monitor on a live node shows them. */
    static void awaitCompleted(String session, java.util.Collection<String> ids, Duration within) {
        Eventually.within(
                within,
                "every participant completed",
                () -> {
                    Map<String, String> now =
                            Relay.statuses(NODES.values().iterator().next(), session);
                    return ids.stream()
                            .filter(id -> !"COMPLETED".equals(now.get(id)))
                            .count();
                },
                left -> left == 0);
    }

    @Test
    @Order(1)
    void aNodeKilledMidSessionLosesNoParticipantNoSubmitNoPaymentNoTask() throws Exception {
        // Money to pay while it happens: 150 workers who took a HIT and submitted, approved.
        String mturkSession = lab.session("one-question", "{}");
        String hit = lab.postHit(mturkSession, "0.10", 150);
        List<MTurkLab.Worker> workers = lab.workersComplete(new AdminHttp(proxy), hit, 150, "C");
        JsonNode approve = lab.commit(Map.of("action", "approve-submitted"));
        lab.awaitFinished(approve.path("id").asLong(), Duration.ofSeconds(60));

        Relay.Session made = Relay.session(admin(), BOTS + BROWSERS, "kill");
        Map<String, String> everyone = made.paths();
        String session = made.id();
        List<String> ids = new ArrayList<>(everyone.keySet());
        Map<String, String> inBrowsers = new LinkedHashMap<>();
        ids.subList(BOTS, BOTS + BROWSERS).forEach(id -> inBrowsers.put(id, everyone.get(id)));
        Relay.Tally tally = new Relay.Tally();
        ExecutorService bots = Executors.newFixedThreadPool(BOTS);
        try (Browsers browsers = new Browsers(inBrowsers, 1500)) {
            // A task running on a node, and a payment batch that node runs: the node to kill.
            Tasks tasks = new Tasks(admin());
            tasks.create(Map.of(
                    "name",
                    "long",
                    "type",
                    TaskFixtureActivator.LONG,
                    "interval",
                    "3600",
                    "data",
                    "{\"seconds\": 20}"));
            tasks.act("long", "run");
            TaskRun running = tasks.awaitRunning("long", Duration.ofSeconds(20));
            String victim = running.node();
            long t0 = System.nanoTime();
            java.util.function.Supplier<String> at =
                    () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms";
            // They arrive over three seconds, as people answering an ad do, not in one instant.
            for (int i = 0; i < BOTS; i++) {
                String id = ids.get(i);
                long arrives = i * 15L;
                bots.submit(() -> {
                    Relay.sleep(arrives);
                    Relay.bot(proxy, id, everyone.get(id), tally, 1500);
                });
            }
            // Killed mid-session (a page or two in), mid-batch and mid-task.
            while (tally.submits.get() < 150) {
                Relay.sleep(50);
            }
            System.out.println("ClusterIT: " + tally.submits.get() + " submits at " + at.get());
            lab.cohort = NODES.get(victim);
            lab.emulator.latency(Duration.ofMillis(500));
            long batch = lab.commit(MTurkLab.bonusFile(workers, i -> "0.25"))
                    .path("id")
                    .asLong();
            System.out.println("ClusterIT: batch " + batch + " committed at " + at.get());
            while (lab.emulator.bonusCount() < 3) {
                Relay.sleep(50);
            }
            System.out.println("ClusterIT: " + lab.emulator.bonusCount() + " bonuses paid at " + at.get());
            int paidAtKill = lab.emulator.bonusCount();
            assertTrue(paidAtKill < 150, "killed mid-batch: " + paidAtKill + " paid");
            RunningCohort dead = NODES.remove(victim);
            dead.kill();
            keepLog(dead, victim + "-killed");
            System.out.println("ClusterIT: killed " + victim + " after " + tally.submits.get() + " submits, "
                    + paidAtKill + " bonuses paid of 150");
            lab.emulator.latency(Duration.ZERO);
            RunningCohort survivor = NODES.values().iterator().next();
            lab.cohort = survivor;

            bots.shutdown();
            assertTrue(bots.awaitTermination(150, TimeUnit.SECONDS), "the bots finished");
            assertEquals(BOTS, tally.finished.size(), "bots who reached the end: " + tally.errors);
            awaitCompleted(session, inBrowsers.keySet(), Duration.ofSeconds(60));
            System.out.println("ClusterIT: every participant finished; " + tally.submits.get() + " submits, "
                    + tally.errors.size() + " answers the bots got that were not a page (cut by the kill): "
                    + tally.errors.stream().limit(10).toList() + "; error answers from the proxy: "
                    + proxyErrors().size());
            // (A submit the kill cut may have been stored unanswered: the bot then finds itself a page further.)
            Relay.assertNothingAcknowledgedIsLost(NODES.values().iterator().next(), tally, session);
            // The admin's monitor, served by a node that lived, shows everyone, at the end.
            Map<String, String> monitor = Relay.statuses(survivor, session);
            assertEquals(BOTS + BROWSERS, monitor.size());
            assertEquals(
                    Map.of("COMPLETED", BOTS + BROWSERS),
                    monitor.values().stream().collect(Collectors.groupingBy(s -> s, Collectors.summingInt(s -> 1))));
            String page = survivor.admin().get("/admin/sessions/" + session).body();
            assertTrue(ids.stream().allMatch(page::contains), "the session page lists every participant");

            // The batch the dead node ran is finished by another, each worker paid once.
            JsonNode done = lab.awaitFinished(batch, Duration.ofSeconds(90)).path("batch");
            assertEquals(150, done.path("confirmed").asInt(), done.toString());
            Map<String, Integer> paid = lab.emulator.bonusesPerAssignment();
            for (MTurkLab.Worker w : workers) {
                assertEquals(1, paid.getOrDefault(w.assignmentId(), 0), "bonuses paid to " + w.workerId());
            }
            // The task the dead node ran is run to its end by another.
            TaskRun taken = Eventually.within(
                            Duration.ofSeconds(60),
                            "another node runs long to its end",
                            () -> tasks.runs("long", 10),
                            runs -> runs.stream()
                                    .anyMatch(r -> !r.node().equals(victim)
                                            && r.outcome().equals("OK")))
                    .value()
                    .stream()
                    .filter(r -> r.outcome().equals("OK"))
                    .findFirst()
                    .orElseThrow();
            System.out.println("ClusterIT: the batch " + victim + " ran was finished elsewhere (" + paidAtKill
                    + " paid before the kill); long ran again on " + taken.node());
            tasks.act("long", "delete");
            startNode(victim);
        } finally {
            bots.shutdownNow();
        }
    }

    @Test
    @Order(2)
    void aRollingRestartUnderLoadShowsNoErrorPageAndLosesNoCommand() throws Exception {
        for (String name : NAMES) {
            if (!NODES.containsKey(name)) {
                startNode(name); // the one killed before
            }
        }
        Relay.sleep(5000); // the restarted node is back in the proxy's rotation (rise 2 × 2 s)
        int perBot = 6;
        Relay.Session made = Relay.session(admin(), BOTS * perBot + BROWSERS, "rolling");
        Map<String, String> everyone = made.paths();
        String session = made.id();
        List<String> ids = new ArrayList<>(everyone.keySet());
        Map<String, String> inBrowsers = new LinkedHashMap<>();
        ids.subList(0, BROWSERS).forEach(id -> inBrowsers.put(id, everyone.get(id)));
        Relay.Tally tally = new Relay.Tally();
        AtomicBoolean restarting = new AtomicBoolean(true);
        ExecutorService bots = Executors.newFixedThreadPool(BOTS);
        List<String> messages = new ArrayList<>();
        int proxyErrorsBefore = proxyErrors().size();
        // The browser participants stay on each page 12 s, so their pages and sockets live through the restarts.
        try (Browsers browsers = new Browsers(inBrowsers, 12_000)) {
            // Each bot takes participants one after another while the nodes restart (and finishes the one it has).
            ConcurrentLinkedQueue<String> waiting = new ConcurrentLinkedQueue<>(ids.subList(BROWSERS, ids.size()));
            Set<String> started = ConcurrentHashMap.newKeySet();
            for (int b = 0; b < BOTS; b++) {
                long arrives = b * 15L;
                bots.submit(() -> {
                    Relay.sleep(arrives);
                    String id;
                    while ((restarting.get() || started.size() < BOTS) && (id = waiting.poll()) != null) {
                        started.add(id);
                        Relay.bot(proxy, id, everyone.get(id), tally, 3000);
                    }
                });
            }
            Thread restarts = new Thread(() -> {
                for (String name : NAMES) {
                    Relay.sleep(3000);
                    // A message to every browser participant while the node goes: it must arrive.
                    for (String id : inBrowsers.keySet()) {
                        AdminHttp.Response r = admin().postForm(
                                        "/api/sessions/" + session + "/actions/message",
                                        Map.of("participants", id, "text", "While " + name + " restarts"));
                        if (r.status() / 100 != 2) {
                            tally.errors.add("message: " + r);
                        }
                    }
                    messages.add(name);
                    RunningCohort leaving = NODES.remove(name);
                    leaving.close(); // SIGTERM: drains, finishes, stops
                    keepLog(leaving, name + "-before-restart");
                    startNode(name);
                    Relay.sleep(5000); // back in the rotation
                }
                restarting.set(false);
            });
            restarts.start();
            restarts.join(300_000);
            assertEquals(NAMES, messages, "every node was restarted");
            bots.shutdown();
            assertTrue(bots.awaitTermination(120, TimeUnit.SECONDS), "the bots finished");
            awaitCompleted(session, inBrowsers.keySet(), Duration.ofSeconds(120));
            assertEquals(List.of(), new ArrayList<>(tally.errors), "answers the bots got that were not a page");
            List<String> shown = proxyErrors();
            assertEquals(
                    List.of(),
                    shown.subList(proxyErrorsBefore, shown.size()),
                    "error answers the proxy gave anyone (browsers included) during the rolling restart");
            Relay.assertNothingAcknowledgedIsLost(NODES.values().iterator().next(), tally, session);
            assertTrue(tally.answered.size() >= BOTS * Relay.STEPS, "every bot step was answered");
            RunningCohort any = NODES.values().iterator().next();
            Map<String, String> monitor = Relay.statuses(any, session);
            for (String id : started) {
                assertEquals("COMPLETED", monitor.get(id), id);
            }
            // Every message reached its page and was carried out there, once.
            for (String id : inBrowsers.keySet()) {
                Set<Long> sent = new HashSet<>();
                for (String c : any.sql("SELECT string_agg(id::text, ',') FROM cohort.participant_command WHERE"
                                + " participant_id = '" + id + "' AND delivered_at IS NOT NULL")
                        .split(",")) {
                    sent.add(Long.parseLong(c));
                }
                assertEquals(NAMES.size(), sent.size(), "messages delivered to " + id);
                assertTrue(browsers.carriedOut(id).containsAll(sent), "carried out by " + id + "'s page");
            }
            System.out.println("ClusterIT: rolling restart of " + NAMES + " under " + BOTS + " bots and " + BROWSERS
                    + " browsers: " + started.size() + " bot participants, " + tally.submits.get()
                    + " submits, no error; " + NAMES.size() * BROWSERS + " messages delivered");
        } finally {
            restarting.set(false);
            bots.shutdownNow();
        }
    }
}
