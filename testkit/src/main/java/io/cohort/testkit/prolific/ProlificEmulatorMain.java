package io.cohort.testkit.prolific;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The emulator as a process ({@code bin/cohort prolific-emulator}): serves until killed. */
@Command(
        name = "prolific-emulator",
        mixinStandardHelpOptions = true,
        description = "Runs a loopback Prolific API (v1) and its participant site until killed.")
public final class ProlificEmulatorMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--port",
            description = "port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 = any free one)",
            defaultValue = "9991")
    int port;

    @Option(
            names = "--balance",
            description = "the workspace's starting balance (default ${DEFAULT-VALUE})",
            defaultValue = "10000.00")
    String balance;

    @Option(
            names = "--rate",
            description = "API requests per second before 429 (default ${DEFAULT-VALUE} = no limit)",
            defaultValue = "0")
    double rate;

    @Option(names = "--token", description = "the API token to accept (default: a random one, printed)")
    String token;

    @Option(
            names = "--fee-percent",
            description = "Prolific's service fee, percent of rewards and bonuses (default ${DEFAULT-VALUE})",
            defaultValue = "33.33")
    BigDecimal feePercent;

    @Option(
            names = "--vat-percent",
            description = "VAT, percent of the fee (default ${DEFAULT-VALUE})",
            defaultValue = "0")
    BigDecimal vatPercent;

    @Option(names = "--currency", description = "GBP or USD (default ${DEFAULT-VALUE})", defaultValue = "GBP")
    String currency;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command; returns at once with an exit code if the options are wrong, otherwise serves until killed. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ProlificEmulatorMain());
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw usage("--port must be 0 to 65535, not " + port);
        if (rate < 0) throw usage("--rate must be 0 (no limit) or more, not " + rate);
        if (feePercent.signum() < 0 || feePercent.compareTo(BigDecimal.valueOf(100)) > 0)
            throw usage("--fee-percent must be 0 to 100, not " + feePercent);
        if (vatPercent.signum() < 0 || vatPercent.compareTo(BigDecimal.valueOf(100)) > 0)
            throw usage("--vat-percent must be 0 to 100, not " + vatPercent);
        if (!currency.equals("GBP") && !currency.equals("USD"))
            throw usage("--currency must be GBP or USD, not " + currency);
        try {
            ProlificEmulator.parseAmount(balance);
        } catch (IllegalArgumentException e) {
            throw usage("--balance '" + balance + "' is not an amount such as 10000.00");
        }
        if (token != null && (token.isBlank() || token.contains(" ")))
            throw usage("--token must be one word, not '" + token + "'");
        ProlificEmulator emulator;
        try {
            emulator = ProlificEmulator.start(port);
        } catch (BindException e) {
            throw usage("port " + port + " on 127.0.0.1 is in use");
        } catch (IOException e) {
            throw usage("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
        emulator.currency(currency).feePercent(feePercent).vatPercent(vatPercent);
        emulator.balance(balance);
        if (token != null) emulator.token(token);
        if (rate > 0) emulator.rateLimit(rate, (int) Math.max(1, Math.ceil(rate)));
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "prolific-emulator-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Prolific emulator: API " + emulator.baseUrl() + "/api/v1/  participants "
                + emulator.participantSite() + "  token " + emulator.token() + "  workspace "
                + emulator.workspaceId());
        out.flush();
        new CountDownLatch(1).await(); // the server's threads are daemons: hold the JVM until it is killed
        return 0;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
