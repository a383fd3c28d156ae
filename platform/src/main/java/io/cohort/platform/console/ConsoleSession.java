package io.cohort.platform.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The console's commands, named as nodegame-mturk names them, each done through a running Cohort's JSON API: the
 * MTurk tab's twin ({@code /api/mturk}), the payments ledger ({@code /api/payments}) and the results import
 * ({@code /api/results-import}). Money only moves through the ledger, so a plan made here and one made on the admin
 * pages can never pay the same row twice.
 */
final class ConsoleSession {

    /** How to reach Cohort and how to behave (the console's flags). */
    record Settings(
            URI url,
            String apiToken,
            boolean sandbox,
            boolean dry,
            boolean quiet,
            String uniqueToken,
            int retries,
            Duration retryInterval,
            Duration throttle) {}

    /** A command: its usage line, what it does, its options taking a value, its flags, and its first words. */
    record Spec(
            String name, String usage, String about, List<String> options, List<String> flags, List<String> words) {}

    static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();

    static {
        for (Spec s : List.of(
                new Spec(
                        "connect",
                        "connect",
                        "Connect to Cohort; shows its MTurk mode and balance.",
                        List.of(),
                        List.of(),
                        List.of()),
                new Spec(
                        "load",
                        "load FILE | load --game NAME [min-max]  [--hit ID] [--reason TEXT] ...",
                        "Load a results file (or a game's rooms) into a plan: who to approve, reject, bonus, qualify.",
                        List.of(
                                "--game",
                                "--hit",
                                "--columns",
                                "--filter",
                                "--inputCodes",
                                "--minBonus",
                                "--maxBonus",
                                "--reason",
                                "--qualification",
                                "--value"),
                        List.of("--ignoreCase", "--approveAll"),
                        List.of()),
                new Spec(
                        "show",
                        "show Summary | Results | HITStatus",
                        "Show the loaded plan's summary, its rows, or the status of its HITs.",
                        List.of(),
                        List.of(),
                        List.of("Summary", "Results", "HITStatus")),
                new Spec(
                        "uploadResults",
                        "uploadResults",
                        "Settle the loaded plan: approve or reject, bonus and qualify as the file says (--dry previews).",
                        List.of(),
                        List.of(),
                        List.of()),
                new Spec(
                        "grantBonus",
                        "grantBonus --reason TEXT [WORKER ASSIGNMENT AMOUNT]",
                        "Pay bonuses through the ledger: one worker, or the loaded plan's bonuses.",
                        List.of("--reason", "--max"),
                        List.of(),
                        List.of()),
                new Spec(
                        "assignQualification",
                        "assignQualification --value N [--qualification ID] [WORKER ...]",
                        "Give a qualification through the ledger, once per worker (default: the loaded plan's workers).",
                        List.of("--value", "--qualification"),
                        List.of(),
                        List.of()),
                new Spec(
                        "get",
                        "get HITId | HITIdList | HITStatus [ID] | QualificationTypeId | QualificationTypeIdList [SEARCH]"
                                + " | BonusPayments | AccountBalance",
                        "Fetch something from Cohort and MTurk.",
                        List.of(),
                        List.of(),
                        List.of(
                                "HITId",
                                "HITIdList",
                                "HITStatus",
                                "QualificationTypeId",
                                "QualificationTypeIdList",
                                "BonusPayments",
                                "AccountBalance")),
                new Spec(
                        "extendHIT",
                        "extendHIT [ID] [--assignments N] [--seconds S]",
                        "Add assignments or time to a HIT (default: the last HIT).",
                        List.of("--assignments", "--seconds"),
                        List.of(),
                        List.of()),
                new Spec(
                        "expireHIT",
                        "expireHIT [ID]",
                        "Expire a HIT now (default: the last HIT).",
                        List.of(),
                        List.of(),
                        List.of()),
                new Spec(
                        "notify",
                        "notify --subject TEXT --message TEXT [WORKER ...]",
                        "Email workers through MTurk (default: the loaded plan's workers).",
                        List.of("--subject", "--message"),
                        List.of(),
                        List.of()),
                new Spec(
                        "help",
                        "help [COMMAND]",
                        "List the commands, or explain one.",
                        List.of(),
                        List.of(),
                        List.of()),
                new Spec("exit", "exit", "Leave the console.", List.of(), List.of(), List.of()))) {
            COMMANDS.put(s.name(), s);
        }
    }

