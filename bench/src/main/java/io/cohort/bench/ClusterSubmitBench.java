package io.cohort.bench;

import io.cohort.testkit.Folders;
import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Page submits through the shipped HAProxy configuration to one node of the built distribution and to three, on one
 * machine and one PostgreSQL database: saturation throughput, paced latency, CPU per submit on the nodes and on
 * PostgreSQL, and how long participants wait for their next accepted submit after a node is killed (SIGKILL). Every
 * submit answered 303 is checked against the stored rows after each phase.
 *
 * <pre>bench/cluster-submit.sh [--clients 300] [--seconds 20] [--warmup 150] [--think-ms 1000] [--nodes 1,3]
 *     [--rounds 1] [--kill on|off] [--keep] [--pool TOTAL] [--node-opts JVM-OPTIONS] [--dist DIR]</pre>
 */
public final class ClusterSubmitBench {

    static final String API_TOKEN = "bench-token";
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    static final long RETRY_MS = 100;
    /** Each measured phase's new participants post this long before the window opens. */
    static final long RAMP_MS = 3000;
    /**
     * PageSubmitBench's count of submitted rows, narrowed to the form's five fields: a participant's first page load
     * also stores a row (its status) set by page p0.
     */
    static final String STORED_ROWS =
            "SELECT count(*) FROM cohort.field_value WHERE set_by LIKE 'page:p%' AND key IN ('"
                    + String.join("', '", PageSubmitBench.FIELDS) + "')";

    /** Clock ticks per second, the unit of the CPU times in /proc/PID/stat. */
    static final long TICKS_PER_SECOND = clockTicks();

    private final int clients;
    private final int warmup;
    private final int seconds;
    private final int thinkMs;
    private final boolean keep;
    /** Connections to PostgreSQL for the whole cluster, split among its nodes; 0 for each node's default. */
    private int pool;
    /** JAVA_OPTS for every node, e.g. a share of the cores: -XX:ActiveProcessorCount=1. */
    private String nodeOpts = "";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ClusterSubmitBench(int clients, int warmup, int seconds, int thinkMs, boolean keep) {
        this.clients = clients;
        this.warmup = warmup;
        this.seconds = seconds;
        this.thinkMs = thinkMs;
        this.keep = keep;
    }

