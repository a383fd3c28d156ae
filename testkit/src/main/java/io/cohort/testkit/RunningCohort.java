package io.cohort.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A distribution folder's {@code bin/cohort run} as a child process, for end-to-end tests. By default it gets a
 * new home folder, a new empty database ({@link TestDatabase#create()}), a free port, a random password for the
 * account {@code admin} and a random API token. Its stdout and stderr go to {@code cohort.out} and
 * {@code cohort.err} in the home folder. {@link Builder#start()} returns once {@code /healthz} answers 200;
 * {@link #close()} stops the process.
 *
 * <pre>{@code
 * try (RunningCohort cohort = RunningCohort.in(distribution).start()) {
 *     AdminHttp admin = cohort.admin();
 *     assertEquals(200, admin.get("/admin/plugins").status());
 * }
 * }</pre>
 */
public final class RunningCohort implements AutoCloseable {

    /** The system property the distribution module's tests receive the folder in. */
    public static final String DISTRIBUTION_PROPERTY = "cohort.distribution";

    /** Where new home folders go (each run's logs stay there); the temporary folder if not set. */
    public static final String HOMES_PROPERTY = "cohort.test.homes";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path home;
    private final int port;
    private final String adminPassword;
    private final String apiToken;
    private final String databaseUrl;

    private RunningCohort(
            Process process, Path home, int port, String adminPassword, String apiToken, String databaseUrl) {
        this.databaseUrl = databaseUrl;
        this.process = process;
        this.home = home;
        this.port = port;
        this.adminPassword = adminPassword;
        this.apiToken = apiToken;
    }

    /** Settings for a run of the distribution in {@code distribution} (the folder holding {@code bin/cohort}). */
    public static Builder in(Path distribution) {
        return new Builder(distribution);
    }

    /** Settings for a run of the distribution named by the system property {@value #DISTRIBUTION_PROPERTY}. */
    public static Builder fromSystemProperty() {
        String folder = System.getProperty(DISTRIBUTION_PROPERTY);
        if (folder == null || folder.isBlank()) {
            throw new IllegalStateException("system property " + DISTRIBUTION_PROPERTY + " is not set: it names the"
                    + " unpacked distribution (the folder with bin/cohort)");
        }
        return in(Path.of(folder));
    }

    /** How a run that was expected to end by itself ended. */
    public record Exit(int code, String stdout, String stderr) {

        /** The non-empty lines of stderr. */
        public List<String> stderrLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** What to start: home folder, environment, account, database. */
    public static final class Builder {

        private final Path distribution;
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path home;
        private Duration startTimeout = Duration.ofSeconds(60);

        private final Set<String> unset = new HashSet<>();
        private final List<String> arguments = new ArrayList<>();

        private Builder(Path distribution) {
            this.distribution = distribution.toAbsolutePath().normalize();
        }

        /** The home folder (conf/, deploy/, data/); a new folder under {@value RunningCohort#HOMES_PROPERTY} if not given. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /**
         * Sets an environment variable of the process. A null value leaves it unset, also the ones given a
         * default here ({@code COHORT_PORT}, {@code COHORT_DB_URL}, {@code COHORT_ADMIN_PASSWORD},
         * {@code COHORT_API_TOKEN}), so that {@code conf/cohort.properties} decides.
         */
        public Builder env(String name, String value) {
            if (value == null) {
                env.remove(name);
                unset.add(name);
            } else {
                env.put(name, value);
                unset.remove(name);
            }
            return this;
        }

        /** Arguments after {@code run}, e.g. {@code --demo}. */
        public Builder arguments(String... more) {
            arguments.addAll(List.of(more));
            return this;
        }

        /** Starts with no {@code COHORT_ADMIN_PASSWORD}, so no admin account unless conf/ has one. */
        public Builder withoutAdminAccount() {
            return env("COHORT_ADMIN_PASSWORD", null);
        }

        /** Writes {@code conf/cohort.properties} in the home folder (give {@link #home} first, if at all). */
        public Builder properties(String content) {
            try {
                Path conf = home().resolve("conf");
                Files.createDirectories(conf);
                Files.writeString(conf.resolve("cohort.properties"), content, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** The home folder this run will use (made now, empty, outside the install, unless one was given). */
        public Path home() {
            if (home == null) {
                try {
                    String parent = System.getProperty(HOMES_PROPERTY);
                    if (parent == null || parent.isBlank()) {
                        home = Files.createTempDirectory("cohort-home-");
                    } else {
                        home = Files.createTempDirectory(Files.createDirectories(Path.of(parent)), "cohort-home-");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return home;
        }

        /** Starts the process and waits until {@code /healthz} answers 200; fails with the log's tail if not. */
        public RunningCohort start() {
            Process process = launch();
            if (!env.containsKey("COHORT_PORT")) {
                stop(process);
                throw new IllegalStateException("start() needs COHORT_PORT (leave it to the default, a free port)");
            }
            int port = Integer.parseInt(env.get("COHORT_PORT"));
            RunningCohort cohort = new RunningCohort(
                    process,
                    home(),
                    port,
                    env.get("COHORT_ADMIN_PASSWORD"),
                    env.get("COHORT_API_TOKEN"),
                    env.get("COHORT_DB_URL"));
            try {
                cohort.awaitHealthy(startTimeout);
            } catch (RuntimeException | Error e) {
                cohort.close();
                throw e;
            }
            return cohort;
        }

        /** Runs a start-up that is expected to stop by itself (bad configuration) and returns how it ended. */
        public Exit runToExit(Duration timeout) {
            Process process = launch();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    stop(process);
                    throw new AssertionError(
                            "bin/cohort run did not exit within " + timeout + "; log:\n" + tail(home(), 40));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new IllegalStateException(e);
            }
            return new Exit(
                    process.exitValue(), read(home().resolve("cohort.out")), read(home().resolve("cohort.err")));
        }

        private void defaultTo(String name, Supplier<String> value) {
            if (!env.containsKey(name) && !unset.contains(name)) {
                env.put(name, value.get());
            }
        }

        private Process launch() {
            Path script = distribution.resolve("bin/cohort");
            if (!Files.isExecutable(script)) {
                throw new IllegalStateException(script + " is missing or not executable: build the distribution first");
            }
            Path home = home();
            List<String> command = new ArrayList<>(List.of(script.toString(), "run"));
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command);
            Map<String, String> processEnv = builder.environment();
            processEnv.keySet().removeIf(name -> name.startsWith("COHORT_"));
            processEnv.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
            processEnv.put("COHORT_HOME", home.toString());
            defaultTo("COHORT_PORT", () -> String.valueOf(freePort()));
            defaultTo("COHORT_ADMIN_PASSWORD", RunningCohort::randomToken);
            defaultTo("COHORT_API_TOKEN", RunningCohort::randomToken);
            defaultTo("COHORT_DB_URL", TestDatabase::create);
            processEnv.putAll(env);
            builder.redirectOutput(home.resolve("cohort.out").toFile());
            builder.redirectError(home.resolve("cohort.err").toFile());
            try {
                return builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + script, e);
            }
        }
    }

    /** {@code http://127.0.0.1:<port>} */
    /** The node's database ({@code COHORT_DB_URL}), for a test that looks underneath. */
    public String databaseUrl() {
        return databaseUrl;
    }

    /** The first column of the first row of {@code query} on the node's database, as text (null if none). */
    public String sql(String query) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(databaseUrl);
                java.sql.ResultSet rs = c.createStatement().executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(query + ": " + e.getMessage(), e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public Path home() {
        return home;
    }

    public Path deployDir() {
        return home.resolve("deploy");
    }

    /** The password of {@code admin}, or null when started without one. */
    public String adminPassword() {
        return adminPassword;
    }

    public String apiToken() {
        return apiToken;
    }

    /** The JVM's process id (the launcher execs java), e.g. for {@code jcmd}. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A client with no login. */
    public AdminHttp http() {
        return new AdminHttp(url());
    }

    /** A client logged in as {@code admin}. */
    public AdminHttp admin() {
        AdminHttp http = http();
        AdminHttp.Response login = http.login("admin", adminPassword);
        if (login.status() != 302) {
            throw new AssertionError("login as admin answered " + login.status() + ": " + login.body());
        }
        return http;
    }

    /** A client that authenticates with the API token. */
    public AdminHttp api() {
        return http().bearer(apiToken);
    }

    /** What the process wrote on stdout so far. */
    public String stdout() {
        return read(home.resolve("cohort.out"));
    }

    /** What the node wrote to standard error (its warnings), then its log file ({@code data/logs/cohort.log}). */
    public String stderr() {
        return read(home.resolve("cohort.err")) + read(home.resolve("data/logs/cohort.log"));
    }

    /** Standard error only: what the console showed the lab. */
    public String console() {
        return read(home.resolve("cohort.err"));
    }

    /** Waits until stdout has a match of {@code pattern} and returns it (group 1 if there is one). */
    public String awaitStdout(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(stdout());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no match of " + pattern + " on stdout within " + timeout + "; log:\n" + tail(home, 40));
            }
            sleep(100);
        }
    }

    private void awaitHealthy(Duration timeout) {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(url().resolve("/healthz"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("bin/cohort run exited with code " + process.exitValue()
                        + " before /healthz answered; log:\n" + tail(home, 40));
            }
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/healthz did not answer 200 within " + timeout + " on port " + port
                        + "; log:\n" + tail(home, 40));
            }
            sleep(100);
        }
    }

    /** Kills the process at once (SIGKILL: no shutdown hooks, nothing flushed), as a crash or an OOM killer would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the process (SIGTERM, then a kill if it does not end in time). */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of stdout and of stderr. */
    private static String tail(Path home, int lines) {
        return "--- stdout ---\n" + lastLines(read(home.resolve("cohort.out")), lines) + "\n--- stderr ---\n"
                + lastLines(read(home.resolve("cohort.err")), lines);
    }

    private static String lastLines(String text, int count) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
