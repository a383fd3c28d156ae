package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code bin/cohort console} against one running Cohort and the MTurk emulator: at a prompt on a real pseudo-terminal
 * ({@code script} from util-linux: TAB completion, help, history, the progress bar), and as one-shot commands a
 * script runs (answers on stdout, errors on stderr with exit 1, no bar in a pipe). Bonuses go through the ledger, so
 * the same grant run again pays nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final Path BIN =
            Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY)).resolve("bin/cohort");

    private static MTurkLab lab;
    private static String session;
    private static String hit;
    private static List<MTurkLab.Worker> workers;

    @BeforeAll
    static void start() throws Exception {
        lab = new MTurkLab("", "one-question").start();
        session = lab.session("one-question", "{}");
        hit = lab.postHit(session, "0.10", 4);
        workers = lab.workersComplete(hit, 3, "C");
        long approve =
                lab.commit(Map.of("action", "approve-submitted")).path("id").asLong();
        lab.awaitFinished(approve, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    record Run(int code, String out, String err) {}

    /** {@code bin/cohort console ARGS}, standard input {@code stdin} (then closed), as a script would run it. */
    private static Run console(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(BIN.toString(), "console"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        environment(pb);
        long started = System.nanoTime();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errors = new Thread(() -> copy(p.getErrorStream(), err));
        errors.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the console exits: " + command);
        errors.join(5000);
        System.out.printf(
                "ConsoleIT: %s took %d ms%n",
                args.length == 0 ? "(stdin)" : String.join(" ", args), (System.nanoTime() - started) / 1_000_000);
        return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** The home, port and API token of the running Cohort: the console's defaults find it from them. */
    private static void environment(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        env.put("COHORT_HOME", lab.cohort.home().toString());
        env.put("COHORT_PORT", Integer.toString(lab.port));
        env.put("COHORT_API_TOKEN", lab.cohort.apiToken());
    }

    private static void copy(InputStream from, OutputStream to) {
        try {
            from.transferTo(to);
        } catch (IOException e) {
            // the process ended
        }
    }

    @Test
    @Order(1)
    void atThePromptTabCompletesCommandsAndIdsAndTheBarIsDrawn() throws Exception {
        MTurkLab.Worker w = workers.get(0);
        int bonuses = lab.emulator.bonusCount();
        ProcessBuilder pb =
                new ProcessBuilder("script", "-qfc", "stty cols 200 rows 50; exec " + BIN + " console", "/dev/null");
        environment(pb);
        pb.environment().put("TERM", "xterm");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuffer screen = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (InputStream in = p.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    screen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // closed
            }
        });
        reader.start();
        OutputStream keys = p.getOutputStream();
        try {
            awaitScreen(screen, "cohort> ", 1);
            // A command by TAB (one candidate: completed with a space), then an id the server knows by TAB.
            type(keys, "get HITS\t");
            awaitScreen(screen, "get HITStatus ", 1);
            type(keys, "\t");
            awaitScreen(screen, "get HITStatus " + hit, 1);
            type(keys, "\r");
            awaitScreen(screen, "HIT " + hit + ": ", 1);
            assertTrue(plain(screen).contains("HIT " + hit + ": ASSIGNABLE, 3 of 4 done"), plain(screen));

            type(keys, "hel\t");
            awaitScreen(screen, "help ", 1);
            type(keys, "\r");
            awaitScreen(screen, "Commands (TAB", 1);
            assertTrue(plain(screen).contains("grantBonus"), plain(screen));
            // Up-arrow recalls "help"; Enter runs it again. (JLine puts an xterm in keypad mode, where the arrow
            // sends ESC O A, as terminfo's key_up says.)
            type(keys, "\033OA");
            type(keys, "\r");
            awaitScreen(screen, "Commands (TAB", 2);

            type(keys, "frobnicate\r");
            awaitScreen(screen, "error: unknown command 'frobnicate'", 1);

            type(keys, "grantBonus --reason 'Thank you' " + w.workerId() + " " + w.assignmentId() + " 0.40\r");
            awaitScreen(screen, "bonus(es) paid", 1);
            assertTrue(
                    screen.toString().contains("[##############################] 1/1 paid"),
                    "the bar, full, on the terminal: " + screen);
            assertEquals(bonuses + 1, lab.emulator.bonusCount());
            assertEquals(1, lab.emulator.bonusesPerAssignment().get(w.assignmentId()));

            type(keys, "exit\r");
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "exit leaves: " + plain(screen));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
            reader.join(5000);
        }
        String history = Files.readString(lab.cohort.home().resolve("data/console-history"));
        assertTrue(history.contains("help") && history.contains("get HITStatus " + hit), history);
    }

    @Test
    @Order(2)
    void oneShotFlagsAndCommandsAgainstARunningCohort() throws Exception {
        Run last = console("", "--getLastHITId");
        assertEquals(0, last.code(), last.toString());
        assertEquals(hit, last.out().strip());
        // Commands on standard input's lines when it is not a terminal.
        Run piped = console("get HITId\nget AccountBalance\n");
        assertEquals(0, piped.code(), piped.toString());
        assertEquals(
                List.of(hit, "Balance: $" + lab.emulator.availableBalance()),
                piped.out().strip().lines().toList());

        Run status = console("", "get", "HITStatus", hit);
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().startsWith("HIT " + hit + ": ASSIGNABLE, 3 of 4 done, 1 available"), status.out());

        Run extend = console("", "extendHIT", hit, "--assignments", "2");
        assertEquals(0, extend.code(), extend.toString());
        assertTrue(extend.out().startsWith("Extended HIT " + hit + " by 0 seconds and 2 assignments"), extend.out());
        assertEquals(
                6,
                lab.requester().getHIT(b -> b.hitId(hit)).hit().maxAssignments().intValue());

        // A bonus through the ledger; the same grant again pays nothing and says why.
        MTurkLab.Worker w = workers.get(1);
        int bonuses = lab.emulator.bonusCount();
        String[] grant = {"grantBonus", "--reason", "Thank you", w.workerId(), w.assignmentId(), "0.75"};
        Run dry = console("", withFirst("--dry", grant));
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(
                dry.out().contains("Bonus plan: 1 bonus(es), $0.75")
                        && dry.out().contains("--dry: nothing was sent"),
                dry.out());
        assertEquals(bonuses, lab.emulator.bonusCount(), "--dry sent nothing");
        Run paid = console("", grant);
        assertEquals(0, paid.code(), paid.toString());
        assertTrue(paid.out().contains("1 of 1 bonus(es) paid, 0 failed"), paid.out());
        assertFalse(paid.out().contains("[#"), "no progress bar in a pipe: " + paid.out());
        assertEquals(bonuses + 1, lab.emulator.bonusCount());
        assertEquals(75, lab.emulator.bonusTotalCents() - 40, "the 0.40 from the prompt and this 0.75");
        Run again = console("", grant);
        assertEquals(1, again.code(), again.toString());
        assertTrue(again.err().contains("assignment " + w.assignmentId() + " already has a bonus"), again.err());
        assertEquals(bonuses + 1, lab.emulator.bonusCount(), "nothing more was paid");
        JsonNode batches = MTurkLab.read(lab.api().get("/api/payments/batches"));
        List<Long> bonusBatches = new ArrayList<>();
        batches.forEach(b -> {
            if (b.path("kind").asText().equals("BONUS")) {
                bonusBatches.add(b.path("totalCents").asLong());
            }
        });
        assertEquals(List.of(75L, 40L), bonusBatches, "one ledger batch per paid grant, none for the refused one");

        // Wrong commands and missing arguments are named; nothing waits.
        Run unknown = console("", "frobnicate");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().startsWith("error: unknown command 'frobnicate'"), unknown.err());
        Run noReason = console("", "grantBonus", w.workerId(), w.assignmentId(), "1.00");
        assertEquals(1, noReason.code());
        assertEquals(
                "error: grantBonus: --reason is required (the worker sees it)",
                noReason.err().strip());

        // A qualification type made on the MTurk tab, fetched with -Q and given to a worker through the ledger.
        JsonNode made = MTurkLab.read(lab.api()
                .postForm(
                        "/api/mturk/qualifications/create",
                        Map.of("name", "Did the console study", "description", "Took part")));
        assertTrue(made.path("page").path("flash").path("ok").asBoolean(), made.toString());
        Run qualify = console("", "-Q", "assignQualification", "--value", "3", w.workerId());
        assertEquals(0, qualify.code(), qualify.toString());
        String type = qualify.out().lines().findFirst().orElseThrow().split(" ")[0];
        assertTrue(qualify.out().contains("1 of 1 qualification(s) assigned, 0 failed"), qualify.out());
        assertEquals(
                3,
                lab.requester()
                        .getQualificationScore(b -> b.qualificationTypeId(type).workerId(w.workerId()))
                        .qualification()
                        .integerValue());
        // Through the ledger: the same qualification again is refused, naming the assignment, and sends nothing.
        Run requalify = console("", "assignQualification", "--qualification", type, "--value", "3", w.workerId());
        assertEquals(1, requalify.code(), requalify.toString());
        assertTrue(
                requalify.err().contains("assignment " + w.assignmentId() + " already has a qualify"), requalify.err());
        long qualifyBatches = 0;
        for (JsonNode b : MTurkLab.read(lab.api().get("/api/payments/batches"))) {
            qualifyBatches += b.path("kind").asText().equals("QUALIFY") ? 1 : 0;
        }
        assertEquals(1, qualifyBatches, "one qualification batch");
        Run notify = console("", "notify", "--subject", "Thanks", "--message", "Your bonus is paid", w.workerId());
        assertEquals(0, notify.code(), notify.toString());
        assertEquals("Notified 1 of 1 workers.", notify.out().strip());
        assertTrue(lab.emulator.notifications().stream()
                .anyMatch(n -> n.workerId().equals(w.workerId()) && n.subject().equals("Thanks")));

        // On a terminal too, --quiet draws no bar.
        MTurkLab.Worker third = workers.get(2);
        String quiet = onTerminal(
                "--quiet grantBonus --reason Thanks " + third.workerId() + " " + third.assignmentId() + " 0.20");
        assertTrue(quiet.contains("1 of 1 bonus(es) paid"), quiet);
        assertFalse(quiet.contains("[#"), "no bar with --quiet: " + quiet);
        assertEquals(1, lab.emulator.bonusesPerAssignment().get(third.assignmentId()));

        Run expire = console("", "expireHIT", hit);
        assertEquals(0, expire.code(), expire.toString());
        assertEquals("Expired HIT " + hit + ".", expire.out().strip());
        assertFalse(
                lab.requester().getHIT(b -> b.hitId(hit)).hit().expiration().isAfter(Instant.now()),
                "the HIT has expired at MTurk");
    }

    @Test
    @Order(3)
    void loadShowAndUploadResultsSettleAFileOnceThroughTheResultsImport() throws Exception {
        String second = lab.postHit(session, "0.10", 2);
        List<MTurkLab.Worker> submitted = lab.workersComplete(second, 2, "R");
        long approve =
                lab.commit(Map.of("action", "approve-submitted")).path("id").asLong();
        lab.awaitFinished(approve, Duration.ofSeconds(30));
        Path results = lab.cohort.home().resolve("results.csv");
        Files.writeString(
                results,
                "WorkerId,AssignmentId,HITId,bonus,exit\n"
                        + submitted.get(0).workerId() + "," + submitted.get(0).assignmentId() + "," + second
                        + ",0.30,EXIT1\n"
                        + submitted.get(1).workerId() + "," + submitted.get(1).assignmentId() + "," + second
                        + ",0,EXIT2\n");
        int bonuses = lab.emulator.bonusCount();
        Run settled = console(
                "",
                "load",
                results.toString(),
                "--hit",
                second,
                "--reason",
                "Thanks",
                ";",
                "show",
                "Summary",
                ";",
                "uploadResults");
        assertEquals(0, settled.code(), settled.toString());
        assertTrue(settled.out().contains("Loaded results import "), settled.out());
        assertTrue(settled.out().contains("bonus: 1 totalling 0.30"), settled.out());
        assertFalse(settled.out().contains("[#"), "no bar in a pipe: " + settled.out());
        assertTrue(settled.out().contains("state: DONE"), settled.out());
        assertEquals(1, lab.emulator.bonusesPerAssignment().get(submitted.get(0).assignmentId()));
        assertEquals(bonuses + 1, lab.emulator.bonusCount());

        // The same file again: what is done is listed as done, and nothing more is paid.
        Run again =
                console("", "load", results.toString(), "--hit", second, "--reason", "Thanks", ";", "uploadResults");
        assertTrue(again.out().contains("already done: "), again.toString());
        assertEquals(bonuses + 1, lab.emulator.bonusCount(), "nothing more was paid");
    }

    /** {@code bin/cohort console ARGS} on a pseudo-terminal (stdin and stdout); what it showed. */
    /**
     * nodegame-mturk's full settle, approve 3, reject 1, bonus 3, qualify 4, from one file that the console and an
     * admin in the admin pages settle at the same moment: two imports of the same rows, one ledger. MTurk shows each
     * step done exactly once; a third run from the console pays nothing more.
     */
    @Test
    @Order(4)
    void theConsoleAndTheAdminSettlingOneFileAtOnceDoEachStepOnce() throws Exception {
        String third = lab.postHit(session, "0.10", 4);
        List<MTurkLab.Worker> four = lab.workersComplete(third, 4, "S");
        String type = lab.requester()
                .createQualificationType(b -> b.name("Settled from a file")
                        .description("took part in the race")
                        .qualificationTypeStatus("Active"))
                .qualificationType()
                .qualificationTypeId();
        StringBuilder csv = new StringBuilder(
                "WorkerId,AssignmentId,HITId,Approve,Reject,bonus,QualificationTypeId,IntegerValue,RequesterFeedback\n");
        for (int i = 0; i < four.size(); i++) {
            MTurkLab.Worker w = four.get(i);
            boolean reject = i == 3;
            csv.append(String.join(
                            ",",
                            w.workerId(),
                            w.assignmentId(),
                            third,
                            reject ? "" : "x",
                            reject ? "x" : "",
                            reject ? "0" : "0.2" + i,
                            type,
                            "7",
                            reject ? "Answers missing" : ""))
                    .append('\n');
        }
        Path results = lab.cohort.home().resolve("race.csv");
        Files.writeString(results, csv);
        int bonuses = lab.emulator.bonusCount();

        ExecutorService both = Executors.newFixedThreadPool(2);
        Future<Run> fromConsole = both.submit(() ->
                console("", "load", results.toString(), "--hit", third, "--reason", "Thanks", ";", "uploadResults"));
        Future<String> fromAdmin = both.submit(() -> {
            AdminHttp admin = lab.cohort.admin();
            AdminHttp.Response loaded = admin.postForm(
                    "/admin/results-import/load",
                    Map.of("file", csv.toString(), "name", "race.csv", "hit", third, "reason", "Thanks"));
            assertEquals(302, loaded.status(), loaded.toString()); // the host redirects after a plugin page's action
            String page = loaded.redirectPath();
            AdminHttp.Response settle = admin.postForm(page + "/settle", Map.of());
            assertEquals(302, settle.status(), settle.toString());
            return page.substring(page.lastIndexOf('/') + 1);
        });
        Run console = fromConsole.get(90, TimeUnit.SECONDS);
        String adminImport = fromAdmin.get(30, TimeUnit.SECONDS);
        both.shutdown();
        // The admin's import ends too (done, or refused where the console's had already done it all).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state = "";
        while (System.nanoTime() < deadline && !(state.equals("DONE") || state.equals("REFUSED"))) {
            Thread.sleep(200);
            state = MTurkLab.read(lab.api().get("/api/results-import/" + adminImport))
                    .path("page")
                    .path("state")
                    .asText();
        }
        assertTrue(state.equals("DONE") || state.equals("REFUSED"), "the admin's import ended: " + state);

        for (int i = 0; i < four.size(); i++) {
            MTurkLab.Worker w = four.get(i);
            assertEquals(
                    i == 3 ? "Rejected" : "Approved",
                    lab.emulator.assignmentStatus(w.assignmentId()),
                    console.toString());
            assertEquals(
                    i == 3 ? null : Integer.valueOf(1),
                    lab.emulator.bonusesPerAssignment().get(w.assignmentId()),
                    "paid once: " + w);
            assertEquals(
                    7,
                    lab.requester()
                            .getQualificationScore(
                                    r -> r.qualificationTypeId(type).workerId(w.workerId()))
                            .qualification()
                            .integerValue());
        }
        assertEquals(bonuses + 3, lab.emulator.bonusCount(), console.toString());

        // The console reports them: the two imports' bonus batches (the rows split between them however the race
        // went) paid the three bonuses, 0.63 in all, once.
        Matcher consoleImport = Pattern.compile("Loaded results import (\\d+)").matcher(console.out());
        assertTrue(consoleImport.find(), console.toString());
        Run payments = console("", "get", "BonusPayments");
        int paid = 0;
        long cents = 0;
        Pattern batch = Pattern.compile("Results import (\\d+): bonus\\s+(\\d+)/(\\d+) paid, \\$(\\d+)\\.(\\d\\d)");
        for (String line : payments.out().lines().toList()) {
            Matcher m = batch.matcher(line);
            if (m.find()
                    && (m.group(1).equals(consoleImport.group(1)) || m.group(1).equals(adminImport))) {
                paid += Integer.parseInt(m.group(2));
                cents += Long.parseLong(m.group(4)) * 100 + Long.parseLong(m.group(5));
            }
        }
        assertEquals(3, paid, payments.toString());
        assertEquals(63, cents, payments.toString());

        Run again = console("", "load", results.toString(), "--hit", third, "--reason", "Thanks", ";", "uploadResults");
        assertTrue(again.out().contains("already done: "), again.toString());
        assertEquals(bonuses + 3, lab.emulator.bonusCount(), "nothing more was paid");
    }

    private static String onTerminal(String args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("script", "-qfc", BIN + " console " + args, "/dev/null");
        environment(pb);
        pb.environment().put("TERM", "xterm");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the console exits: " + args);
        return out;
    }

    private static String[] withFirst(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    /**
     * The console's class archive is recorded by one run and put in place by the next; other recordings beside it
     * (consoles or nodes that ran at once) are deleted once their process has gone, and kept while it runs.
     */
    @Test
    @Order(5)
    void classArchiveRecordingsOfProcessesThatEndedAreRemoved() throws Exception {
        Path archive = BIN.getParent().getParent().resolve("lib/console.jsa");
        for (int i = 0; i < 2 && !Files.exists(archive); i++) {
            assertEquals(0, console("", "--getLastHITId").code());
        }
        assertTrue(Files.exists(archive), "an earlier run's recording is in place: " + archive);
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path gone = archive.resolveSibling("console.jsa." + ended.pid());
        Path running =
                archive.resolveSibling("console.jsa." + ProcessHandle.current().pid());
        Files.writeString(gone, "a recording whose JVM ended");
        Files.writeString(running, "a recording still being written");
        Path labs = archive.resolveSibling("console.jsa.backup");
        Files.writeString(labs, "a file of the lab's own");
        try {
            Run last = console("", "--getLastHITId");
            assertEquals(0, last.code(), last.toString());
            assertTrue(last.out().strip().matches("[A-Z0-9]{30}"), last.out());
            assertFalse(Files.exists(gone), gone + " is removed");
            assertTrue(Files.exists(running), running + " is kept while its process runs");
            assertTrue(Files.exists(labs), labs + " is not a recording and is kept");
        } finally {
            Files.deleteIfExists(gone);
            Files.deleteIfExists(running);
            Files.deleteIfExists(labs);
        }
    }

    private static void type(OutputStream keys, String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** The screen without terminal control sequences. */
    private static String plain(StringBuffer screen) {
        return screen.toString()
                .replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "")
                .replaceAll("\u001B[()][A-Za-z0-9]|\u001B[=>]|\u001B\\][^\u0007]*\u0007", "")
                .replace("\r", "");
    }

    private static void awaitScreen(StringBuffer screen, String text, int times) {
        Eventually.within(
                Duration.ofSeconds(30),
                "the terminal shows '" + text + "' " + times + " time(s)",
                () -> plain(screen),
                s -> s.split(Pattern.quote(text), -1).length - 1 >= times);
    }
}
