package io.cohort.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Cold start: time from launching {@code bin/cohort run} to the first {@code 200} on
 * {@code GET /healthz}, each run on a fresh {@code COHORT_HOME} and a fresh database.
 *
 * <pre>
 * java -cp bench/target/classes:bench/target/lib/* io.cohort.bench.ColdStart \
 *      [DIST_DIR] [--runs N] [--mode embedded|external|both] [--timeout SECONDS] [--keep]
 * </pre>
 *
 * DIST_DIR is the unpacked distribution ({@code distribution/target/cohort-VERSION});
 * it may also come from {@code -Dcohort.dist=...}. Runs default to 5 per mode
 * ({@code -Dbench.runs}), plus one warm-up per mode that is not counted (the first
 * embedded start unpacks the PostgreSQL binaries).
 *
 * <ul>
 *   <li><b>embedded</b>: {@code COHORT_DB_URL} empty, the platform starts its embedded
 *       PostgreSQL under {@code COHORT_HOME/data/pg}. Target: under 5 s.</li>
 *   <li><b>external</b>: a fresh database created on the server of
 *       {@code COHORT_BENCH_DB_URL} (default
 *       {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}) and dropped
 *       afterwards. Target: under 2 s. Skipped if that server is not reachable.</li>
 * </ul>
 */
public final class ColdStart {

    static final String DEFAULT_ADMIN_DB_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
    static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    static final double EMBEDDED_TARGET_S = 5.0;
    static final double EXTERNAL_TARGET_S = 2.0;