    /** A command's words after its name: positional arguments, options with values, and flags. */
    record Args(List<String> positional, Map<String, String> options) {
        String option(String name) {
            return options.get(name);
        }

        boolean has(String name) {
            return options.containsKey(name);
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final boolean terminal;
    private CohortApi api;
    /** The loaded results import's page model; null before load. */
    private JsonNode loaded;

    private String lastHitId;
    private String qualificationTypeId;

    /** @param terminal output is a terminal: the progress bar may be drawn there */
    ConsoleSession(Settings settings, PrintWriter out, boolean terminal) {
        this.settings = settings;
        this.out = out;
        this.terminal = terminal;
    }

    /** Runs one command line; false after {@code exit}. */
    boolean run(String line) {
        return run(CommandLineWords.split(line));
    }

    /** Runs one command given as words; false after {@code exit}. */
    boolean run(List<String> words) {
        if (words.isEmpty()) {
            return true;
        }
        String name = words.get(0);
        Spec spec = COMMANDS.get(name);
        if (spec == null && name.equals("quit")) {
            return false;
        }
        if (spec == null) {
            throw new ConsoleError("unknown command '" + name + "'; the commands are "
                    + String.join(", ", COMMANDS.keySet()) + " (help COMMAND explains one)");
        }
        Args args = parse(spec, words.subList(1, words.size()));
        switch (name) {
            case "connect" -> connect(true);
            case "load" -> load(args);
            case "show" -> show(args);
            case "uploadResults" -> uploadResults();
            case "grantBonus" -> grantBonus(args);
            case "assignQualification" -> assignQualification(args);
            case "get" -> get(args);
            case "extendHIT" -> extendHit(args);
            case "expireHIT" -> expireHit(args);
            case "notify" -> notifyWorkers(args);
            case "help" -> help(args);
            case "exit" -> {
                return false;
            }
            default -> throw new IllegalStateException(name);
        }
        out.flush();
        return true;
    }

    static Args parse(Spec spec, List<String> words) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (!w.startsWith("--")) {
                positional.add(w);
            } else if (spec.flags().contains(w)) {
                options.put(w, "true");
            } else if (spec.options().contains(w)) {
                if (i + 1 >= words.size()) {
                    throw new ConsoleError(spec.name() + ": " + w + " needs a value (usage: " + spec.usage() + ")");
                }
                options.put(w, words.get(++i));
            } else {
                List<String> known = new ArrayList<>(spec.options());
                known.addAll(spec.flags());
                throw new ConsoleError(spec.name() + ": unknown option " + w
                        + (known.isEmpty() ? " (it takes none)" : " (its options: " + String.join(", ", known) + ")"));
            }
        }
        return new Args(positional, options);
    }

    // --- connect -----------------------------------------------------------------------------------------------

    /** @param announce say the mode and balance (the connect command); a command that connects on its own does not */
    private void connect(boolean announce) {
        api = new CohortApi(
                settings.url(), settings.apiToken(), settings.retries(), settings.retryInterval(), settings.throttle());
        JsonNode page = mturkPage();
        String mode = page.path("mode").asText("");
        if (settings.sandbox() && !mode.equals("SANDBOX")) {
            api = null;
            throw new ConsoleError("--sandbox was given but the MTurk plugin of " + settings.url() + " is in "
                    + (mode.isEmpty() ? "no" : mode) + " mode; nothing was done");
        }
        if (!announce) {
            return;
        }
        say("Connected to " + settings.url() + ": MTurk " + mode + ", balance " + balance(page));
        for (JsonNode notice : page.path("notices")) {
            say("  notice: " + notice.asText());
        }
    }

    private CohortApi api() {
        if (api == null) {
            connect(false);
        }
        return api;
    }

