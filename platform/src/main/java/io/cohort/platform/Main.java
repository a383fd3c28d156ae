package io.cohort.platform;

import io.cohort.platform.db.Database;
import io.cohort.platform.dump.DatabaseDump;
import io.cohort.platform.osgi.EmbeddedFelix;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPOutputStream;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/cohort}: run a node, dump or restore its database, or a console for a running node. */
@Command(
        name = "cohort",
        mixinStandardHelpOptions = true,
        version = "Cohort 0.1.0",
        description = "Online behavioural experiments: participants, live admin, crowd recruitment and payment.",
        subcommands = {
            Main.Run.class,
            Main.Dump.class,
            Main.Restore.class,
            Main.ImportPsiturk.class,
            io.cohort.platform.console.ConsoleCommand.class
        },
        footerHeading = "%n",
        footer = {
            "Also (handled by bin/cohort itself):",
            "  run --demo       run with local MTurk and Prolific emulators beside it (see cohort run --help)",
            "  mturk-emulator [--port N] [--balance 10000.00] [--rate R]",
            "                   only the MTurk emulator: Requester API and a worker site at /worker/",
            "  prolific-emulator [--port N] [--balance 10000.00] [--rate R] [--token T]",
            "                   only the Prolific emulator: API v1 (docs/prolific-api.md) and a participant",
            "                   site at /participant/; also --fee-percent, --vat-percent, --currency",
            "",
            "Environment:",
            "  COHORT_HOME            where conf/, deploy/, experiments/ and data/ are (default: the install folder)",
            "  COHORT_PORT            the HTTP port (default 8080; empty means the default)",
            "  COHORT_DB_URL          a PostgreSQL JDBC URL (default: an embedded PostgreSQL under data/)",
            "  COHORT_ADMIN_PASSWORD  the password of the admin user 'admin'",
            "  COHORT_API_TOKEN       the bearer token of the admin API",
            "  COHORT_DEMO_MTURK_PORT the MTurk emulator's port for run --demo (default 9990)",
            "  COHORT_DEMO_PROLIFIC_PORT the Prolific emulator's port for run --demo (default 9991)",
            "  JAVA_HOME, JAVA_OPTS   the Java to use (17+) and its options",
            "Any setting of conf/cohort.properties can be given as COHORT_<KEY>, e.g. COHORT_NODE_NAME."
        })
public final class Main {

    public static void main(String[] args) {
        // Logging set up here, on one thread, before the framework and the database start side by side: otherwise
        // their first lines race the set-up and SLF4J prints "replaying intercepted calls" notices on the console.
        org.slf4j.LoggerFactory.getILoggerFactory();
        int code = execute(args);
        if (code != 0 || args.length == 0 || !"run".equals(args[0])) {
            System.exit(code);
        }
    }

    /** Runs one command and returns its exit code; {@code run} returns once the node is serving. */
    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // The console's options come first; the words after the first command word are that command's own
        // (extendHIT ID --assignments 2).
        cli.getSubcommands().get("console").setStopAtPositional(true);
        // One clear line for configuration problems, not a stack trace.
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("cohort: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args.length == 0 ? new String[] {"--help"} : args);
    }

    /** The install folder ({@code -Dcohort.install}, set by bin/cohort) and the home folder ({@code COHORT_HOME}). */
    public static Config config() {
        Path install = Path.of(System.getProperty("cohort.install", "."))
                .toAbsolutePath()
                .normalize();
        String home = System.getenv("COHORT_HOME");
        Path homeDir = home == null || home.isBlank()
                ? install
                : Path.of(home).toAbsolutePath().normalize();
        return Config.load(install, homeDir, System.getenv());
    }