    public static void main(String[] args) throws Exception {
        int clients = 300;
        int seconds = 20;
        int warmup = 150;
        int think = 1000;
        List<Integer> sizes = List.of(1, 3);
        int rounds = 1;
        boolean kill = true;
        boolean keep = false;
        int pool = 0;
        String nodeOpts = "";
        Path dist = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--think-ms" -> think = Integer.parseInt(args[++i]);
                case "--nodes" ->
                    sizes = Arrays.stream(args[++i].split(","))
                            .map(s -> Integer.parseInt(s.strip()))
                            .toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--kill" -> {
                    // "--kill" alone means on; "--kill off" (or false) turns the phase off.
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        kill = List.of("on", "true", "yes").contains(args[++i]);
                    }
                }
                case "--keep" -> keep = true;
                case "--pool" -> pool = Integer.parseInt(args[++i]);
                case "--node-opts" -> nodeOpts = args[++i];
                case "--dist" -> dist = Path.of(args[++i]);
                default -> {
                    System.err.println(
                            "unknown option: " + args[i] + "\nusage: bench/cluster-submit.sh"
                                    + " [--clients 300] [--seconds 20] [--warmup 150] [--think-ms 1000] [--nodes 1,3]"
                                    + " [--rounds 1] [--kill on|off] [--keep] [--pool TOTAL] [--node-opts JVM-OPTIONS] [--dist DIR]");
                    System.exit(2);
                }
            }
        }
        if (!Files.isExecutable(HAPROXY)) {
            System.err.println(HAPROXY + " is missing: install Debian's haproxy");
            System.exit(2);
        }
        if (dist == null) {
            dist = PaymentBench.distribution();
        }
        int killSize = kill ? sizes.stream().mapToInt(Integer::intValue).max().orElse(0) : 0;

        System.out.printf(
                "Cluster submit: %s, %d participants, %d s warm-up, %d s measured, think %d ms, %d cores shared by"
                        + " nodes, PostgreSQL, HAProxy and this load generator%n",
                dist, clients, warmup, seconds, think, Runtime.getRuntime().availableProcessors());
        ClusterSubmitBench bench = new ClusterSubmitBench(clients, warmup, seconds, think, keep);
        bench.pool = pool;
        bench.nodeOpts = nodeOpts;
        List<Figures> figures = new ArrayList<>();
        boolean killDone = false;
        for (int round = 1; round <= rounds; round++) {
            for (int size : sizes) {
                boolean withKill = size >= 2 && size == killSize && !killDone;
                figures.add(bench.measure(dist, size, round, withKill));
                killDone |= withKill;
            }
        }
        boolean ok = bench.report(figures);
        // Non-zero when a rows check failed; TestDatabase's shutdown hook drops the databases.
        System.exit(ok ? 0 : 1);
    }

    /** What one cluster size gave; {@code kill} is null when that phase did not run on it. */
    record Figures(int size, int round, Phase saturation, Phase paced, Phase kill) {}

    /** One phase's window: accepted submits and their latencies, failures by kind, CPU, the rows check. */
    record Phase(
            PageSubmitBench.Result result,
            Map<String, Long> failures,
            CpuPerSubmit cpu,
            boolean rowsOk,
            List<Long> failureMillis,
            List<Long> recoveryMillis) {}

    Figures measure(Path dist, int size, int round, boolean withKill) throws Exception {
        System.out.printf(
                "%n-- %d node%s behind HAProxy, on a new database (round %d)%n", size, size == 1 ? "" : "s", round);
        try (Cluster cluster = Cluster.start(dist, size, keep, pool, nodeOpts)) {
            warmUp(cluster);
            Phase saturation = run(cluster, "saturation", 0, null);
            Phase paced = run(cluster, "paced", thinkMs, null);
            Phase kill = null;
            if (withKill) {
                RunningCohort victim = cluster.nodes.get(size - 1);
                kill = run(cluster, "paced, n" + size + " killed", thinkMs, victim);
            }
            return new Figures(size, round, saturation, paced, kill);
        }
    }

    /**
     * Full load, unmeasured, for {@code warmup} seconds, with new participants whenever the last ones have posted all
     * their pages. Each node is its own JVM compiling the same code, and on shared cores that takes minutes, not
     * seconds: without this, 3 nodes are measured while their compilers still take a third of their CPU, which is
     * start-up cost, not coordination.
     */
    void warmUp(Cluster cluster) throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(warmup);
        long submits = 0;
        while (System.nanoTime() < end) {
            Load load =
                    new Load(PageSubmitBench.participantUrls(http, cluster.proxy.toString(), API_TOKEN, clients), 0);
            load.start();
            while (System.nanoTime() < end && load.threads.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(200);
            }
            load.stop.set(true);
            load.join();
            for (Participant p : load.participants) {
                submits += p.page;
            }
        }
        cluster.accepted += submits;
        System.out.printf(
                "%-22s %7.0f submits/s over %d s, not measured%n",
                "warm-up", submits / ((System.nanoTime() - start) / 1e9), warmup);
    }

    /**
     * New participants post through the proxy for a short ramp, then for the measured window (a {@code victim} is
     * killed as the window opens); then the stored rows are checked against every 303 the cluster has given.
     */
    Phase run(Cluster cluster, String name, int think, RunningCohort victim) throws Exception {
        List<String> urls = PageSubmitBench.participantUrls(http, cluster.proxy.toString(), API_TOKEN, clients);
        Load load = new Load(urls, think);
        load.start();
        Thread.sleep(RAMP_MS);
        CpuTimes before = CpuTimes.read(cluster);
        load.measuring.set(true);
        long start = System.nanoTime();
        if (victim != null) {
            load.killedAt = System.nanoTime();
            victim.kill();
        }
        Thread.sleep(seconds * 1000L);
        load.stop.set(true);
        double elapsed = (System.nanoTime() - start) / 1e9;
        CpuTimes after = CpuTimes.read(cluster);
        load.join();

        List<Long> latencies = new ArrayList<>();
        List<Long> failuresAfterKill = new ArrayList<>();
        List<Long> recoveries = new ArrayList<>();
        long accepted = 0;
        for (Participant p : load.participants) {
            latencies.addAll(p.latenciesMicros);
            accepted += p.page;
            if (p.failureNanos >= 0) {
                failuresAfterKill.add(TimeUnit.NANOSECONDS.toMillis(p.failureNanos));
                if (p.recoveryNanos >= 0) {
                    recoveries.add(TimeUnit.NANOSECONDS.toMillis(p.recoveryNanos));
                }
            }
        }
        long finished = load.participants.stream()
                .filter(p -> p.page >= PageSubmitBench.PAGES)
                .count();
        if (finished > 0) {
            System.out.printf(
                    "note: %d participants reached the last of %d pages and stopped early: the rate is understated;"
                            + " use more --clients or fewer --seconds%n",
                    finished, PageSubmitBench.PAGES);
        }
        failuresAfterKill.sort(null);
        recoveries.sort(null);
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        PageSubmitBench.Result result = new PageSubmitBench.Result(name, sorted.length, elapsed, sorted);
        Map<String, Long> failures = new ConcurrentSkipListMap<>();
        load.failures.forEach((kind, count) -> failures.put(kind, count.get()));
        System.out.printf(
                "%-22s %7.0f submits/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %7.1f ms  failed %s%n",
                name, result.perSecond(), result.p(50), result.p(95), result.p(99), result.p(100), failures);

        // As PageSubmitBench ends: each submit answered 303 committed its five field rows. A retried submit whose
        // first try was committed by a node that then died is answered 303 without storing again, so it counts once.
        cluster.accepted += accepted;
        long rows = Long.parseLong(cluster.nodes.get(0).sql(STORED_ROWS));
        long expected = cluster.accepted * PageSubmitBench.FIELDS.length;
        boolean rowsOk = rows == expected && accepted > 0;
        System.out.printf(
                "%-22s %d submits answered 303 on this database so far, %d field rows stored (%d expected): %s%n",
                "", cluster.accepted, rows, expected, rowsOk ? "OK" : "MISMATCH");
        return new Phase(
                result,
                failures,
                CpuPerSubmit.of(before, after, result.requests(), elapsed),
                rowsOk,
                failuresAfterKill,
                recoveries);
    }

    /** N simulated participants posting their pages through the proxy, each on its own thread. */
    final class Load {
        final int think;
        final List<Participant> participants = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();
        final Map<String, AtomicLong> failures = new ConcurrentSkipListMap<>();
        /** System.nanoTime() of the kill; 0 until then. */
        volatile long killedAt;

        Load(List<String> urls, int think) {
            this.think = think;
            for (int i = 0; i < urls.size(); i++) {
                participants.add(new Participant(urls.get(i), new Random(i)));
            }
        }

        void start() {
            for (Participant p : participants) {
                Thread t = new Thread(() -> participate(p));
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join();
            }
        }

        /**
         * Posts the pages in order, each after a think time (none at saturation); a failed post is sent again
         * 100 ms later, as a participant would press the button again. Never interrupted mid-request: a post
         * abandoned by the client could still be committed, and the rows check would not add up.
         */
        void participate(Participant p) {
            boolean retry = false;
            try {
                while (!stop.get() && p.page < PageSubmitBench.PAGES) {
                    boolean again = retry;
                    if (again) {
                        Thread.sleep(RETRY_MS);
                    } else if (think > 0) {
                        Thread.sleep((long) (think * (0.5 + p.random.nextDouble())));
                    }
                    if (stop.get()) {
                        break;
                    }
                    boolean inWindow = measuring.get();
                    long start = System.nanoTime();
                    String outcome = submit(p.url, p.page);
                    long end = System.nanoTime();
                    retry = !outcome.equals("303");
                    if (retry) {
                        if (failures.computeIfAbsent(outcome, k -> new AtomicLong())
                                        .incrementAndGet()
                                == 1) {
                            System.out.println("first failure of its kind: page " + p.page + " -> " + outcome);
                        }
                        if (killedAt != 0 && end > killedAt) {
                            if (p.failureNanos < 0) {
                                p.failureNanos = end - killedAt;
                            }
                            p.recoveryNanos = -1;
                        }
                        continue;
                    }
                    p.page++;
                    if (p.failureNanos >= 0 && again) {
                        // Back after its latest failure (a participant may fail more than once).
                        p.recoveryNanos = end - killedAt;
                    }
                    if (inWindow && !stop.get()) {
                        p.latenciesMicros.add((end - start) / 1000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** "303", another status, or the exception when no answer came. */
        String submit(String url, int page) throws InterruptedException {
            try {
                HttpResponse<Void> r = http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(PageSubmitBench.form(page)))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return String.valueOf(r.statusCode());
            } catch (IOException e) {
                String message = e.getMessage() == null ? "" : ": " + e.getMessage();
                return e.getClass().getSimpleName() + message.substring(0, Math.min(message.length(), 60));
            }
        }
    }

    /** One simulated participant; only its own thread touches it until the load is joined. */
    static final class Participant {
        final String url;
        final Random random;
        /** The page it is on: the number of its submits answered 303. */
        int page;

        final List<Long> latenciesMicros = new ArrayList<>();
        /** From the kill to its first failure after it; -1 while none. */
        long failureNanos = -1;

        /** From the kill to its 303 after its latest failure; -1 while none. */
        long recoveryNanos = -1;

        Participant(String url, Random random) {
            this.url = url;
            this.random = random;
        }
    }

    /** Nodes of the built distribution on one new database, behind HAProxy with the shipped configuration. */
    static final class Cluster implements AutoCloseable {
        final Path work;
        final String database;
        final boolean keep;
        final List<RunningCohort> nodes = new ArrayList<>();
        final List<Long> nodeJvms = new ArrayList<>();
        Process haproxy;
        URI proxy;
        /** Submits answered 303 in all phases so far. */
        long accepted;

        private Cluster(Path work, String database, boolean keep) {
            this.work = work;
            this.database = database;
            this.keep = keep;
        }

        static Cluster start(Path dist, int size, boolean keep, int pool, String nodeOpts) throws Exception {
            Cluster cluster = new Cluster(
                    Files.createTempDirectory("cohort-bench-cluster-" + size + "-"), TestDatabase.create(), keep);
            try {
                for (int i = 1; i <= size; i++) {
                    Path home = cluster.work.resolve("n" + i);
                    PageSubmitBench.writeExperiment(home.resolve("experiments/submit-bench"));
                    // One API token for all, so that the session can be made through the proxy.
                    RunningCohort.Builder builder = RunningCohort.in(dist)
                            .home(home)
                            .env("COHORT_DB_URL", cluster.database)
                            .env("COHORT_NODE_NAME", "n" + i)
                            .env("COHORT_API_TOKEN", API_TOKEN)
                            .env("JAVA_OPTS", nodeOpts);
                    if (pool > 0) {
                        // The same connections in all, so PostgreSQL is not asked to run more at once with more nodes.
                        builder.env("COHORT_DB_POOL_SIZE", String.valueOf(Math.max(2, (pool + size - 1) / size)));
                    }
                    RunningCohort node = builder.start();
                    cluster.nodes.add(node);
                    cluster.nodeJvms.add(javaPid(node));
                }
                cluster.startProxy(dist.resolve("conf/loadbalancer/haproxy.cfg"));
                return cluster;
            } catch (Exception | Error e) {
                cluster.close();
                throw e;
            }
        }

        private void startProxy(Path shipped) throws Exception {
            int port = RunningCohort.freePort();
            List<Integer> ports = nodes.stream().map(RunningCohort::port).toList();
            Path cfg = work.resolve("haproxy.cfg");
            Files.writeString(cfg, haproxyConfig(Files.readString(shipped), port, ports, shipped.getParent()));
            Path log = work.resolve("haproxy.log");
            haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            proxy = URI.create("http://127.0.0.1:" + port + "/");
            HttpClient probe = HttpClient.newHttpClient();
            HttpRequest healthz = HttpRequest.newBuilder(proxy.resolve("healthz"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (status(probe, healthz) != 200) {
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("HAProxy does not serve /healthz on port " + port + ":\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(100);
            }
        }

        /** The answer's status; -1 while nothing listens. */
        private static int status(HttpClient client, HttpRequest request) throws InterruptedException {
            try {
                return client.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException notYet) {
                return -1;
            }
        }

        @Override
        public void close() {
            if (haproxy != null) {
                haproxy.destroy();
                try {
                    if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                        haproxy.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    haproxy.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            for (RunningCohort node : nodes) {
                node.close();
            }
            if (keep) {
                System.out.println("kept " + work + " (node homes with their logs, haproxy.cfg, haproxy.log)");
                return;
            }
            try {
                Folders.delete(work);
            } catch (IOException e) {
                System.out.println("cannot delete " + work + ": " + e);
            }
        }
    }

    /**
     * The shipped file with this run's loopback addresses: its bind and its server list replaced. Error pages it
     * expects under /etc/haproxy/ are the ones shipped beside it.
     */
    static String haproxyConfig(String shipped, int port, List<Integer> nodePorts, Path shippedDir) {
        StringBuilder out = new StringBuilder();
        boolean serversWritten = false;
        for (String line : shipped.lines().toList()) {
            String setting = line.strip();
            if (setting.startsWith("bind ")) {
                line = "    bind 127.0.0.1:" + port;
            } else if (setting.startsWith("errorfile ")) {
                line = line.replace("/etc/haproxy/", shippedDir + "/");
            } else if (setting.startsWith("server ")) {
                if (!serversWritten) {
                    for (int i = 0; i < nodePorts.size(); i++) {
                        out.append("    server n%d 127.0.0.1:%d check%n".formatted(i + 1, nodePorts.get(i)));
                    }
                    serversWritten = true;
                }
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** The node's JVM: bin/cohort execs java, so normally the process itself; else its java descendant. */
    static long javaPid(RunningCohort node) {
        if (readText(Path.of("/proc", String.valueOf(node.pid()), "comm"))
                .strip()
                .equals("java")) {
            return node.pid();
        }
        return ProcessHandle.of(node.pid()).stream()
                .flatMap(ProcessHandle::descendants)
                .filter(h -> readText(Path.of("/proc", String.valueOf(h.pid()), "comm"))
                        .strip()
                        .equals("java"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no java process under " + node.pid()))
                .pid();
    }

    /**
     * CPU time used so far (clock ticks, user + system, all threads) by process id, by role. PostgreSQL is split:
     * the backends of this run's database with the server's own processes (checkpointer, WAL writer, ...), and the
     * backends of other databases (other tests sharing the server).
     */
    record CpuTimes(
            Map<Long, Long> nodes,
            Map<String, ThreadTime> nodeThreads,
            Map<Long, Long> postgres,
            Map<Long, Long> otherPostgres,
            Map<Long, Long> proxy,
            Map<Long, Long> loadGenerator,
            long machine) {

        static CpuTimes read(Cluster cluster) throws IOException {
            String database = cluster.database.replaceAll("^.*/|\\?.*$", "");
            Map<Long, Long> postgres = new HashMap<>();
            Map<Long, Long> others = new HashMap<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path dir : procs.filter(d -> d.getFileName().toString().matches("\\d+"))
                        .toList()) {
                    if (!readText(dir.resolve("comm")).strip().equals("postgres")) {
                        continue;
                    }
                    long pid = Long.parseLong(dir.getFileName().toString());
                    String title =
                            readText(dir.resolve("cmdline")).replace('\0', ' ').strip();
                    String of = databaseOf(title);
                    ticks(pid, of == null || of.equals(database) ? postgres : others);
                }
            }
            return new CpuTimes(
                    ticks(cluster.nodeJvms),
                    threadTicks(cluster.nodeJvms),
                    postgres,
                    others,
                    ticks(List.of(cluster.haproxy.pid())),
                    ticks(List.of(ProcessHandle.current().pid())),
                    machineTicks());
        }

        /** Busy ticks of all cores since boot: /proc/stat's first line less idle and iowait. */
        static long machineTicks() {
            String[] cpu = readText(Path.of("/proc/stat"))
                    .lines()
                    .findFirst()
                    .orElse("cpu")
                    .split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += i < cpu.length ? Long.parseLong(cpu[i]) : 0;
            }
            return busy;
        }

        /** Ticks used between two readings by the processes alive at the second (one that ended is not counted). */
        static long used(Map<Long, Long> before, Map<Long, Long> after) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : after.entrySet()) {
                sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
            return sum;
        }
    }

    /**
     * CPU milliseconds per accepted submit over a window, by role; and how many cores the rest of the machine kept
     * busy meanwhile (other work on a shared machine: the figures are only as good as that is small).
     */
    record CpuPerSubmit(
            double nodes,
            Map<String, Double> nodeThreads,
            double postgres,
            double allPostgres,
            double proxy,
            double loadGenerator,
            double otherCores,
            long httpThreads) {

        static CpuPerSubmit of(CpuTimes before, CpuTimes after, long submits, double seconds) {
            double msPerTick = 1000.0 / TICKS_PER_SECOND / Math.max(1, submits);
            long nodes = CpuTimes.used(before.nodes(), after.nodes());
            long postgres = CpuTimes.used(before.postgres(), after.postgres());
            long allPostgres = postgres + CpuTimes.used(before.otherPostgres(), after.otherPostgres());
            long proxy = CpuTimes.used(before.proxy(), after.proxy());
            long loadGenerator = CpuTimes.used(before.loadGenerator(), after.loadGenerator());
            long others = after.machine() - before.machine() - nodes - postgres - proxy - loadGenerator;
            Map<String, Double> byRole = new java.util.LinkedHashMap<>();
            THREAD_ROLES.forEach(r -> byRole.put(r.getKey(), 0.0));
            after.nodeThreads().forEach((thread, time) -> {
                ThreadTime earlier = before.nodeThreads().get(thread);
                byRole.merge(
                        time.role(), (time.ticks() - (earlier == null ? 0 : earlier.ticks())) * msPerTick, Double::sum);
            });
            return new CpuPerSubmit(
                    nodes * msPerTick,
                    byRole,
                    postgres * msPerTick,
                    allPostgres * msPerTick,
                    proxy * msPerTick,
                    loadGenerator * msPerTick,
                    Math.max(0, others) / (double) TICKS_PER_SECOND / seconds,
                    after.nodeThreads().values().stream()
                            .filter(t -> t.role().equals(THREAD_ROLES.get(0).getKey()))
                            .count());
        }
    }

    /** What a node's threads do, by their names (Linux keeps 15 characters of them). */
    static final List<Map.Entry<String, Pattern>> THREAD_ROLES = List.of(
            Map.entry("HTTP (Jetty's threads)", Pattern.compile("^qtp")),
            Map.entry("submit writers", Pattern.compile("^cohort-submits")),
            Map.entry("JIT compilers", Pattern.compile("CompilerThre")),
            Map.entry("GC and VM", Pattern.compile("^(VM Thread|GC |G1 |VM Periodic)")),
            Map.entry("other", Pattern.compile("")));

    /** A thread's role ({@link #THREAD_ROLES}) and its CPU ticks so far. */
    record ThreadTime(String role, long ticks) {}

    /** The nodes' threads by "pid/tid" (a thread that ended between two readings is not counted). */
    static Map<String, ThreadTime> threadTicks(List<Long> pids) throws IOException {
        Map<String, ThreadTime> ticks = new HashMap<>();
        for (long pid : pids) {
            Path tasks = Path.of("/proc", String.valueOf(pid), "task");
            if (!Files.isDirectory(tasks)) {
                continue;
            }
            try (Stream<Path> threads = Files.list(tasks)) {
                for (Path thread : threads.toList()) {
                    String stat = readText(thread.resolve("stat"));
                    if (stat.isEmpty()) {
                        continue;
                    }
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String role = THREAD_ROLES.stream()
                            .filter(r -> r.getValue().matcher(name).find())
                            .findFirst()
                            .orElseThrow()
                            .getKey();
                    ticks.put(pid + "/" + thread.getFileName(), new ThreadTime(role, statTicks(stat)));
                }
            }
        }
        return ticks;
    }

    /** A backend's title: "postgres: [cluster: ]user database host(port) activity". */
    static final Pattern BACKEND = Pattern.compile("^postgres: (?:\\S+: )?\\S+ (\\S+) (?:\\S+\\(\\d+\\)|\\[local\\])");

    static final Pattern AUTOVACUUM = Pattern.compile("autovacuum worker (\\S+)");

    /** The database a postgres process works for, from its title; null for the server's own processes. */
    static String databaseOf(String title) {
        Matcher m = BACKEND.matcher(title);
        if (m.find()) {
            return m.group(1);
        }
        m = AUTOVACUUM.matcher(title);
        return m.find() ? m.group(1) : null;
    }

    static Map<Long, Long> ticks(List<Long> pids) {
        Map<Long, Long> ticks = new HashMap<>();
        for (long pid : pids) {
            ticks(pid, ticks);
        }
        return ticks;
    }

    /** Adds the CPU ticks of {@code pid} to {@code into}, if it still runs. */
    static void ticks(long pid, Map<Long, Long> into) {
        String stat = readText(Path.of("/proc", String.valueOf(pid), "stat"));
        if (!stat.isEmpty()) {
            into.put(pid, statTicks(stat));
        }
    }

    /** utime + stime (fields 14 and 15) of a process's or thread's stat line. */
    static long statTicks(String stat) {
        // The name in parentheses may hold spaces: count fields from the last ')', where field 3 starts.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** A file's text; empty if it cannot be read (a process that just ended). */
    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** Prints the table; false if a rows check failed. */
    boolean report(List<Figures> figures) {
        System.out.printf(
                "%n== Cluster submit: %d participants, %d s measured after %d s warm-up%n", clients, seconds, warmup);
        StringBuilder head = new StringBuilder("%-44s".formatted(""));
        for (Figures f : figures) {
            head.append("%12s".formatted(f.size() + (f.size() == 1 ? " node" : " nodes")));
        }
        System.out.println(head);
        Figures first = figures.get(0);
        boolean rounds = figures.get(figures.size() - 1).round() > 1;
        if (rounds) {
            row(figures, "round", f -> f.round(), "%12.0f");
        }
        row(figures, "saturation, submits/s", f -> f.saturation().result().perSecond(), "%12.0f");
        String ratio = "  ratio to " + first.size() + (first.size() == 1 ? " node" : " nodes");
        if (figures.size() > 1) {
            row(figures, ratio + (rounds ? " (same round)" : ""), f -> ratio(figures, f), "%12.2f");
        }
        row(
                figures,
                "paced (think " + thinkMs + " ms), p50 ms",
                f -> f.paced().result().p(50),
                "%12.1f");
        row(figures, "  p95 ms", f -> f.paced().result().p(95), "%12.1f");
        row(figures, "  p99 ms", f -> f.paced().result().p(99), "%12.1f");
        row(figures, "  max ms", f -> f.paced().result().p(100), "%12.1f");
        row(figures, "  submits/s", f -> f.paced().result().perSecond(), "%12.0f");
        row(
                figures,
                "Jetty threads at the window's end (sum)",
                f -> f.saturation().cpu().httpThreads(),
                "%12.0f");
        System.out.println("CPU ms per submit, at saturation:");
        row(figures, "  nodes (sum)", f -> f.saturation().cpu().nodes(), "%12.2f");
        for (Map.Entry<String, Pattern> role : THREAD_ROLES) {
            row(
                    figures,
                    "    " + role.getKey(),
                    f -> f.saturation().cpu().nodeThreads().get(role.getKey()),
                    "%12.3f");
        }
        row(
                figures,
                "  PostgreSQL (this database + server)",
                f -> f.saturation().cpu().postgres(),
                "%12.2f");
        row(figures, "  PostgreSQL, all processes", f -> f.saturation().cpu().allPostgres(), "%12.2f");
        row(figures, "  HAProxy", f -> f.saturation().cpu().proxy(), "%12.2f");
        row(figures, "  load generator (this JVM)", f -> f.saturation().cpu().loadGenerator(), "%12.2f");
        row(
                figures,
                "other work on the machine, cores busy",
                f -> f.saturation().cpu().otherCores(),
                "%12.2f");
        row(
                figures,
                "one PostgreSQL feeds about N nodes",
                f -> f.saturation().cpu().nodes() / f.saturation().cpu().postgres(),
                "%12.1f");
        boolean ok = true;
        StringBuilder checks = new StringBuilder("%-44s".formatted("every 303 stored (all phases)"));
        for (Figures f : figures) {
            boolean sizeOk = f.saturation().rowsOk()
                    && f.paced().rowsOk()
                    && (f.kill() == null || f.kill().rowsOk());
            checks.append("%12s".formatted(sizeOk ? "OK" : "MISMATCH"));
            ok &= sizeOk;
        }
        System.out.println(checks);
        if (rounds) {
            // The median over rounds: one round's ratio moves by a few hundredths with what the machine does meanwhile.
            for (int size : figures.stream().map(Figures::size).distinct().toList()) {
                List<Double> ratios = figures.stream()
                        .filter(f -> f.size() == size && f.size() != first.size())
                        .map(f -> ratio(figures, f))
                        .sorted()
                        .toList();
                if (!ratios.isEmpty()) {
                    System.out.printf(
                            "%s, %d nodes: %s; median %.2f%n",
                            ratio.strip(),
                            size,
                            ratios.stream().map("%.2f"::formatted).toList(),
                            ratios.get(ratios.size() / 2));
                }
            }
        }
        for (Figures f : figures) {
            if (f.kill() == null) {
                continue;
            }
            Phase k = f.kill();
            List<Long> failed = k.failureMillis();
            List<Long> back = k.recoveryMillis();
            System.out.printf("%nkill -9 of one of %d nodes, under paced load (%d participants):%n", f.size(), clients);
            System.out.printf(
                    "  participants whose submit failed after the kill: %d (failures: %s)%n",
                    failed.size(), k.failures());
            if (!failed.isEmpty()) {
                System.out.printf(
                        "  their first failure came %d to %d ms after the kill%n",
                        failed.get(0), failed.get(failed.size() - 1));
            }
            if (!back.isEmpty()) {
                System.out.printf(
                        "  kill -> their next accepted submit: p50 %d ms, max %d ms%n",
                        back.get((back.size() - 1) / 2), back.get(back.size() - 1));
            }
            if (back.size() < failed.size()) {
                System.out.printf("  not accepted again before the end: %d%n", failed.size() - back.size());
            }
            System.out.printf(
                    "  everyone after the kill: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f submits/s%n",
                    k.result().p(50),
                    k.result().p(99),
                    k.result().p(100),
                    k.result().perSecond());
            System.out.printf("  accepted submits = stored rows / 5: %s%n", k.rowsOk() ? "OK" : "MISMATCH");
        }
        return ok;
    }

    /** Saturation throughput over that of the first size in the same round; NaN for the first size itself. */
    private static double ratio(List<Figures> figures, Figures f) {
        Figures base =
                figures.stream().filter(b -> b.round() == f.round()).findFirst().orElseThrow();
        return f.size() == base.size()
                ? Double.NaN
                : f.saturation().result().perSecond()
                        / base.saturation().result().perSecond();
    }

    private static void row(
            List<Figures> figures, String label, java.util.function.ToDoubleFunction<Figures> value, String format) {
        StringBuilder line = new StringBuilder("%-44s".formatted(label));
        for (Figures f : figures) {
            double v = value.applyAsDouble(f);
            line.append(Double.isNaN(v) ? "%12s".formatted("") : format.formatted(v));
        }
        System.out.println(line);
    }
}