    private JsonNode mturkPage() {
        CohortApi.Answer a = api().get("/api/mturk");
        if (a.status() == 404) {
            throw new ConsoleError(settings.url() + " has no MTurk plugin (GET /api/mturk answered 404)");
        }
        if (!a.ok()) {
            throw new ConsoleError("GET /api/mturk: " + a.error());
        }
        return a.body().path("page");
    }

    private static String balance(JsonNode page) {
        if (page.hasNonNull("balance")) {
            return "$" + page.path("balance").asText();
        }
        return page.hasNonNull("balanceError")
                ? "unknown (" + page.path("balanceError").asText() + ")"
                : "unknown";
    }

    // --- load, show, uploadResults -----------------------------------------------------------------------------

    private void load(Args args) {
        Map<String, String> form = new LinkedHashMap<>();
        if (args.has("--game")) {
            form.put("game", args.option("--game"));
            if (args.positional().size() > 1) {
                throw new ConsoleError("load: --game takes one range of rooms such as 60-61, not "
                        + String.join(" ", args.positional()));
            }
            if (!args.positional().isEmpty()) {
                String rooms = args.positional().get(0);
                if (!rooms.matches("[0-9]+(-[0-9]+)?")) {
                    throw new ConsoleError("load: rooms '" + rooms + "' is not a range such as 60-61");
                }
                form.put("rooms", rooms);
            }
        } else {
            if (args.positional().size() != 1) {
                throw new ConsoleError("load: give one results FILE or --game NAME [min-max] (usage: "
                        + COMMANDS.get("load").usage() + ")");
            }
            Path file = Path.of(args.positional().get(0));
            form.put("file", readFile(file, "load"));
            form.put("name", file.getFileName().toString());
        }
        loadForm(form, args);
    }

    /** The {@code --inputCodesFile}'s text, sent with every load. */
    private String inputCodes;

    void inputCodesFile(Path file) {
        inputCodes = readFile(file, "--inputCodesFile");
    }

    private void loadForm(Map<String, String> form, Args args) {
        for (String option :
                List.of("hit", "columns", "filter", "minBonus", "maxBonus", "reason", "qualification", "value")) {
            if (args.has("--" + option)) {
                form.put(option, args.option("--" + option));
            }
        }
        for (String flag : List.of("ignoreCase", "approveAll")) {
            if (args.has("--" + flag)) {
                form.put(flag, "true");
            }
        }
        if (args.has("--inputCodes")) {
            form.put("inputCodes", readFile(Path.of(args.option("--inputCodes")), "load --inputCodes"));
        } else if (inputCodes != null) {
            form.put("inputCodes", inputCodes);
        }
        CohortApi.Answer a = api().post("/api/results-import/load", form);
        if (a.status() == 404) {
            throw new ConsoleError("load: " + settings.url() + " has no results import (POST /api/results-import/load"
                    + " answered 404); is the results-import plugin deployed?");
        }
        JsonNode page = a.body().path("page");
        if (!a.ok() && page.isMissingNode()) {
            throw new ConsoleError("load: " + a.error() + problems(a.body()));
        }
        loaded = page;
        say("Loaded results import " + page.path("id").asText() + ": "
                + page.path("state").asText() + ", " + page.path("rows").size() + " rows");
        summary(page);
    }

    private JsonNode refreshed() {
        if (loaded == null) {
            throw new ConsoleError("nothing is loaded: load FILE (or load --game NAME min-max) first");
        }
        loaded = api().read("/api/results-import/" + enc(loaded.path("id").asText()))
                .path("page");
        return loaded;
    }

