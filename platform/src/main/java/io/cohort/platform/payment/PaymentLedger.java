package io.cohort.platform.payment;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.Submission;
import io.cohort.api.payment.Payment;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentPlan;
import io.cohort.api.payment.PaymentState;
import io.cohort.api.payment.Payments;
import io.cohort.api.payment.PlanRefused;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.payment.PlanRow;
import io.cohort.api.payment.Preview;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.RandomIds;
import io.cohort.platform.web.AuditLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ledger ({@link Payments}): checks a plan row by row, previews it, and writes it in one transaction. Sending is
 * {@link PaymentRunner}'s.
 */
@Singleton
public final class PaymentLedger implements Payments {

    private static final Pattern DOLLARS = Pattern.compile("[0-9]{1,7}(\\.[0-9]{1,2})?");
    /** A qualification score: MTurk's IntegerValue is a 32-bit integer. */
    private static final Pattern SCORE = Pattern.compile("-?[0-9]{1,9}");

    private final Transactions tx;
    private final CrowdProviders providers;
    private final ParticipantStore participants;
    private final AuditLog audit;
    private final PaymentRunner runner;

    @Inject
    public PaymentLedger(
            Transactions tx,
            CrowdProviders providers,
            ParticipantStore participants,
            AuditLog audit,
            PaymentRunner runner) {
        this.tx = tx;
        this.providers = providers;
        this.participants = participants;
        this.audit = audit;
        this.runner = runner;
    }

    @Override
    public PaymentPlan plan(PlanRequest request) {
        CrowdProvider provider = providers.get(request.provider());
        List<Participant> people = participants.ofProvider(request.provider());
        List<Payment> rows = tx.run(c -> check(request, people));
        return new PaymentPlan(request, rows, preview(provider, request.kind(), rows, people));
    }

