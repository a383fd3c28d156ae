package io.cohort.platform.console;

import io.cohort.platform.Config;
import io.cohort.platform.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/cohort console}: nodegame-mturk's console for a running Cohort, through its JSON API only. The flags
 * keep nodegame-mturk's names; commands come from the trailing arguments (several separated by a lone {@code ;}),
 * from standard input's lines when it is not a terminal, or from the prompt (TAB completion, history).
 */
@Command(
        name = "console",
        mixinStandardHelpOptions = true,
        description = {
            "Settle a study on MTurk from a prompt or a script, through a running",
            "Cohort's JSON API: approvals, rejections and bonuses go through the same",
            "ledger as the admin pages, so nothing is paid twice.",
            "Commands: the trailing arguments (several separated by ';'), else the",
            "lines of standard input when it is not a terminal, else a prompt (TAB",
            "completes; history in data/console-history; 'help' lists the commands)."
        })
public final class ConsoleCommand implements Callable<Integer> {

    @Option(
            names = {"-C", "--config"},
            paramLabel = "FILE",
            description =
                    "A properties file with url= and token= (default: conf/cohort.properties' port and api.token).")
    Path configFile;

    @Option(
            names = {"-c", "--connect"},
            description = "Connect first (shows the MTurk mode and balance).")
    boolean connect;

    @Option(
            names = {"-r", "--resultsFile"},
            paramLabel = "FILE",
            description = "Load a results file first.")
    Path resultsFile;

    @Option(
            names = "--game",
            arity = "1..2",
            paramLabel = "NAME [min-max]",
            hideParamSyntax = true,
            description = "Load a game's results first, from its rooms min to max.")
    List<String> game;

    @Option(
            names = {"-i", "--inputCodesFile"},
            paramLabel = "FILE",
            description = "Exit and access codes to check the results against.")
    Path inputCodesFile;

    @Option(
            names = {"-Q", "--getQualificationTypeId"},
            description = "Fetch the requester's first qualification type first.")
    boolean getQualificationTypeId;

    @Option(
            names = {"-H", "--getLastHITId"},
            description = "Fetch the id of the latest HIT first.")
    boolean getLastHitId;

    @Option(
            names = {"-t", "--token"},
            paramLabel = "TOKEN",
            description = "Unique token for one-time operations (extendHIT with it twice extends once).")
    String token;

    @Option(
            names = {"-s", "--sandbox"},
            description = "Refuse to do anything unless Cohort's MTurk plugin is in sandbox mode.")
    boolean sandbox;

    @Option(
            names = {"-d", "--dry"},
            description = "Preview; send nothing that changes anything.")
    boolean dry;

    @Option(
            names = {"-n", "--nRetries"},
            paramLabel = "N",
            description = "How often a request is repeated when Cohort cannot be reached (default 0).")
    int retries;

    @Option(
            names = {"-l", "--retryInterval"},
            paramLabel = "MS",
            description = "Milliseconds before a request is repeated (default 10000).")
    long retryInterval = 10_000;

    @Option(
            names = {"-o", "--throttleInterval"},
            paramLabel = "MS",
            description = "Milliseconds between two requests to Cohort (default 0; Cohort paces MTurk itself).")
    long throttleInterval;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress bar and no prompt decorations.")
    boolean quiet;