    private void show(Args args) {
        if (args.positional().size() != 1) {
            throw new ConsoleError("show: say what: Summary, Results or HITStatus");
        }
        switch (args.positional().get(0).toLowerCase(Locale.ROOT)) {
            case "summary" -> summary(refreshed());
            case "results" -> {
                JsonNode page = refreshed();
                out.printf(
                        "%-6s %-16s %-32s %-10s %8s  %s%n",
                        "line", "worker", "assignment", "decision", "bonus", "exit");
                for (JsonNode r : page.path("rows")) {
                    out.printf(
                            "%-6s %-16s %-32s %-10s %8s  %s%n",
                            r.path("line").asText(),
                            r.path("workerId").asText(),
                            r.path("assignmentId").asText(),
                            r.path("decision").asText(),
                            r.path("bonus").asText(""),
                            r.path("exit").asText(""));
                }
            }
            case "hitstatus" -> {
                Set<String> hits = new LinkedHashSet<>();
                if (loaded != null) {
                    refreshed().path("rows").forEach(r -> {
                        if (!r.path("hitId").asText("").isEmpty()) {
                            hits.add(r.path("hitId").asText());
                        }
                    });
                }
                if (hits.isEmpty()) {
                    hits.add(hitId(List.of(), "show HITStatus"));
                }
                hits.forEach(this::hitStatus);
            }
            default ->
                throw new ConsoleError("show: '" + args.positional().get(0) + "' is not Summary, Results or HITStatus");
        }
    }

    private void summary(JsonNode page) {
        JsonNode s = page.path("summary");
        JsonNode b = s.path("bonus");
        out.println("  state: " + page.path("state").asText());
        out.println("  approve: " + s.path("approve").asText("0") + ", reject: "
                + s.path("reject").asText("0") + ", qualify: "
                + s.path("qualify").asText("0"));
        out.println("  bonus: " + b.path("count").asText("0") + " totalling "
                + b.path("total").asText("0")
                + " (mean " + b.path("mean").asText("-") + ", std "
                + b.path("std").asText("-") + ", min "
                + b.path("min").asText("-") + ", max " + b.path("max").asText("-") + ")");
        out.println("  balance: " + s.path("balanceBefore").asText("-") + " before, "
                + s.path("balanceAfter").asText("-") + " after");
        for (JsonNode done : page.path("alreadyDone")) {
            out.println("  already done: " + done.asText());
        }
        for (JsonNode problem : page.path("problems")) {
            out.println("  problem: " + problem.asText());
        }
        for (JsonNode batch : page.path("batches")) {
            out.println("  batch " + batch.path("id").asText() + " ("
                    + batch.path("kind").asText() + "): "
                    + batch.path("state").asText() + ", "
                    + batch.path("confirmed").asText() + " confirmed, "
                    + batch.path("failed").asText() + " failed of "
                    + batch.path("total").asText());
        }
        out.flush();
    }

    private void uploadResults() {
        JsonNode page = refreshed();
        String id = page.path("id").asText();
        if (page.path("state").asText().equals("REFUSED")) {
            throw new ConsoleError(
                    "uploadResults: import " + id + " was refused and settles nothing:" + problems(page));
        }
        Map<String, String> form = settings.dry() ? Map.of("dry", "true") : Map.of();
        CohortApi.Answer a = api().post("/api/results-import/" + enc(id) + "/settle", form);
        if (!a.ok()) {
            throw new ConsoleError("uploadResults: " + a.error() + problems(a.body())
                    + problems(a.body().path("page")));
        }
        JsonNode answered = a.body().path("page");
        String flash = flashText(answered.path("flash"));
        if (settings.dry()) {
            summary(answered);
            for (JsonNode problem : answered.path("dryRunProblems")) {
                say("  problem: " + problem.asText());
            }
            say((flash.isEmpty() ? "" : flash + " ") + "--dry: nothing was sent");
            return;
        }
        if (!flash.isEmpty()) {
            say(flash);
        }
        if (answered.path("state").asText().equals("LOADED")) {
            throw new ConsoleError(
                    "uploadResults: import " + id + " did not start settling" + (flash.isEmpty() ? "" : ": " + flash));
        }
        page = poll(
                this::refreshed,
                p -> sum(p.path("batches"), "confirmed") + sum(p.path("batches"), "failed"),
                p -> sum(p.path("batches"), "total"),
                p -> p.path("state").asText().equals("DONE")
                        || p.path("state").asText().equals("REFUSED"),
                "settled",
                "uploadResults: import " + id,
                "show Summary");
        summary(page);
        if (page.path("state").asText().equals("REFUSED")) {
            throw new ConsoleError("uploadResults: import " + id + " was refused:" + problems(page));
        }
    }

