package io.cohort.platform.payment;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.RejectionOverride;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.payment.Payment;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentState;
import io.cohort.api.payment.Payments;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.events.PgEvents;
import io.cohort.platform.session.ParticipantStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends committed ledger rows to their provider, each once. Rows are marked SENT a chunk at a time before they go
 * out, and settled (CONFIRMED, FAILED) in small transactions as answers come back; a row found SENT when a run
 * starts was cut off by a crash, so the provider is asked whether it arrived before it is sent again (with the same
 * token). One node runs a batch at a time (a PostgreSQL advisory lock held for the run), and every node looks for
 * unfinished batches every few seconds, so a batch resumes after a crash or on a surviving node.
 */
@Singleton
public final class PaymentRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PaymentRunner.class);
    private static final int CHUNK = 64;
    private static final int ATTEMPTS = 6;
    private static final Object DONE = new Object();

    private final DataSource db;
    private final Transactions tx;
    private final CrowdProviders providers;
    private final ParticipantStore participants;
    private final BiConsumer<String, String> publish;
    private final int senders;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService runs = Executors.newCachedThreadPool(daemon("cohort-payments"));
    private final ScheduledExecutorService resume =
            Executors.newSingleThreadScheduledExecutor(daemon("cohort-payments-resume"));

    /**
     * @param publish topic and JSON payload, to every node's listeners
     * @param senders provider calls in flight at once; the provider paces them to its own rate
     */
    /** Eight senders: MTurk's rate limit is per account, and eight keep it busy without tripping it. */
    @Inject
    public PaymentRunner(
            DataSource db, Transactions tx, CrowdProviders providers, ParticipantStore participants, PgEvents events) {
        this(db, tx, providers, participants, events::publish, 8);
    }

    public PaymentRunner(
            DataSource db,
            Transactions tx,
            CrowdProviders providers,
            ParticipantStore participants,
            BiConsumer<String, String> publish,
            int senders) {
        this.db = db;
        this.tx = tx;
        this.providers = providers;
        this.participants = participants;
        this.publish = publish;
        this.senders = senders;
    }

    /** Looks for unfinished batches now and every {@code seconds}. */
    public void start(int seconds) {
        resume.scheduleWithFixedDelay(this::resumeOpen, 0, seconds, TimeUnit.SECONDS);
    }

    public void execute(long batchId) {
        if (running.add(batchId)) {
            runs.execute(() -> {
                try {
                    run(batchId);
                } catch (RuntimeException | SQLException e) {
                    LOG.warn("payments: batch {} stopped, will resume: {}", batchId, e.toString());
                } finally {
                    running.remove(batchId);
                }
            });
        }
    }

    private void resumeOpen() {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id FROM cohort.payment_batch WHERE finished_at IS NULL ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                execute(rs.getLong("id"));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("payments: cannot look for unfinished batches: {}", e.toString());
        }
    }

    private void run(long batchId) throws SQLException {
        try (Connection lock = db.getConnection()) {
            if (!advisoryLock(lock, "pg_try_advisory_lock", batchId)) {
                return; // another node runs it
            }
            try {
                String providerName;
                try (PreparedStatement ps = lock.prepareStatement(
                        "SELECT provider, finished_at IS NOT NULL AS finished FROM cohort.payment_batch WHERE id = ?")) {
                    ps.setLong(1, batchId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next() || rs.getBoolean("finished")) {
                            return;
                        }
                        providerName = rs.getString("provider");
                    }
                }
                CrowdProvider provider = providers.find(providerName).orElse(null);
                if (provider == null) {
                    return; // its plugin is not running; the next look tries again
                }
                send(batchId, provider);
            } finally {
                advisoryLock(lock, "pg_advisory_unlock", batchId);
            }
        }
    }

    private static boolean advisoryLock(Connection c, String function, long batchId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + function + "(hashtext('cohort.payment.run'), ?::int) AS locked")) {
            ps.setLong(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean("locked");
            }
        }
    }

    /** A row to send, and whether an earlier run may already have sent it. */
    private record Work(Payment row, boolean maybeSent) {}

    /** What became of a row. */
    private record Outcome(Payment row, PaymentState state, String response) {}

    private void send(long batchId, CrowdProvider provider) throws SQLException {
        List<Payment> open = tx.mapper(PaymentMapper.class, m -> m.openOfBatch(batchId));
        BlockingQueue<Object> work = new ArrayBlockingQueue<>(CHUNK * 2);
        BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(senders, daemon("cohort-payment-sender"));
        for (int i = 0; i < senders; i++) {
            pool.execute(() -> {
                try {
                    for (Object next = work.take(); next != DONE; next = work.take()) {
                        outcomes.add(settle(provider, (Work) next));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        java.util.concurrent.atomic.AtomicBoolean sendersDone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread recorder = new Thread(() -> record(batchId, outcomes, sendersDone), "cohort-payment-recorder");
        recorder.setDaemon(true);
        recorder.start();
        try {
            for (int from = 0; from < open.size(); from += CHUNK) {
                List<Payment> chunk = open.subList(from, Math.min(open.size(), from + CHUNK));
                markSent(chunk);
                for (Payment row : chunk) {
                    work.put(new Work(row, row.state() == PaymentState.SENT));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Whatever stopped the hand-out (the end, a database error), the senders finish what they hold and the
            // recorder writes every answer before the run ends; rows never handed out stay as they are.
            pool.shutdown();
            try {
                for (int i = 0; i < senders; i++) {
                    work.put(DONE); // waits while the queue is full: the senders are taking from it
                }
                pool.awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
            sendersDone.set(true);
            try {
                recorder.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            return;
        }
        finishIfSettled(batchId, provider);
    }

    private void markSent(List<Payment> chunk) {
        tx.run(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE cohort.payment SET state = 'SENT', attempts = attempts + 1,"
                            + " updated_at = now() WHERE id = ANY(?)")) {
                Array ids = c.createArrayOf(
                        "bigint", chunk.stream().map(Payment::id).toArray());
                ps.setArray(1, ids);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Sends one row (asking first when it may have gone already), retrying what the provider says may succeed later. */
    private Outcome settle(CrowdProvider provider, Work work) {
        Payment row = work.row();
        boolean maybeSent = work.maybeSent();
        String last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                if (maybeSent && arrived(provider, row)) {
                    return new Outcome(row, PaymentState.CONFIRMED, "found at the provider");
                }
                maybeSent = true;
                switch (row.kind()) {
                    case APPROVE ->
                        provider.approve(row.assignmentId(), row.reason().isEmpty() ? null : row.reason());
                    case REJECT -> provider.reject(row.assignmentId(), row.reason());
                    case OVERRIDE -> {
                        if (!(provider instanceof RejectionOverride override)) {
                            throw new CrowdException(
                                    "Unsupported", provider.name() + " cannot override a rejection", false, null);
                        }
                        override.approveRejected(
                                row.assignmentId(), row.reason().isEmpty() ? null : row.reason());
                    }
                    case BONUS ->
                        provider.bonus(
                                row.workerId(), row.assignmentId(), row.amountCents(), row.reason(), row.token());
                    case QUALIFY ->
                        // No notice per worker: a settled study may qualify hundreds at once.
                        provider.qualify(row.reason(), row.workerId(), (int) row.amountCents(), false);
                }
                return new Outcome(row, PaymentState.CONFIRMED, null);
            } catch (CrowdException e) {
                last = e.code() + ": " + e.getMessage();
                if (!e.retryable()) {
                    return new Outcome(row, PaymentState.FAILED, last);
                }
                sleep(Math.min(8_000, 250L << attempt));
            } catch (RuntimeException e) {
                last = e.toString();
                sleep(Math.min(8_000, 250L << attempt));
            }
        }
        return new Outcome(row, PaymentState.SENT, "unsettled after " + ATTEMPTS + " attempts: " + last);
    }

    private static boolean arrived(CrowdProvider provider, Payment row) {
        return switch (row.kind()) {
            case APPROVE, OVERRIDE ->
                provider.submission(row.assignmentId())
                        .map(s -> s.status() == SubmissionStatus.APPROVED)
                        .orElse(false);
            case REJECT ->
                provider.submission(row.assignmentId())
                        .map(s -> s.status() == SubmissionStatus.REJECTED)
                        .orElse(false);
            case BONUS ->
                provider.bonuses(row.assignmentId()).stream()
                        .anyMatch(b -> b.amountCents() == row.amountCents()
                                && row.workerId().equals(b.workerId()));
            // Giving the same score again changes nothing, so a lost answer is settled by sending it again.
            case QUALIFY -> false;
        };
    }

    /** Writes outcomes in small transactions as they come, with the participants' new statuses, and tells the admins. */
    private void record(
            long batchId, BlockingQueue<Outcome> outcomes, java.util.concurrent.atomic.AtomicBoolean sendersDone) {
        while (!(sendersDone.get() && outcomes.isEmpty())) {
            List<Outcome> some = new ArrayList<>();
            try {
                Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                some.add(first);
                Thread.sleep(50); // let a few more arrive: one commit for many answers
                outcomes.drainTo(some, 499);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                tx.run(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.payment SET state = ?, response = ?,"
                            + " updated_at = now() WHERE id = ?")) {
                        for (Outcome o : some) {
                            ps.setString(1, o.state().name());
                            ps.setString(2, o.response());
                            ps.setLong(3, o.row().id());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    for (Outcome o : some) {
                        if (o.state() == PaymentState.CONFIRMED
                                && o.row().participantId() != null
                                && o.row().kind() != PaymentKind.QUALIFY) {
                            participants.setStatus(
                                    o.row().participantId(),
                                    statusAfter(o.row().kind()),
                                    "payment:" + o.row().batchId());
                        }
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                // The rows stay SENT: the next run asks the provider about them.
                LOG.warn("payments: cannot record {} outcomes of batch {}: {}", some.size(), batchId, e.toString());
            }
            progress(batchId, false);
        }
    }

    private static ParticipantStatus statusAfter(PaymentKind kind) {
        return switch (kind) {
            case APPROVE, OVERRIDE -> ParticipantStatus.APPROVED;
            case REJECT -> ParticipantStatus.REJECTED;
            case BONUS -> ParticipantStatus.BONUSED;
            case QUALIFY -> throw new IllegalArgumentException("a qualification changes no status");
        };
    }

    private void finishIfSettled(long batchId, CrowdProvider provider) {
        long balance;
        try {
            balance = provider.balanceCents();
        } catch (CrowdException e) {
            return; // finish on the next look
        }
        boolean finished = tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.payment_batch b SET finished_at = now(),"
                    + " balance_after_cents = ? WHERE id = ? AND finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM"
                    + " cohort.payment p WHERE p.batch_id = b.id AND p.state IN ('PLANNED', 'SENT'))")) {
                ps.setLong(1, balance);
                ps.setLong(2, batchId);
                return ps.executeUpdate() == 1;
            }
        });
        if (finished) {
            progress(batchId, true);
        }
    }

    private void progress(long batchId, boolean finished) {
        PaymentBatch b = tx.mapper(PaymentMapper.class, m -> m.batch(batchId)).get(0);
        publish.accept(
                Payments.TOPIC,
                "{\"batch\":" + batchId + ",\"confirmed\":" + b.confirmed() + ",\"failed\":" + b.failed() + ",\"open\":"
                        + b.open() + ",\"finished\":" + finished + "}");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        resume.shutdownNow();
        runs.shutdownNow();
    }
}
