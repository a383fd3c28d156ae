package io.cohort.platform;

import io.cohort.platform.db.Database;
import io.cohort.platform.dump.DatabaseDump;
import io.cohort.platform.osgi.EmbeddedFelix;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
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

/** {@code bin/cohort}: run a node, dump or restore its database. */
@Command(
        name = "cohort",
        mixinStandardHelpOptions = true,
        version = "Cohort 0.1.0",
        description = "Online behavioural experiments: participants, live admin, crowd recruitment and payment.",
        subcommands = {Main.Run.class, Main.Dump.class, Main.Restore.class})
public final class Main {

    public static void main(String[] args) {
        int code = execute(args);
        if (code != 0 || args.length == 0 || !"run".equals(args[0])) {
            System.exit(code);
        }
    }

    /** Runs one command and returns its exit code; {@code run} returns once the node is serving. */
    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
    static Config config() {
        Path install = Path.of(System.getProperty("cohort.install", "."))
                .toAbsolutePath()
                .normalize();
        String home = System.getenv("COHORT_HOME");
        Path homeDir = home == null || home.isBlank()
                ? install
                : Path.of(home).toAbsolutePath().normalize();
        return Config.load(install, homeDir, System.getenv());
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

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start a node and serve until stopped.")
    static final class Run implements Callable<Integer> {

        @Override
        public Integer call() throws BundleException {
            long started = System.nanoTime();
            Config config = config();
            Host.refuseOpenWithoutAccounts(config);
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
                EmbeddedFelix.startHotDeploy(framework);
            } catch (RuntimeException | BundleException e) {
                // Felix's threads are not daemons: stop it or the JVM would hang.
                EmbeddedFelix.stop(framework);
                throw e;
            }
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                host.close();
                                EmbeddedFelix.stop(framework);
                            },
                            "cohort-shutdown"));
            System.out.printf(
                    "Cohort is running at %s (started in %d ms, home %s)%n",
                    host.url(), (System.nanoTime() - started) / 1_000_000, config.home());
            String autoLogin = host.autoLoginUrl();
            if (autoLogin != null) {
                System.out.println("No admin account is configured. Log in once with: " + autoLogin);
            }
            return 0;
        }
    }
}