    /** One line and exit 2 when another program (often a first Cohort) already listens on the port. */
    static void refuseTakenPort(Config config) {
        if (config.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (IOException e) {
            throw new ConfigException("port " + config.port() + " is in use; set COHORT_PORT");
        }
    }

    @Command(
            name = "dump",
            mixinStandardHelpOptions = true,
            description = "Write a restorable dump of the whole database (gzip'd when FILE ends in .gz).")
    static final class Dump implements Callable<Integer> {

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE",
                description = "Where to write it; - for standard output.")
        Path out;

        @Override
        public Integer call() throws Exception {
            try (Database db = Database.open(config());
                    OutputStream file = out.toString().equals("-") ? System.out : Files.newOutputStream(out);
                    OutputStream sink = out.toString().endsWith(".gz")
                            ? new GZIPOutputStream(file, 1 << 16)
                            : new BufferedOutputStream(file, 1 << 16)) {
                DatabaseDump.dump(db.dataSource(), sink);
            }
            if (!out.toString().equals("-")) {
                System.err.println("cohort: dump written to " + out.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description = "Replace the schemas in a dump with its contents, all or nothing (plain or gzip'd).")
    static final class Restore implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "A file written by 'cohort dump' or the Dump page.")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(file + ": no such file");
            }
            try (Database db = Database.open(config());
                    InputStream in = Files.newInputStream(file)) {
                DatabaseDump.restore(db.dataSource(), in);
            } catch (DatabaseDump.RestoreException e) {
                throw new ConfigException(file + ": " + e.getMessage() + " (nothing was changed)", e);
            }
            System.err.println("cohort: restored " + file);
            return 0;
        }
    }

    @Command(
            name = "import-psiturk",
            mixinStandardHelpOptions = true,
            description = {
                "Copy a psiTurk project (config.txt, templates/, static/) into experiments/ under COHORT_HOME and",
                "report what was found. A project with problems is not copied; each is named with file and line."
            })
    static final class ImportPsiturk implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "The psiTurk project's folder.")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME", description = "The experiment's name (default: the folder's).")
        String name;

        @Override
        public Integer call() throws Exception {
            try {
                io.cohort.platform.psiturk.PsiturkImport.run(
                        dir, config().home().resolve("experiments"), name, System.out);
            } catch (io.cohort.platform.psiturk.PsiturkImport.Refused e) {
                throw new ConfigException(e.getMessage());
            }
            return 0;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Start a node and serve until stopped (Ctrl-C or SIGTERM).",
                "Prints the address, and a one-time login link while no admin password is set.",
                "The full log is in data/logs/cohort.log under COHORT_HOME."
            })
    static final class Run implements Callable<Integer> {

        @Option(
                names = "--demo",
                description = {
                    "Start an MTurk emulator on 127.0.0.1:$COHORT_DEMO_MTURK_PORT (default 9990) first, point the"
                            + " MTurk plugin at it (deploy/io.cohort.mturk.cfg, written once) and stop it with the node.",
                    "Also start a Prolific emulator on 127.0.0.1:$COHORT_DEMO_PROLIFIC_PORT (default 9991, token"
                            + " DEMO), print its API, participant site and token, and stop it with the node."
                })
        boolean demo;

        @Override
        public Integer call() throws BundleException {
            long started = System.nanoTime();
            Config config = config();
            Host.refuseOpenWithoutAccounts(config);
            // Before the database is touched: a second instance on a taken port must change nothing.
            refuseTakenPort(config);
            // The framework and the database start side by side: neither needs the other until the host wires them.
            CompletableFuture<Framework> felix = CompletableFuture.supplyAsync(() -> EmbeddedFelix.start(config));
            Database database;
            try {
                database = Database.open(config);
                database.migrate();
            } catch (RuntimeException e) {
                felix.thenAccept(EmbeddedFelix::stop);
                throw e;
            }
            Framework framework;
            try {
                framework = felix.join();
            } catch (CompletionException e) {
                database.close();
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            Host host;
            try {
                host = Host.start(framework.getBundleContext(), config, database);
            } catch (RuntimeException e) {
                // Felix's threads are not daemons: stop it or the JVM would hang.
                EmbeddedFelix.stop(framework);
                throw e;
            }
            // Before the plugins start: a stop while they still start must close the host (and its database) too.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                host.drain(config.drain());
                                host.close();
                                EmbeddedFelix.stop(framework);
                            },
                            "cohort-shutdown"));
            EmbeddedFelix.startHotDeploy(framework, config);
            System.out.printf(
                    "Cohort is running at %s (started in %d ms, home %s)%n",
                    host.url(), (System.nanoTime() - started) / 1_000_000, config.home());
            if (!config.adminEnabled()) {
                System.out.println("Participants only: the admin pages and the admin API are off on this node"
                        + " (admin.enabled=false).");
            }
            String autoLogin = host.autoLoginUrl();
            if (autoLogin != null) {
                System.out.println("No admin password is set yet: choose the admin password at: " + autoLogin);
            }
            return 0;
        }
    }
}