    private static long sum(JsonNode items, String field) {
        long sum = 0;
        for (JsonNode item : items) {
            sum += item.path(field).asLong();
        }
        return sum;
    }

    /**
     * Looks until {@code finished}, drawing the bar of {@code done} of {@code total}; gives up, saying the work goes
     * on in Cohort, after {@link #STALLED} without progress, so a stuck plan never holds the console.
     */
    private JsonNode poll(
            Supplier<JsonNode> look,
            ToLongFunction<JsonNode> done,
            ToLongFunction<JsonNode> total,
            Predicate<JsonNode> finished,
            String what,
            String subject,
            String lookAgain) {
        ProgressBar bar = bar();
        long lastDone = -1;
        long stalledSince = System.nanoTime();
        while (true) {
            JsonNode now = look.get();
            long d = done.applyAsLong(now);
            bar.update(d, total.applyAsLong(now), what);
            if (finished.test(now)) {
                bar.finish();
                return now;
            }
            if (d != lastDone) {
                lastDone = d;
                stalledSince = System.nanoTime();
            } else if (Duration.ofNanos(System.nanoTime() - stalledSince).compareTo(STALLED) > 0) {
                bar.finish();
                throw new ConsoleError(subject + " made no progress for " + STALLED.toSeconds() + " s (" + d + " of "
                        + total.applyAsLong(now) + " " + what + "); it goes on in Cohort: " + lookAgain + " to look");
            }
            pause();
        }
    }

    private static final Duration STALLED = Duration.ofSeconds(120);

    // --- grantBonus, assignQualification, notify ---------------------------------------------------------------

    private void grantBonus(Args args) {
        String reason = args.option("--reason");
        if (reason == null || reason.isBlank()) {
            throw new ConsoleError("grantBonus: --reason is required (the worker sees it)");
        }
        StringBuilder rows = new StringBuilder("worker_id,assignment_id,amount,reason\n");
        if (args.positional().size() == 3) {
            List<String> p = args.positional();
            rows.append(csv(p.get(0), p.get(1), p.get(2), reason));
        } else if (args.positional().isEmpty()) {
            int n = 0;
            for (JsonNode r : refreshed().path("rows")) {
                String bonus = r.path("bonus").asText("");
                if (!bonus.isEmpty() && !bonus.matches("0*(\\.0*)?")) {
                    rows.append(csv(
                            r.path("workerId").asText(), r.path("assignmentId").asText(), bonus, reason));
                    n++;
                }
            }
            if (n == 0) {
                throw new ConsoleError("grantBonus: the loaded results have no bonus to pay");
            }
        } else {
            throw new ConsoleError(
                    "grantBonus: give WORKER ASSIGNMENT AMOUNT, or nothing for the loaded results' bonuses"
                            + " (usage: " + COMMANDS.get("grantBonus").usage() + ")");
        }
        ledger("grantBonus", "bonus", rows.toString(), args.option("--max"), "bonus(es) paid");
    }

