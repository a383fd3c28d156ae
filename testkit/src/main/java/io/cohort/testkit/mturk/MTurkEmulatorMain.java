package io.cohort.testkit.mturk;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The emulator as a process ({@code bin/cohort mturk-emulator}): serves until killed. */
@Command(
        name = "mturk-emulator",
        mixinStandardHelpOptions = true,
        description = "Runs a loopback MTurk Requester API (for the AWS SDK) and its worker site until killed.")
public final class MTurkEmulatorMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--port",
            description = "port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free one)",
            defaultValue = "9990")
    int port;

    @Option(
            names = "--balance",
            description = "starting available balance (default ${DEFAULT-VALUE})",
            defaultValue = "10000.00")
    String balance;

    @Option(
            names = "--rate",
            description = "requests per second before ThrottlingException (default ${DEFAULT-VALUE} = no limit)",
            defaultValue = "0")
    double rate;

    @Option(
            names = "--access-key-id",
            description = "with --secret-key: only SigV4 requests signed with this key are served")
    String accessKeyId;

    @Option(names = "--secret-key", description = "the secret of --access-key-id")
    String secretKey;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command; returns at once with an exit code if the options are wrong, otherwise serves until killed. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new MTurkEmulatorMain());
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw usage("--port must be 0 to 65535, not " + port);
        if (rate < 0) throw usage("--rate must be 0 (no limit) or more, not " + rate);
        if ((accessKeyId == null) != (secretKey == null)) throw usage("--access-key-id and --secret-key go together");
        MTurkEmulator emulator;
        try {
            emulator = MTurkEmulator.start(port);
        } catch (BindException e) {
            throw usage("port " + port + " on 127.0.0.1 is in use");
        } catch (IOException e) {
            throw usage("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
        try {
            emulator.balance(balance);
        } catch (RuntimeException e) {
            emulator.close();
            throw usage("--balance '" + balance + "' is not an amount such as 10000.00");
        }
        if (rate > 0) emulator.rateLimit(rate, (int) Math.max(1, Math.ceil(rate)));
        if (accessKeyId != null) emulator.credentials(accessKeyId, secretKey);
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "mturk-emulator-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("MTurk emulator: API " + emulator.endpoint() + "/  workers " + emulator.workerSite());
        out.flush();
        new CountDownLatch(1).await(); // the server's threads are daemons: hold the JVM until it is killed
        return 0;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