    @Override
    public PaymentBatch commit(PaymentPlan plan, String by) {
        PlanRequest request = plan.request();
        long batchId = tx.run(c -> {
            // One committer at a time per provider, so two admins' "bonus all" can't both pass the ledger check.
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('cohort.payment'), hashtext(?))")) {
                ps.setString(1, request.provider());
                ps.execute();
            }
            List<Payment> rows = check(request, participants.ofProvider(request.provider()));
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.payment_batch (provider, kind, label,"
                    + " total_cents, balance_before_cents, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, request.provider());
                ps.setString(2, request.kind().name());
                ps.setString(3, request.label());
                ps.setLong(4, plan.preview().totalCents());
                ps.setLong(5, plan.preview().balanceBeforeCents());
                ps.setString(6, by);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong("id");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cohort.payment (batch_id, provider, participant_id, worker_id, assignment_id, kind,"
                            + " amount_cents, reason, token, state, sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                            + " 'PLANNED', CASE WHEN ? THEN (SELECT coalesce(max(sequence) + 1, 0) FROM cohort.payment"
                            + " WHERE provider = ? AND assignment_id = ? AND kind = ?) ELSE 0 END)")) {
                int n = 0;
                for (Payment row : rows) {
                    ps.setLong(1, id);
                    ps.setString(2, request.provider());
                    ps.setString(3, row.participantId());
                    ps.setString(4, row.workerId());
                    ps.setString(5, row.assignmentId());
                    ps.setString(6, row.kind().name());
                    ps.setLong(7, row.amountCents());
                    ps.setString(8, row.reason());
                    // Fixed now, so a resend after a crash is the same request; random so installations sharing an
                    // account never collide. ≤ 64 characters, as UniqueRequestToken allows.
                    ps.setString(9, "cohort-" + id + "-" + (++n) + "-" + RandomIds.id(16));
                    // An additional bonus takes the assignment's next number; anything else is its first (0).
                    ps.setBoolean(10, request.additional() && request.kind() == PaymentKind.BONUS);
                    ps.setString(11, request.provider());
                    ps.setString(12, row.assignmentId());
                    ps.setString(13, row.kind().name());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return id;
        });
        audit.record(
                by,
                "payment.commit",
                "batch " + batchId,
                Map.of(
                        "provider",
                        request.provider(),
                        "kind",
                        request.kind().name(),
                        "label",
                        request.label(),
                        "rows",
                        plan.rows().size(),
                        "totalCents",
                        plan.preview().totalCents()));
        return batch(batchId).orElseThrow();
    }

    @Override
    public void execute(long batchId) {
        if (batch(batchId).isEmpty()) {
            throw new IllegalArgumentException("batch: there is no payment batch " + batchId);
        }
        runner.execute(batchId);
    }

    @Override
    public Optional<PaymentBatch> batch(long id) {
        return tx.mapper(PaymentMapper.class, m -> m.batch(id)).stream().findFirst();
    }

    @Override
    public List<PaymentBatch> batches() {
        return tx.mapper(PaymentMapper.class, m -> m.latest(500));
    }

    @Override
    public List<Payment> payments(long batchId) {
        return tx.mapper(PaymentMapper.class, m -> m.ofBatch(batchId));
    }

    /** Assignments the ledger already holds a {@code kind} row for that did not fail. */
    public java.util.Set<String> assignmentsWith(String provider, PaymentKind kind) {
        return inLedger(provider, kind).keySet();
    }

    /** Assignment → "STATE in batch N", for its {@code kind} rows that did not fail (at most one, by the unique index). */
    private Map<String, String> inLedger(String provider, PaymentKind kind) {
        Map<String, String> out = new HashMap<>();
        for (PaymentMapper.Held held : tx.mapper(PaymentMapper.class, m -> m.held(provider, kind))) {
            out.put(held.assignmentId(), held.state() + " in batch " + held.batchId());
        }
        return out;
    }

    /** Every row checked; every problem collected, so the admin fixes the file once. */
    private List<Payment> check(PlanRequest request, List<Participant> people) {
        if (request.rows().isEmpty()) {
            throw new PlanRefused(List.of(
                    "the plan has no rows: nothing to " + request.kind().name().toLowerCase()));
        }
        Map<String, Participant> byId = new HashMap<>();
        Map<String, List<Participant>> byWorker = new HashMap<>();
        for (Participant p : people) {
            byId.put(p.id(), p);
            byWorker.computeIfAbsent(p.workerId(), w -> new ArrayList<>()).add(p);
        }
        Map<String, String> inLedger = inLedger(request.provider(), request.kind());
        List<String> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        List<Payment> rows = new ArrayList<>();
        for (PlanRow row : request.rows()) {
            String where = "line " + row.line() + (blank(row.workerId()) ? "" : " (worker " + row.workerId() + ")");
            int before = problems.size();
            Participant p = resolve(row, request, byId, byWorker, where, problems);
            String workerId = p != null ? p.workerId() : trim(row.workerId());
            String assignmentId = p != null ? p.assignmentId() : trim(row.assignmentId());
            if (p == null
                    && problems.size() == before
                    && request.anyWorker()
                    && (blank(workerId) || blank(assignmentId))) {
                problems.add(where + ": give both the worker and the assignment");
            }
            long cents = amount(row, request, where, problems);
            String reason = trim(row.reason());
            if (request.kind() == PaymentKind.BONUS && reason.isEmpty()) {
                problems.add(where + ": a bonus needs a reason (the worker sees it)");
            }
            if (request.kind() == PaymentKind.REJECT && reason.isEmpty()) {
                problems.add(where + ": a rejection needs feedback for the worker");
            }
            if (request.kind() == PaymentKind.QUALIFY && reason.isEmpty()) {
                problems.add(where + ": a qualification needs its type id");
            }
            boolean additional = request.additional() && request.kind() == PaymentKind.BONUS;
            // A qualification is about the worker, whatever became of the assignment.
            if (p != null
                    && request.kind() != PaymentKind.QUALIFY
                    && !(additional && p.status() == ParticipantStatus.BONUSED)) {
                status(p, request.kind(), where, problems);
            }
            if (!blank(assignmentId)) {
                Integer earlier = seen.putIfAbsent(assignmentId, row.line());
                if (earlier != null) {
                    problems.add(where + ": assignment " + assignmentId + " is also on line " + earlier);
                }
                String done = inLedger.get(assignmentId);
                if (done != null && !additional) {
                    problems.add(where + ": assignment " + assignmentId + " already has a "
                            + request.kind().name().toLowerCase() + " (" + done + ")"
                            + (request.kind() == PaymentKind.BONUS
                                    ? "; tick \"additional bonus\" to pay another one on purpose"
                                    : ""));
                }
            }
            if (problems.size() == before) {
                rows.add(new Payment(
                        0,
                        0,
                        p == null ? null : p.id(),
                        workerId,
                        assignmentId,
                        request.kind(),
                        cents,
                        reason,
                        null,
                        PaymentState.PLANNED,
                        null,
                        0,
                        null));
            }
        }
        if (!problems.isEmpty()) {
            throw new PlanRefused(problems);
        }
        return rows;
    }

    private static Participant resolve(
            PlanRow row,
            PlanRequest request,
            Map<String, Participant> byId,
            Map<String, List<Participant>> byWorker,
            String where,
            List<String> problems) {
        String workerId = trim(row.workerId());
        String assignmentId = trim(row.assignmentId());
        if (!blank(row.participantId())) {
            Participant p = byId.get(row.participantId().trim());
            if (p == null) {
                problems.add(where + ": participant '" + row.participantId().trim() + "' did not come through "
                        + request.provider());
            } else if (!workerId.isEmpty() && !workerId.equals(p.workerId())) {
                problems.add(where + ": participant " + p.id() + " is worker " + p.workerId() + ", not " + workerId);
                return null;
            }
            return p;
        }
        if (workerId.isEmpty()) {
            problems.add(where + ": no worker given");
            return null;
        }
        List<Participant> his = byWorker.getOrDefault(workerId, List.of()).stream()
                .filter(p -> assignmentId.isEmpty() || assignmentId.equals(p.assignmentId()))
                .toList();
        if (his.size() == 1) {
            return his.get(0);
        }
        if (his.isEmpty() && request.anyWorker()) {
            return null;
        }
        if (his.isEmpty()) {
            problems.add(where + ": unknown worker " + workerId
                    + (assignmentId.isEmpty() ? "" : " with assignment " + assignmentId)
                    + ": no participant of ours came through " + request.provider() + " as them");
        } else {
            problems.add(where + ": worker " + workerId + " has " + his.size() + " assignments; say which one");
        }
        return null;
    }

    private static long amount(PlanRow row, PlanRequest request, String where, List<String> problems) {
        String text = trim(row.amount());
        if (request.kind() == PaymentKind.QUALIFY) {
            if (!SCORE.matcher(text).matches()) {
                problems.add(where + ": qualification score '" + text + "' is not a whole number like 1");
                return 0;
            }
            return Long.parseLong(text);
        }
        if (request.kind() != PaymentKind.BONUS) {
            if (!text.isEmpty()) {
                problems.add(where + ": an " + request.kind().name().toLowerCase() + " has no amount, but '" + text
                        + "' was given");
            }
            return 0;
        }
        if (!DOLLARS.matcher(text).matches()) {
            problems.add(where + ": amount '" + text + "' is not dollars and cents like 1.25");
            return 0;
        }
        long cents = Math.round(Double.parseDouble(text) * 100);
        if (cents > request.maxCents()) {
            problems.add(where + ": bonus " + dollars(cents) + " is over the maximum " + dollars(request.maxCents()));
        } else if (cents < request.minCents()) {
            problems.add(where + ": bonus " + dollars(cents) + " is under the minimum " + dollars(request.minCents()));
        }
        return cents;
    }

    /** psiTurk's order: approve or reject what was submitted; bonus what was approved. */
    private static void status(Participant p, PaymentKind kind, String where, List<String> problems) {
        ParticipantStatus needed = switch (kind) {
            case BONUS -> ParticipantStatus.APPROVED;
            case OVERRIDE -> ParticipantStatus.REJECTED;
            default -> ParticipantStatus.SUBMITTED;
        };
        if (p.status() != needed) {
            problems.add(where + ": participant " + p.id() + " is " + p.status() + "; only " + needed
                    + " participants can be "
                    + switch (kind) {
                        case BONUS -> "bonused";
                        case OVERRIDE -> "overridden (approved after a rejection)";
                        default -> kind.name().toLowerCase() + "d";
                    });
        }
    }

    /** What one row pays and the places of its posting (an approval's fee depends on them). */
    private record RowCost(long cents, int places) {}

    /** The rows' costs: a bonus its amount; an approval its posting's reward (reserved when it was posted). */
    private static List<RowCost> costs(
            CrowdProvider provider, PaymentKind kind, List<Payment> rows, List<Participant> people) {
        Map<String, String> postingOfParticipant = new HashMap<>();
        for (Participant p : people) {
            postingOfParticipant.put(p.id(), p.hitId());
        }
        Map<String, Optional<Posting>> postings = new HashMap<>();
        Map<String, String> postingOfSubmission = new HashMap<>();
        Set<String> listed = new HashSet<>();
        List<RowCost> costs = new ArrayList<>(rows.size());
        for (Payment row : rows) {
            if (kind == PaymentKind.QUALIFY) {
                costs.add(new RowCost(0, 1)); // its amount is a score, not money
                continue;
            }
            if (kind != PaymentKind.APPROVE && kind != PaymentKind.OVERRIDE) {
                costs.add(new RowCost(row.amountCents(), 1));
                continue;
            }
            String postingId = row.participantId() != null
                    ? postingOfParticipant.get(row.participantId())
                    : postingOf(provider, row.assignmentId(), postingOfSubmission, listed);
            Optional<Posting> posting =
                    postingId == null ? Optional.empty() : postings.computeIfAbsent(postingId, provider::posting);
            costs.add(new RowCost(
                    posting.map(Posting::rewardCents).orElse(0L),
                    posting.map(Posting::places).orElse(1)));
        }
        return costs;
    }

    /**
     * The posting of a submission no participant of ours holds. Its posting's listing answers for the rest of that
     * posting's submissions, so a file of 1,000 workers of one posting costs 1 + 10 calls, not 1,000.
     */
    private static String postingOf(
            CrowdProvider provider, String submissionId, Map<String, String> known, Set<String> listed) {
        String postingId = known.get(submissionId);
        if (postingId != null) {
            return postingId;
        }
        postingId = provider.submission(submissionId).map(Submission::postingId).orElse(null);
        if (postingId != null) {
            // Listed once per posting: a submission the listing lacked is remembered too, so it is not asked twice.
            if (listed.add(postingId)) {
                for (Submission other : provider.submissions(postingId)) {
                    known.put(other.id(), postingId);
                }
            }
            known.put(submissionId, postingId);
        }
        return postingId;
    }

    /**
     * What each row of a plan pays the worker, in the plan's order, for the preview's rows: a bonus its amount, an
     * approval its posting's reward, a rejection nothing.
     */
    public List<Long> rowPays(PaymentPlan plan) {
        CrowdProvider provider = providers.get(plan.request().provider());
        List<Participant> people = new ArrayList<>();
        for (Payment row : plan.rows()) {
            if (row.participantId() != null) {
                participants.find(row.participantId()).ifPresent(people::add);
            }
        }
        List<RowCost> costs = costs(provider, plan.request().kind(), plan.rows(), people);
        List<Long> pays = new ArrayList<>(costs.size());
        for (RowCost cost : costs) {
            pays.add(plan.request().kind() == PaymentKind.REJECT ? 0 : cost.cents());
        }
        return pays;
    }

    /** Counts, totals, the bonus spread, and the balance before and after (what the provider will report). */
    private static Preview preview(
            CrowdProvider provider, PaymentKind kind, List<Payment> rows, List<Participant> people) {
        long total = 0;
        long fees = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (RowCost cost : costs(provider, kind, rows, people)) {
            long cents = cost.cents();
            total += cents;
            fees += kind == PaymentKind.REJECT || kind == PaymentKind.QUALIFY
                    ? 0
                    : provider.feeCents(cents, cost.places());
            min = Math.min(min, cents);
            max = Math.max(max, cents);
        }
        double mean = rows.isEmpty() ? 0 : (double) total / rows.size();
        double squares = 0;
        for (Payment row : rows) {
            squares += Math.pow(row.amountCents() - mean, 2);
        }
        double std = kind == PaymentKind.BONUS && rows.size() > 1 ? Math.sqrt(squares / rows.size()) : 0;
        long balance = provider.balanceCents();
        // What the provider will report after: a posting's reward and fee were reserved when it was posted, so an
        // approval (or a rejection, or a qualification) takes nothing more; a bonus costs its amount and its fee.
        // An overridden rejection pays the reward and fee the rejection had given back.
        long spent = kind == PaymentKind.BONUS || kind == PaymentKind.OVERRIDE ? total + fees : 0;
        return new Preview(
                rows.size(), total, fees, mean, std, rows.isEmpty() ? 0 : min, max, balance, balance - spent);
    }

    static String dollars(long cents) {
        return String.format("%d.%02d", cents / 100, cents % 100);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}
