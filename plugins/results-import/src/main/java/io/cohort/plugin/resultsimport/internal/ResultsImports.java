package io.cohort.plugin.resultsimport.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentPlan;
import io.cohort.api.payment.PaymentState;
import io.cohort.api.payment.Payments;
import io.cohort.api.payment.PlanRefused;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.payment.PlanRow;
import io.cohort.api.storage.PluginDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads results (a file or a nodeGame game's rooms), checks them, and settles them through the payment ledger:
 * one plan per kind, approvals and rejections first, bonuses once their approvals are confirmed, qualifications
 * last. Every step is kept in the plugin's schema, so a restart resumes the steps left. What the ledger already
 * holds for an assignment (from an earlier run of the same file) is reported as already done and not planned again.
 */
@Component(service = ResultsImports.class, immediate = true)
public final class ResultsImports {

    private static final Logger LOG = LoggerFactory.getLogger(ResultsImports.class);
    static final List<PaymentKind> KINDS =
            List.of(PaymentKind.APPROVE, PaymentKind.REJECT, PaymentKind.BONUS, PaymentKind.QUALIFY);
    private static final Pattern LEDGER_LINE =
            Pattern.compile("line (\\d+)(?: \\(worker [^)]*\\))?: (.*)", Pattern.DOTALL);
    /** The ledger's refusal to bonus one of our participants before their approval. */
    private static final Pattern NOT_YET_APPROVED =
            Pattern.compile("participant \\S+ is SUBMITTED; only APPROVED participants can be bonused");

    private static final Pattern HELD =
            Pattern.compile("assignment \\S+ already has an? \\w+ \\((\\w+) in batch (\\d+)\\).*", Pattern.DOTALL);
    private static final long POLL_MILLIS = 200;
    private static final long RETRY_SECONDS = 5;

    @Reference
    private PluginDatabase database;

    @Reference
    private Payments payments;

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CrowdProvider> providers = List.of();

    private final ScheduledExecutorService runs = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "results-import");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopped;

    /** After the references are in: imports a stop cut short go on from where they were. */
    @Activate
    void start() {
        for (long id : database.transaction(ImportMapper.class, ImportMapper::running)) {
            runs.execute(() -> run(id));
        }
    }

    @Deactivate
    void stop() {
        stopped = true;
        runs.shutdownNow();
    }

    // ---- load

    /**
     * Reads, checks and previews; stores the import as LOADED, or REFUSED with every problem named.
     *
     * @param file the file's text, or null for a game folder ({@code game} and {@code rooms})
     */
    long load(Settings settings, String file, String user) {
        List<String> problems = new ArrayList<>();
        List<GameFolder.Room> rooms = List.of();
        List<ImportRow> rows = List.of();
        Assessment assessed = null;
        String name = settings.get("name") != null
                ? settings.get("name")
                : settings.get("game") != null ? settings.get("game") + " " + settings.get("rooms") : "results.csv";
        try {
            Columns columns = settings.columns();
            List<ResultRow> read;
            if (file != null && !file.isBlank()) {
                read = ResultsFile.read(
                        settings.get("name") == null ? "results.csv" : settings.get("name"), file, columns);
            } else if (settings.get("game") != null) {
                GameFolder.Loaded loaded =
                        GameFolder.load(Path.of(settings.get("game")), settings.get("rooms"), columns);
                rooms = loaded.rooms();
                read = loaded.rows();
            } else {
                throw new IllegalArgumentException("file: give a results file, or a game folder and rooms");
            }
            RowChecks.Checked checked = RowChecks.check(read, settings);
            rows = checked.rows();
            problems.addAll(checked.problems());
            if (problems.isEmpty() && rows.isEmpty()) {
                problems.add(name + ": no rows to settle (none is left after the filter)");
            }
            if (problems.isEmpty()) {
                assessed = assess(settings, rows);
                problems.addAll(assessed.problems());
            }
        } catch (IllegalArgumentException | CrowdException e) {
            problems.add(e.getMessage());
        }
        Map<String, Object> summary = assessed == null
                ? Summary.of(List.of(), List.of(), List.of(), List.of(), null, null)
                : assessed.summary();
        StringBuilder roomText = new StringBuilder();
        rooms.forEach(r -> roomText.append(r.room())
                .append('=')
                .append(r.file() == null ? "" : r.file())
                .append('\n'));
        ImportRecord record = new ImportRecord(
                0,
                name,
                settings.text(),
                problems.isEmpty() ? "LOADED" : "REFUSED",
                String.join("\n", problems),
                assessed == null ? "" : String.join("\n", assessed.alreadyDone()),
                roomText.toString(),
                Summary.text(summary),
                assessed == null ? null : assessed.balanceBefore(),
                assessed == null ? null : assessed.balanceAfter(),
                user,
                null);
        List<ImportRow> stored = rows;
        return database.transaction(ImportMapper.class, m -> {
            long id = m.add(record);
            for (ImportRow row : stored) {
                m.addRow(id, row);
            }
            return id;
        });
    }

    // ---- settle

    /**
     * Starts the steps in the background. The rows are not checked with the provider again (that would double the
     * calls of a large file): the ledger checks each plan again as it commits it, and what it already holds is
     * reported as done. A dry run answers what the load found and changes nothing.
     *
     * @return the problems that stand (none: settling or, for a dry run, settleable)
     */
    List<String> settle(long id, boolean dry, String user) {
        ImportRecord record = require(id);
        if (!record.state().equals("LOADED")) {
            throw new IllegalStateException("Import " + id + " is "
                    + record.state().toLowerCase(Locale.ROOT) + "; only a loaded import can be settled.");
        }
        if (dry) {
            return lines(record.problems());
        }
        if (database.transaction(ImportMapper.class, m -> m.move(id, "LOADED", "RUNNING")) == 0) {
            throw new IllegalStateException("Import " + id + " is being settled already.");
        }
        LOG.info("results import {}: settling, by {}", id, user);
        runs.execute(() -> run(id));
        return List.of();
    }

    /** The steps, each resumable: a kind whose batch is stored is only executed and awaited again. */
    private void run(long id) {
        // Every node resumes the imports left RUNNING: one runs each, holding its lock; the others look again later.
        try (Connection lock = database.dataSource().getConnection()) {
            if (!advisoryLock(lock, "pg_try_advisory_lock", id)) {
                if (!stopped) {
                    runs.schedule(() -> run(id), RETRY_SECONDS, TimeUnit.SECONDS);
                }
                return;
            }
            try {
                if (require(id).state().equals("RUNNING")) {
                    steps(id);
                }
            } finally {
                advisoryLock(lock, "pg_advisory_unlock", id);
            }
        } catch (SQLException e) {
            if (!stopped) {
                LOG.warn("results import {}: tries again in {} s: {}", id, RETRY_SECONDS, e.toString());
                runs.schedule(() -> run(id), RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean advisoryLock(Connection c, String function, long id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + function + "(hashtext('plugin_resultsimport'), ?)")) {
            ps.setInt(1, (int) id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void steps(long id) {
        try {
            ImportRecord record = require(id);
            Settings settings = Settings.ofText(record.parameters());
            List<ImportRow> rows = rows(id);
            Set<String> done = new LinkedHashSet<>(lines(record.alreadyDone()));
            List<String> problems = new ArrayList<>(lines(record.problems()));
            List<Long> decisions = new ArrayList<>();
            for (PaymentKind kind : List.of(PaymentKind.APPROVE, PaymentKind.REJECT)) {
                Long batch = ensureBatch(id, kind, settings, rows, done, problems);
                if (batch != null) {
                    payments.execute(batch);
                    decisions.add(batch);
                }
            }
            for (long batch : decisions) {
                await(batch);
            }
            for (PaymentKind kind : List.of(PaymentKind.BONUS, PaymentKind.QUALIFY)) {
                Long batch = ensureBatch(id, kind, settings, rows, done, problems);
                if (batch != null) {
                    payments.execute(batch);
                    await(batch);
                }
            }
            database.transaction(
                    ImportMapper.class,
                    m -> m.finish(id, "DONE", String.join("\n", problems), String.join("\n", done), record.summary()));
            LOG.info("results import {}: done", id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopped: resumed at the next start
        } catch (RuntimeException e) {
            // The provider gone for a moment, the database restarting: try again, as the ledger does.
            if (!stopped) {
                LOG.warn("results import {}: stopped, tries again in {} s: {}", id, RETRY_SECONDS, e.toString());
                runs.schedule(() -> run(id), RETRY_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /** The kind's batch: the one stored, else one the ledger holds in flight for these rows, else a new one. */
    private Long ensureBatch(
            long id,
            PaymentKind kind,
            Settings settings,
            List<ImportRow> rows,
            Set<String> done,
            List<String> problems) {
        Long stored = database.transaction(ImportMapper.class, m -> m.batch(id, kind.name()));
        if (stored != null) {
            return stored;
        }
        List<ImportRow> wanted = rowsOf(kind, rows);
        if (kind == PaymentKind.BONUS) {
            // Only once the approval is CONFIRMED in the ledger: MTurk pays a bonus to an approved assignment. An
            // approval done by an earlier import is not in this one's batch: the provider says whether it holds.
            Long approvals = database.transaction(ImportMapper.class, m -> m.batch(id, PaymentKind.APPROVE.name()));
            Map<String, PaymentState> approval = new HashMap<>();
            if (approvals != null) {
                payments.payments(approvals).forEach(p -> approval.put(p.assignmentId(), p.state()));
            }
            List<ImportRow> approved = new ArrayList<>();
            for (ImportRow row : wanted) {
                PaymentState state = approval.get(row.assignmentId());
                boolean confirmed = !row.decision().equals("APPROVE")
                        || (state != null
                                ? state == PaymentState.CONFIRMED
                                : status(settings, row) == SubmissionStatus.APPROVED);
                if (confirmed) {
                    approved.add(row);
                } else {
                    problems.add(row.where() + ": not bonused: its approval is "
                            + (state == null ? "not confirmed" : state) + " in the ledger");
                }
            }
            wanted = approved;
        }
        if (wanted.isEmpty()) {
            return null;
        }
        Planned planned = plan(kind, settings, wanted, "Results import " + id, false);
        done.addAll(planned.alreadyDone());
        problems.addAll(planned.problems());
        Long batch = planned.inFlight();
        if (batch == null && planned.plan() != null && planned.problems().isEmpty()) {
            batch = payments.commit(planned.plan(), "results-import " + id).id();
        }
        if (batch != null) {
            long b = batch;
            database.transaction(ImportMapper.class, m -> m.addBatch(id, kind.name(), b));
        }
        return batch;
    }

    private void await(long batch) throws InterruptedException {
        while (!stopped) {
            Optional<PaymentBatch> b = payments.batch(batch);
            if (b.isEmpty() || b.get().finished() != null) {
                return;
            }
            Thread.sleep(POLL_MILLIS);
        }
        throw new InterruptedException("stopped");
    }

    // ---- checks against the ledger and the provider

    /**
     * What the ledger and the provider say of the rows: the plans, what was already done, the problems, and the
     * summary.
     */
    record Assessment(
            Map<PaymentKind, PaymentPlan> plans,
            List<String> alreadyDone,
            List<String> problems,
            Map<PaymentKind, List<ImportRow>> toDo,
            Long balanceBefore,
            Long balanceAfter) {

        Map<String, Object> summary() {
            return Summary.of(
                    toDo.getOrDefault(PaymentKind.APPROVE, List.of()),
                    toDo.getOrDefault(PaymentKind.REJECT, List.of()),
                    toDo.getOrDefault(PaymentKind.BONUS, List.of()),
                    toDo.getOrDefault(PaymentKind.QUALIFY, List.of()),
                    balanceBefore,
                    balanceAfter);
        }
    }

    private Assessment assess(Settings settings, List<ImportRow> rows) {
        CrowdProvider provider = provider(settings.provider());
        Map<PaymentKind, PaymentPlan> plans = new LinkedHashMap<>();
        Map<PaymentKind, List<ImportRow>> toDo = new LinkedHashMap<>();
        List<String> alreadyDone = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Long> deferredCents = new ArrayList<>();
        for (PaymentKind kind : KINDS) {
            List<ImportRow> wanted = rowsOf(kind, rows);
            if (wanted.isEmpty()) {
                continue;
            }
            Planned planned = plan(kind, settings, wanted, "Results import", true);
            wanted.stream()
                    .filter(r -> planned.deferred().contains(r.seq()))
                    .forEach(r -> deferredCents.add(r.bonusCents()));
            alreadyDone.addAll(planned.alreadyDone());
            problems.addAll(planned.problems());
            List<ImportRow> left = wanted.stream()
                    .filter(r -> !planned.doneSeqs().contains(r.seq()))
                    .toList();
            toDo.put(kind, left);
            if (planned.plan() != null) {
                plans.put(kind, planned.plan());
            }
        }
        // The provider's state of each assignment still to decide or bonus (approve and reject need SUBMITTED).
        Map<String, Optional<Submission>> asked = new HashMap<>();
        // One listing per HIT the file names (100 assignments a call) instead of one call per row.
        Set<String> hitIds = new TreeSet<>();
        toDo.values()
                .forEach(list -> list.stream()
                        .map(ImportRow::hitId)
                        .filter(h -> h != null && !h.isBlank())
                        .forEach(hitIds::add));
        for (String hitId : hitIds) {
            try {
                provider.submissions(hitId).forEach(a -> asked.put(a.id(), Optional.of(a)));
            } catch (CrowdException e) {
                // An unknown HIT: its rows are asked about one by one below, and named there.
            }
        }
        Set<Integer> approving = new HashSet<>();
        toDo.getOrDefault(PaymentKind.APPROVE, List.of()).forEach(r -> approving.add(r.seq()));
        for (PaymentKind kind : List.of(PaymentKind.APPROVE, PaymentKind.REJECT, PaymentKind.BONUS)) {
            for (ImportRow row : toDo.getOrDefault(kind, List.of())) {
                Optional<Submission> a = asked.computeIfAbsent(row.assignmentId(), provider::submission);
                if (a.isEmpty()) {
                    if (kind != PaymentKind.BONUS || !approving.contains(row.seq())) {
                        problems.add(row.where() + ": assignment " + row.assignmentId() + " is not known to "
                                + provider.name() + " (or not submitted yet)");
                    }
                    continue;
                }
                if (!a.get().workerId().equals(row.workerId())) {
                    problems.add(row.where() + ": assignment " + row.assignmentId() + " is worker "
                            + a.get().workerId() + "'s, not " + row.workerId() + "'s");
                    continue;
                }
                SubmissionStatus status = a.get().status();
                if (kind == PaymentKind.BONUS) {
                    boolean fine = status == SubmissionStatus.APPROVED
                            || (status == SubmissionStatus.SUBMITTED && approving.contains(row.seq()));
                    if (!fine) {
                        problems.add(row.where() + ": assignment " + row.assignmentId() + " is " + status
                                + (status == SubmissionStatus.SUBMITTED
                                        ? "; a bonus needs it approved (mark it Approve, or use approveAll)"
                                        : "; only SUBMITTED or APPROVED assignments can be bonused"));
                    }
                } else if (status != SubmissionStatus.SUBMITTED) {
                    problems.add(row.where() + ": assignment " + row.assignmentId() + " is " + status
                            + "; only SUBMITTED assignments can be " + past(kind));
                }
            }
        }
        Long before = null;
        Long after = null;
        if (!plans.isEmpty()) {
            before = plans.values().iterator().next().preview().balanceBeforeCents();
            long spent = 0;
            for (PaymentPlan p : plans.values()) {
                spent += p.preview().balanceBeforeCents() - p.preview().balanceAfterCents();
            }
            after = before - spent;
        } else {
            before = provider.balanceCents();
            after = before;
        }
        for (long cents : deferredCents) {
            after -= cents + provider.feeCents(cents, 1);
        }
        return new Assessment(plans, alreadyDone, problems, toDo, before, after);
    }

    /** A kind's plan, once the rows the ledger already holds are taken out (they are reported as done). */
    private record Planned(
            PaymentPlan plan,
            List<String> alreadyDone,
            Set<Integer> doneSeqs,
            List<String> problems,
            Long inFlight,
            Set<Integer> deferred) {}

    /**
     * @param beforeApproval at load: a bonus of one of our participants that this file approves first is refused by
     *                       the ledger until then; it is left out of the preview's plan (its cost is added to the
     *                       balance after) and planned, and checked again, once its approval is confirmed
     */
    private Planned plan(
            PaymentKind kind, Settings settings, List<ImportRow> rows, String label, boolean beforeApproval) {
        Map<Integer, ImportRow> bySeq = new HashMap<>();
        rows.forEach(r -> bySeq.put(r.seq(), r));
        List<ImportRow> left = new ArrayList<>(rows);
        List<String> done = new ArrayList<>();
        Set<Integer> doneSeqs = new HashSet<>();
        Long inFlight = null;
        Set<Integer> deferred = new HashSet<>();
        while (!left.isEmpty()) {
            List<PlanRow> planRows =
                    left.stream().map(r -> planRow(kind, settings, r)).toList();
            PlanRequest request = new PlanRequest(
                    settings.provider(),
                    kind,
                    label + ": " + kind.name().toLowerCase(Locale.ROOT),
                    planRows,
                    kind == PaymentKind.BONUS ? settings.minBonusCents() : 0,
                    kind == PaymentKind.BONUS ? settings.maxBonusCents() : 0,
                    true);
            try {
                return new Planned(payments.plan(request), done, doneSeqs, List.of(), inFlight, deferred);
            } catch (PlanRefused refused) {
                List<String> problems = new ArrayList<>();
                Set<Integer> held = new HashSet<>();
                Set<Integer> later = new HashSet<>();
                for (String problem : refused.problems()) {
                    Matcher line = LEDGER_LINE.matcher(problem);
                    ImportRow row = line.matches() ? bySeq.get(Integer.parseInt(line.group(1))) : null;
                    if (row == null) {
                        problems.add(problem);
                        continue;
                    }
                    Matcher h = HELD.matcher(line.group(2));
                    if (h.matches()) {
                        held.add(row.seq());
                        String state = h.group(1);
                        done.add(row.where() + ": already " + past(kind) + " (" + state + " in batch " + h.group(2)
                                + ")");
                        if (!state.equals("CONFIRMED")) {
                            inFlight = Long.valueOf(h.group(2));
                        }
                    } else if (beforeApproval
                            && kind == PaymentKind.BONUS
                            && row.decision().equals("APPROVE")
                            && NOT_YET_APPROVED.matcher(line.group(2)).matches()) {
                        later.add(row.seq());
                    } else {
                        problems.add(row.where() + ": " + line.group(2));
                    }
                }
                if (!problems.isEmpty() || (held.isEmpty() && later.isEmpty())) {
                    return new Planned(null, done, doneSeqs, problems, inFlight, deferred);
                }
                doneSeqs.addAll(held);
                deferred.addAll(later);
                left.removeIf(r -> held.contains(r.seq()) || later.contains(r.seq()));
            }
        }
        return new Planned(null, done, doneSeqs, List.of(), inFlight, deferred);
    }

    /** One row of a kind's plan; its line is the row's place in the import, so refusals lead back to it. */
    static PlanRow planRow(PaymentKind kind, Settings settings, ImportRow row) {
        return switch (kind) {
            case BONUS ->
                new PlanRow(
                        row.seq(),
                        null,
                        row.workerId(),
                        row.assignmentId(),
                        Settings.dollars(row.bonusCents()),
                        settings.reason() != null ? settings.reason() : Settings.DEFAULT_REASON);
            // The ledger's contract for qualifications: the value as the amount, the type as the reason.
            case QUALIFY ->
                new PlanRow(
                        row.seq(),
                        null,
                        row.workerId(),
                        row.assignmentId(),
                        String.valueOf(row.qualificationValue()),
                        row.qualification());
            default -> new PlanRow(row.seq(), null, row.workerId(), row.assignmentId(), "", row.feedback());
        };
    }

    static List<ImportRow> rowsOf(PaymentKind kind, List<ImportRow> rows) {
        return rows.stream()
                .filter(r -> switch (kind) {
                    case APPROVE -> r.decision().equals("APPROVE");
                    case REJECT -> r.decision().equals("REJECT");
                    case BONUS -> r.bonusCents() > 0;
                    case QUALIFY -> r.qualification() != null;
                    default -> false;
                })
                .toList();
    }

    private SubmissionStatus status(Settings settings, ImportRow row) {
        return provider(settings.provider())
                .submission(row.assignmentId())
                .map(Submission::status)
                .orElse(null);
    }

    static String past(PaymentKind kind) {
        return switch (kind) {
            case APPROVE -> "approved";
            case REJECT -> "rejected";
            case BONUS -> "bonused";
            case QUALIFY -> "qualified";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }

    private CrowdProvider provider(String name) {
        return providers.stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("provider: no crowd provider '" + name
                        + "' is running"
                        + (providers.isEmpty()
                                ? ""
                                : " (there is "
                                        + String.join(
                                                ", ",
                                                providers.stream()
                                                        .map(CrowdProvider::name)
                                                        .toList()) + ")")));
    }

    // ---- reading

    ImportRecord require(long id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("There is no import " + id + "."));
    }

    Optional<ImportRecord> find(long id) {
        return Optional.ofNullable(database.transaction(ImportMapper.class, m -> m.find(id)));
    }

    List<ImportRecord> imports() {
        return database.transaction(ImportMapper.class, ImportMapper::latest);
    }

    List<ImportRow> rows(long id) {
        return database.transaction(ImportMapper.class, m -> m.rows(id));
    }

    /** Kind → ledger batch, for the kinds committed so far. */
    Map<PaymentKind, PaymentBatch> batches(long id) {
        Map<PaymentKind, PaymentBatch> out = new LinkedHashMap<>();
        for (PaymentKind kind : KINDS) {
            Long batch = database.transaction(ImportMapper.class, m -> m.batch(id, kind.name()));
            if (batch != null) {
                payments.batch(batch).ifPresent(b -> out.put(kind, b));
            }
        }
        return out;
    }

    static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