    /**
     * A plan through the payments ledger: previewed, then (without --dry) committed and watched until its batch
     * finished. A row the ledger already holds is refused, so nothing is ever done twice.
     */
    private void ledger(String command, String kind, String rows, String max, String done) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("provider", "mturk");
        form.put("action", "file");
        form.put("kind", kind);
        form.put("rows", rows);
        if (max != null) {
            form.put("max", max);
        }
        CohortApi.Answer preview = api().post("/api/payments/preview", form);
        if (!preview.ok()) {
            throw new ConsoleError(command + ": refused, nothing was sent:" + problems(preview.body()));
        }
        JsonNode p = preview.body().path("preview");
        if (kind.equals("bonus")) {
            say("Bonus plan: " + p.path("count").asInt() + " bonus(es), "
                    + dollars(p.path("totalCents").asLong())
                    + " + fees " + dollars(p.path("feesCents").asLong()) + "; balance "
                    + dollars(p.path("balanceBeforeCents").asLong()) + " -> "
                    + dollars(p.path("balanceAfterCents").asLong()));
        } else {
            say("Plan: " + p.path("count").asInt() + " row(s) to " + kind);
        }
        if (settings.dry()) {
            say("--dry: nothing was sent");
            return;
        }
        CohortApi.Answer commit = api().post("/api/payments/commit", form);
        if (!commit.ok()) {
            throw new ConsoleError(command + ": refused, nothing was sent:" + problems(commit.body()));
        }
        JsonNode batch = awaitBatch(commit.body().path("id").asLong(), kind.equals("bonus") ? "paid" : "qualified");
        say("Batch " + batch.path("id").asText() + ": "
                + batch.path("confirmed").asInt() + " of " + batch.path("count").asInt() + " " + done + ", "
                + batch.path("failed").asInt() + " failed");
        if (batch.path("failed").asInt() > 0) {
            throw new ConsoleError(command + ": " + batch.path("failed").asInt() + " row(s) failed; see batch "
                    + batch.path("id").asText() + " in Payments");
        }
    }

    /** Polls a ledger batch until it finished, drawing the bar; the batch. */
    private JsonNode awaitBatch(long id, String what) {
        return poll(
                () -> api().read("/api/payments/batches/" + id).path("batch"),
                b -> b.path("confirmed").asLong() + b.path("failed").asLong(),
                b -> b.path("count").asLong(),
                b -> !b.path("finished").isNull() && !b.path("finished").isMissingNode(),
                what,
                "batch " + id,
                "get BonusPayments");
    }

    private void assignQualification(Args args) {
        String value = args.option("--value");
        if (value == null) {
            throw new ConsoleError("assignQualification: --value is required (usage: "
                    + COMMANDS.get("assignQualification").usage() + ")");
        }
        String type = args.has("--qualification") ? args.option("--qualification") : qualificationTypeId;
        if (type == null) {
            throw new ConsoleError("assignQualification: give --qualification ID (or get QualificationTypeId first)");
        }
        // Through the ledger like a bonus: each assignment's worker is qualified once, whoever asks again.
        StringBuilder rows = new StringBuilder("worker_id,assignment_id,amount,reason\n");
        if (!args.positional().isEmpty()) {
            args.positional().forEach(worker -> rows.append(csv(worker, "", value, type)));
        } else {
            Set<String> seen = new LinkedHashSet<>();
            for (JsonNode r : loadedRows("assignQualification")) {
                if (seen.add(r.path("workerId").asText())) {
                    rows.append(csv(
                            r.path("workerId").asText(), r.path("assignmentId").asText(), value, type));
                }
            }
        }
        ledger("assignQualification", "qualify", rows.toString(), null, "qualification(s) assigned");
    }

    private void notifyWorkers(Args args) {
        for (String required : List.of("--subject", "--message")) {
            if (args.option(required) == null || args.option(required).isBlank()) {
                throw new ConsoleError("notify: " + required + " is required");
            }
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("workerIds", String.join(",", workers(args, "notify")));
        form.put("subject", args.option("--subject"));
        form.put("message", args.option("--message"));
        mturkAction("notify", "/api/mturk/workers/notify", form);
    }

    /** The workers named, else the loaded plan's. */
    private List<String> workers(Args args, String command) {
        if (!args.positional().isEmpty()) {
            return args.positional();
        }
        Set<String> ids = new LinkedHashSet<>();
        loadedRows(command).forEach(r -> ids.add(r.path("workerId").asText()));
        ids.remove("");
        if (ids.isEmpty()) {
            throw new ConsoleError(command + ": the loaded results name no worker");
        }
        return new ArrayList<>(ids);
    }

    /** The loaded plan's rows, for a command given no WORKERs. */
    private JsonNode loadedRows(String command) {
        if (loaded == null) {
            throw new ConsoleError(command + ": name the WORKERs, or load results first");
        }
        return refreshed().path("rows");
    }

    // --- get, extendHIT, expireHIT -----------------------------------------------------------------------------

    private void get(Args args) {
        if (args.positional().isEmpty()) {
            throw new ConsoleError(
                    "get: say what: " + String.join(", ", COMMANDS.get("get").words()));
        }
        String what = args.positional().get(0);
        List<String> rest = args.positional().subList(1, args.positional().size());
        switch (what.toLowerCase(Locale.ROOT)) {
            case "hitid" -> {
                lastHitId = newestHit();
                say(lastHitId);
            }
            case "hitidlist" -> {
                for (JsonNode h : hits()) {
                    out.println(h.path("id").asText() + "  " + h.path("status").asText() + "  "
                            + h.path("title").asText());
                }
            }
            case "hitstatus" -> hitStatus(hitId(rest, "get HITStatus"));
            case "qualificationtypeid" -> {
                JsonNode types = mturkPage().path("qualificationTypes");
                if (types.isEmpty()) {
                    throw new ConsoleError("get QualificationTypeId: the requester has no qualification type");
                }
                qualificationTypeId = types.get(0).path("id").asText();
                say(qualificationTypeId + "  " + types.get(0).path("name").asText());
            }
            case "qualificationtypeidlist" -> {
                String q = String.join(" ", rest);
                for (JsonNode t : qualificationTypes(q)) {
                    out.println(t.path("id").asText() + "  " + t.path("name").asText());
                }
            }
            case "bonuspayments" -> {
                for (JsonNode b : api().read("/api/payments/batches")) {
                    if (b.path("kind").asText().equals("BONUS")) {
                        out.println("batch " + b.path("id").asText() + "  "
                                + b.path("label").asText() + "  "
                                + b.path("confirmed").asInt() + "/"
                                + b.path("count").asInt() + " paid, "
                                + dollars(b.path("totalCents").asLong()) + ", by "
                                + b.path("createdBy").asText());
                    }
                }
            }
            case "accountbalance" -> say("Balance: " + balance(mturkPage()));
            default ->
                throw new ConsoleError("get: '" + what + "' is not one of "
                        + String.join(", ", COMMANDS.get("get").words()));
        }
    }

    private JsonNode qualificationTypes(String query) {
        api();
        return api.read("/api/mturk/qualifications?q=" + enc(query))
                .path("page")
                .path("qualificationTypes");
    }

    /** Our HITs as the MTurk tab lists them. */
    private List<JsonNode> hits() {
        api();
        List<JsonNode> hits = new ArrayList<>();
        mturkPage().path("hits").forEach(row -> hits.add(row.path("hit")));
        return hits;
    }

    private String newestHit() {
        JsonNode newest = null;
        for (JsonNode h : hits()) {
            if (newest == null
                    || h.path("created")
                                    .asText()
                                    .compareTo(newest.path("created").asText())
                            > 0) {
                newest = h;
            }
        }
        if (newest == null) {
            throw new ConsoleError("there is no HIT yet");
        }
        return newest.path("id").asText();
    }

    /** The HIT named, else the last one fetched, else the newest. */
    private String hitId(List<String> positional, String command) {
        if (positional.size() > 1) {
            throw new ConsoleError(command + ": one HIT id, not " + String.join(" ", positional));
        }
        if (!positional.isEmpty()) {
            return positional.get(0);
        }
        if (lastHitId == null) {
            lastHitId = newestHit();
        }
        return lastHitId;
    }

    private void hitStatus(String id) {
        for (JsonNode row : mturkPage().path("hits")) {
            JsonNode h = row.path("hit");
            if (h.path("id").asText().equals(id)) {
                out.println("HIT " + id + ": " + h.path("status").asText() + ", "
                        + row.path("done").asInt() + " of "
                        + h.path("maxAssignments").asInt() + " done, "
                        + h.path("available").asInt() + " available, "
                        + h.path("pending").asInt() + " pending, expires "
                        + h.path("expires").asText());
                out.flush();
                return;
            }
        }
        throw new ConsoleError("no HIT " + id + " among ours (get HITIdList lists them)");
    }

    private void extendHit(Args args) {
        String id = hitId(args.positional(), "extendHIT");
        if (!args.has("--assignments") && !args.has("--seconds")) {
            throw new ConsoleError("extendHIT: give --assignments N, --seconds S or both");
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("hitId", id);
        form.put("assignments", args.options().getOrDefault("--assignments", "0"));
        form.put("seconds", args.options().getOrDefault("--seconds", "0"));
        // MTurk's one-time token: the same --token never extends twice.
        form.put(
                "token",
                settings.uniqueToken() != null
                        ? settings.uniqueToken()
                        : UUID.randomUUID().toString());
        mturkAction("extendHIT", "/api/mturk/extend", form);
    }

    private void expireHit(Args args) {
        mturkAction("expireHIT", "/api/mturk/expire", Map.of("hitId", hitId(args.positional(), "expireHIT")));
    }

    /** A POST to the MTurk tab's twin; says the notice it left, or fails with its error. */
    private void mturkAction(String command, String path, Map<String, String> form) {
        if (settings.dry()) {
            say("--dry: would POST " + path + " " + form + "; nothing was sent");
            return;
        }
        CohortApi.Answer a = api().post(path, form);
        if (!a.ok()) {
            throw new ConsoleError(command + ": " + a.error());
        }
        JsonNode flash = a.body().path("page").path("flash");
        String message = flashText(flash);
        if (!flash.path("ok").asBoolean(true)) {
            throw new ConsoleError(command + ": " + message);
        }
        say(message.isEmpty() ? "done" : message);
    }

    /** The notice an action left on its page: {@code {"ok", "message"}} or plain text. */
    private static String flashText(JsonNode flash) {
        return flash.isTextual() ? flash.asText() : flash.path("message").asText("");
    }

    // --- help ----------------------------------------------------------------------------------------------------

    private void help(Args args) {
        if (!args.positional().isEmpty()) {
            Spec s = COMMANDS.get(args.positional().get(0));
            if (s == null) {
                throw new ConsoleError(
                        "help: unknown command '" + args.positional().get(0) + "'");
            }
            out.println(s.usage());
            out.println("  " + s.about());
            return;
        }
        out.println("Commands (TAB completes commands, options and ids; help COMMAND for one):");
        for (Spec s : COMMANDS.values()) {
            out.printf("  %-20s %s%n", s.name(), s.about());
        }
    }

    // --- completion's look-ups ----------------------------------------------------------------------------------

    /** Our HIT ids, for TAB; none when Cohort does not answer. */
    List<String> hitIdsForCompletion() {
        try {
            return hits().stream().map(h -> h.path("id").asText()).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    List<String> qualificationTypeIdsForCompletion() {
        try {
            List<String> ids = new ArrayList<>();
            mturkPage()
                    .path("qualificationTypes")
                    .forEach(t -> ids.add(t.path("id").asText()));
            return ids;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    // --- bits ------------------------------------------------------------------------------------------------------

    private ProgressBar bar() {
        return new ProgressBar(out, terminal && !settings.quiet());
    }

    /** A line of output, flushed at once (a script may read it while the console goes on). */
    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleError("interrupted");
        }
    }

    private static String problems(JsonNode body) {
        StringBuilder s = new StringBuilder();
        for (JsonNode p : body.path("problems")) {
            s.append("\n  ").append(p.asText());
        }
        if (s.length() == 0 && body.hasNonNull("error")) {
            s.append(' ').append(body.path("error").asText());
        }
        return s.toString();
    }

    private static String csv(String... cells) {
        List<String> quoted = new ArrayList<>();
        for (String c : cells) {
            quoted.add(c.matches("[^,\"\\r\\n]*") ? c : "\"" + c.replace("\"", "\"\"") + "\"");
        }
        return String.join(",", quoted) + "\n";
    }

    static String dollars(long cents) {
        return (cents < 0 ? "-$" : "$") + Math.abs(cents) / 100 + "." + String.format("%02d", Math.abs(cents) % 100);
    }

    private static String readFile(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConsoleError(
                    what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