    private final Path dist;
    private final Path launcher;
    private final int runs;
    private final Duration timeout;
    private final boolean keep;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(250))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    ColdStart(Path dist, int runs, Duration timeout, boolean keep) {
        this.dist = dist;
        this.launcher = dist.resolve("bin").resolve("cohort");
        this.runs = runs;
        this.timeout = timeout;
        this.keep = keep;
    }

    public static void main(String[] args) throws Exception {
        String distArg = System.getProperty("cohort.dist");
        int runs = Integer.getInteger("bench.runs", 5);
        String mode = System.getProperty("bench.mode", "both");
        long timeoutS = Long.getLong("bench.timeout", 120L);
        boolean keep = Boolean.getBoolean("bench.keep");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value(args, ++i, "--runs"));
                case "--mode" -> mode = value(args, ++i, "--mode");
                case "--timeout" -> timeoutS = Long.parseLong(value(args, ++i, "--timeout"));
                case "--keep" -> keep = true;
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        System.err.println("unknown option: " + args[i]);
                        usage();
                        System.exit(2);
                    }
                    distArg = args[i];
                }
            }
        }
        if (distArg == null) {
            System.err.println("no distribution directory given");
            usage();
            System.exit(2);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
        mode = mode.toLowerCase(Locale.ROOT);
        if (!List.of("embedded", "external", "both").contains(mode)) {
            throw new IllegalArgumentException("--mode must be embedded, external or both: " + mode);
        }
        Path dist = Paths.get(distArg).toAbsolutePath().normalize();
        Path launcher = dist.resolve("bin").resolve("cohort");
        if (!Files.isExecutable(launcher)) {
            System.err.println("not an unpacked distribution (no executable bin/cohort): " + dist);
            System.exit(2);
        }

        ColdStart bench = new ColdStart(dist, runs, Duration.ofSeconds(timeoutS), keep);
        System.out.printf("Cohort cold start: %s, %d run(s) per mode + 1 warm-up%n", dist, runs);

        List<String> report = new ArrayList<>();
        boolean failed = false;
        if (!mode.equals("external")) {
            Result r = bench.series("embedded", EMBEDDED_TARGET_S, null);
            report.add(r.line());
            failed |= r.failed();
        }
        if (!mode.equals("embedded")) {
            String adminUrl = envOr("COHORT_BENCH_DB_URL", DEFAULT_ADMIN_DB_URL);
            String problem = reachable(adminUrl);
            if (problem != null) {
                String line = String.format(
                        "%-9s skipped: PostgreSQL not reachable at %s (%s)", "external", adminUrl, problem);
                System.out.println(line);
                report.add(line);
            } else {
                Result r = bench.series("external", EXTERNAL_TARGET_S, adminUrl);
                report.add(r.line());
                failed |= r.failed();
            }
        }
        System.out.println();
        System.out.println("== cold start: launch -> first 200 on /healthz ==");
        report.forEach(System.out::println);
        if (failed) {
            System.exit(1);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.err.println(
                "usage: ColdStart DIST_DIR [--runs N] [--mode embedded|external|both] [--timeout SECONDS] [--keep]");
        System.err.println(
                "  DIST_DIR  unpacked distribution, e.g. distribution/target/cohort-0.1.0-SNAPSHOT (or -Dcohort.dist)");
        System.err.println("  env COHORT_BENCH_DB_URL  admin JDBC URL for the external mode (default "
                + DEFAULT_ADMIN_DB_URL + ")");
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    // ---------------------------------------------------------------- series

    record Result(String mode, double targetS, List<Double> seconds, List<String> errors) {
        boolean failed() {
            return !errors.isEmpty();
        }

        String line() {
            if (seconds.isEmpty()) {
                return String.format("%-9s FAILED (%d error(s)): %s", mode, errors.size(), errors.get(0));
            }
            List<Double> s = new ArrayList<>(seconds);
            Collections.sort(s);
            double min = s.get(0);
            double max = s.get(s.size() - 1);
            int n = s.size();
            double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
            String verdict = median < targetS ? "OK" : "OVER TARGET";
            String line = String.format(
                    Locale.ROOT,
                    "%-9s n=%d  min %.2f s  median %.2f s  max %.2f s   target < %.0f s: %s",
                    mode,
                    n,
                    min,
                    median,
                    max,
                    targetS,
                    verdict);
            if (!errors.isEmpty()) {
                line += String.format("  (%d run(s) failed: %s)", errors.size(), errors.get(0));
            }
            return line;
        }
    }

    Result series(String mode, double targetS, String adminUrl) {
        List<Double> seconds = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            String label = i == 0 ? "warm-up" : "run " + i + "/" + runs;
            try {
                double s = once(adminUrl);
                System.out.printf(Locale.ROOT, "%-9s %-9s %.2f s%n", mode, label, s);
                if (i > 0) {
                    seconds.add(s);
                }
            } catch (Exception e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                System.out.printf("%-9s %-9s FAILED: %s%n", mode, label, msg);
                if (i > 0) {
                    errors.add(msg);
                } else {
                    // a failing warm-up almost always means every run would fail the same way
                    errors.add("warm-up: " + msg);
                    break;
                }
            }
        }
        return new Result(mode, targetS, seconds, errors);
    }

    // ---------------------------------------------------------------- one run

    /** One cold start; returns seconds from process start to the first 200 on /healthz. */
    double once(String adminUrl) throws Exception {
        Path home = Files.createTempDirectory("cohort-bench-");
        String database = null;
        Process process = null;
        List<ProcessHandle> children = List.of();
        Path log = home.resolve("cohort.log");
        boolean ok = false;
        try {
            prepareHome(home);
            int port = freePort();
            String dbUrl = "";
            if (adminUrl != null) {
                database = "cohort_bench_" + Long.toHexString(System.nanoTime())
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
                createDatabase(adminUrl, database);
                dbUrl = withDatabase(adminUrl, database);
            }

            ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("COHORT_HOME", home.toString());
            env.put("COHORT_PORT", Integer.toString(port));
            env.put("COHORT_ADMIN_PASSWORD", "bench");
            env.put("COHORT_DB_URL", dbUrl);

            URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
            HttpRequest request = HttpRequest.newBuilder(health)
                    .timeout(Duration.ofSeconds(1))
                    .GET()
                    .build();

            long t0 = System.nanoTime();
            process = pb.start();
            long deadline = t0 + timeout.toNanos();
            while (true) {
                if (healthy(request)) {
                    long t1 = System.nanoTime();
                    ok = true;
                    return (t1 - t0) / 1e9;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("cohort exited with " + process.exitValue()
                            + " before /healthz answered 200; log " + log + ":\n" + tail(log, 30));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no 200 on " + health + " within " + timeout.toSeconds()
                            + " s; log " + log + ":\n" + tail(log, 30));
                }
                children = merge(children, process.descendants().collect(Collectors.toList()));
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
        } finally {
            if (process != null) {
                children = merge(children, process.descendants().collect(Collectors.toList()));
                stop(process, children);
            }
            if (database != null) {
                try {
                    dropDatabase(adminUrl, database);
                } catch (SQLException e) {
                    System.err.println("could not drop database " + database + ": " + e.getMessage());
                }
            }
            if (ok && !keep) {
                deleteTree(home);
            } else if (!ok || keep) {
                System.err.println("kept " + home);
            }
        }
    }

    /** A fresh home as a user would have it: the shipped conf/ and an empty deploy/. */
    private void prepareHome(Path home) throws IOException {
        Path conf = dist.resolve("conf");
        if (Files.isDirectory(conf)) {
            Path target = home.resolve("conf");
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(conf)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        Files.createDirectories(home.resolve("deploy"));
    }

    private boolean healthy(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** destroy (SIGTERM), wait, then destroyForcibly; the same for anything it left behind (postgres). */
    private static void stop(Process process, List<ProcessHandle> children) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            System.err.println("cohort did not stop within 30 s of SIGTERM; killing it");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle child : children) {
            while (child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (child.isAlive()) {
                System.err.println("leftover child process " + child.pid() + " "
                        + child.info().command().orElse("") + "; killing it");
                child.destroyForcibly();
            }
        }
    }

    private static List<ProcessHandle> merge(List<ProcessHandle> known, List<ProcessHandle> now) {
        if (now.isEmpty()) {
            return known;
        }
        List<ProcessHandle> all = new ArrayList<>(known);
        for (ProcessHandle p : now) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        return all;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    // ---------------------------------------------------------------- database

    /** Null if a connection can be made with this URL, else why not. */
    static String reachable(String adminUrl) {
        try (Connection c = DriverManager.getConnection(adminUrl)) {
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    static void createDatabase(String adminUrl, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
    }

    static void dropDatabase(String adminUrl, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            st.execute("DROP DATABASE IF EXISTS " + name);
        }
    }

    /**
     * The same server, user and parameters as {@code adminUrl}, another database:
     * {@code jdbc:postgresql://h:p/postgres?user=x} becomes {@code jdbc:postgresql://h:p/NAME?user=x}.
     */
    static String withDatabase(String adminUrl, String database) {
        String prefix = "jdbc:postgresql://";
        if (!adminUrl.startsWith(prefix)) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + adminUrl);
        }
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        String query = q < 0 ? "" : adminUrl.substring(q);
        int slash = base.indexOf('/', prefix.length());
        String authority = slash < 0 ? base : base.substring(0, slash);
        return authority + "/" + database + query;
    }

    // ---------------------------------------------------------------- files

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }
}