    @Parameters(paramLabel = "COMMAND", description = "Commands to run, then exit (e.g. get AccountBalance).")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        ConsoleSession.Settings settings;
        try {
            settings = settings();
        } catch (ConsoleError e) {
            System.err.println("cohort console: " + e.getMessage());
            return 2;
        }
        List<List<String>> commands = commands();
        boolean terminal = System.console() != null;
        if (commands.isEmpty() && terminal) {
            return interactive(settings);
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        ConsoleSession session = new ConsoleSession(settings, out, terminal);
        if (!first(session, out)) {
            return 1;
        }
        if (!commands.isEmpty()) {
            for (List<String> command : commands) {
                if (!runReporting(session, command, out)) {
                    return 1;
                }
            }
            return 0;
        }
        Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8);
        try (BufferedReader lines = new BufferedReader(in)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                List<String> command;
                try {
                    command = CommandLineWords.split(line);
                } catch (ConsoleError e) {
                    System.err.println("error: " + e.getMessage());
                    return 1;
                }
                if (!command.isEmpty() && command.get(0).equals("exit")) {
                    break;
                }
                if (!runReporting(session, command, out)) {
                    return 1;
                }
            }
        }
        return 0;
    }

    private int interactive(ConsoleSession.Settings settings) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            PrintWriter out = terminal.writer();
            ConsoleSession session = new ConsoleSession(settings, out, true);
            prompt = true;
            Path history = Main.config().dataDir().resolve("console-history");
            Files.createDirectories(history.getParent());
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .appName("cohort")
                    .completer(new ConsoleCompleter(session))
                    .variable(LineReader.HISTORY_FILE, history)
                    .build();
            if (!quiet) {
                out.println("Cohort console for " + settings.url() + (dry ? " (--dry: nothing is sent)" : "")
                        + ". TAB completes; help lists the commands; exit leaves.");
            }
            first(session, out);
            while (true) {
                String line;
                try {
                    line = reader.readLine("cohort> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C drops the line being typed
                } catch (EndOfFileException e) {
                    break;
                }
                try {
                    if (!session.run(line)) {
                        break;
                    }
                } catch (ConsoleError e) {
                    out.println("error: " + e.getMessage());
                } catch (RuntimeException e) {
                    out.println("error: " + e);
                }
                out.flush();
            }
            reader.getHistory().save();
            return 0;
        }
    }

    /** What the flags ask for before any command, in nodegame-mturk's order; false when one failed. */
    private boolean first(ConsoleSession session, PrintWriter out) {
        List<List<String>> steps = new ArrayList<>();
        if (connect) {
            steps.add(List.of("connect"));
        }
        if (inputCodesFile != null) {
            try {
                session.inputCodesFile(inputCodesFile);
            } catch (ConsoleError e) {
                report(out, e);
                return false;
            }
        }
        if (resultsFile != null) {
            steps.add(List.of("load", resultsFile.toString()));
        }
        if (game != null) {
            List<String> load = new ArrayList<>(List.of("load", "--game", game.get(0)));
            load.addAll(game.subList(1, game.size()));
            steps.add(load);
        }
        if (getLastHitId) {
            steps.add(List.of("get", "HITId"));
        }
        if (getQualificationTypeId) {
            steps.add(List.of("get", "QualificationTypeId"));
        }
        for (List<String> step : steps) {
            if (!runReporting(session, step, out)) {
                return false;
            }
        }
        return true;
    }

    private boolean runReporting(ConsoleSession session, List<String> command, PrintWriter out) {
        try {
            session.run(command);
            return true;
        } catch (ConsoleError e) {
            report(out, e);
            return false;
        } catch (RuntimeException e) {
            report(out, new ConsoleError(e.toString()));
            return false;
        }
    }

    /** An error line: on the prompt's terminal, else on standard error (a script's output stays its answers). */
    private void report(PrintWriter out, ConsoleError e) {
        out.flush();
        PrintWriter to = prompt ? out : new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        to.println("error: " + e.getMessage());
        to.flush();
    }

    /** True while the prompt runs. */
    private boolean prompt;

    /** The trailing words as commands, split at lone ';'; a --game range that is not one starts the commands. */
    private List<List<String>> commands() {
        List<String> all = new ArrayList<>(words);
        if (game != null && game.size() == 2 && !game.get(1).matches("[0-9]+(-[0-9]+)?")) {
            all.add(0, game.remove(1));
        }
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String w : all) {
            if (w.equals(";")) {
                if (!current.isEmpty()) {
                    commands.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(w);
            }
        }
        if (!current.isEmpty()) {
            commands.add(current);
        }
        return commands;
    }

    private ConsoleSession.Settings settings() {
        String url = null;
        String apiToken = null;
        if (configFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConsoleError("--config " + configFile + ": cannot read it (" + e.getMessage() + ")");
            }
            url = p.getProperty("url");
            apiToken = p.getProperty("token", p.getProperty("api.token"));
        }
        if (url == null || apiToken == null) {
            Config config = Main.config();
            if (url == null) {
                int port = config.port();
                if (port == 0) {
                    throw new ConsoleError("http.port is 0 (chosen at each start): give --config FILE with url=");
                }
                String host = config.host();
                boolean any = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::");
                url = "http://" + (any ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            }
            if (apiToken == null) {
                apiToken = config.get("api.token");
            }
        }
        if (apiToken == null || apiToken.isBlank()) {
            throw new ConsoleError("no API token: set api.token in conf/cohort.properties (or COHORT_API_TOKEN), or"
                    + " give --config FILE with token=");
        }
        URI base;
        try {
            base = URI.create(url.strip().replaceAll("/+$", "") + "/");
        } catch (IllegalArgumentException e) {
            throw new ConsoleError("url: '" + url + "' is not an address (" + e.getMessage() + ")");
        }
        if (retries < 0 || retryInterval < 0 || throttleInterval < 0) {
            throw new ConsoleError("--nRetries, --retryInterval and --throttleInterval cannot be negative");
        }
        return new ConsoleSession.Settings(
                base,
                apiToken.strip(),
                sandbox,
                dry,
                quiet,
                token,
                retries,
                Duration.ofMillis(retryInterval),
                Duration.ofMillis(throttleInterval));
    }
}
