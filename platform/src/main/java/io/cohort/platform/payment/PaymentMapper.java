package io.cohort.platform.payment;

import io.cohort.api.payment.Payment;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentState;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.ResultMap;
import org.apache.ibatis.annotations.Select;

/** The ledger's reads: payment rows and batches with their rows counted by state, each column mapped by name. */
public interface PaymentMapper {

    String PAYMENT = "SELECT id, batch_id, participant_id, worker_id, assignment_id, kind, amount_cents, reason, token,"
            + " state, response, attempts, updated_at FROM cohort.payment";

    String BATCH = "SELECT b.id, b.provider, b.kind, b.label, count(p.id) AS count,"
            + " count(p.id) FILTER (WHERE p.state = 'CONFIRMED') AS confirmed,"
            + " count(p.id) FILTER (WHERE p.state = 'FAILED') AS failed,"
            + " count(p.id) FILTER (WHERE p.state IN ('PLANNED', 'SENT')) AS open,"
            + " b.total_cents, b.balance_before_cents, b.balance_after_cents, b.created_by, b.created_at, b.finished_at"
            + " FROM cohort.payment_batch b LEFT JOIN cohort.payment p ON p.batch_id = b.id";

    /** A batch's rows, in the order they were planned. */
    @Select(PAYMENT + " WHERE batch_id = #{batchId} ORDER BY id")
    @ConstructorArgs({
        @Arg(column = "id", javaType = long.class),
        @Arg(column = "batch_id", javaType = long.class),
        @Arg(column = "participant_id", javaType = String.class),
        @Arg(column = "worker_id", javaType = String.class),
        @Arg(column = "assignment_id", javaType = String.class),
        @Arg(column = "kind", javaType = PaymentKind.class),
        @Arg(column = "amount_cents", javaType = long.class),
        @Arg(column = "reason", javaType = String.class),
        @Arg(column = "token", javaType = String.class),
        @Arg(column = "state", javaType = PaymentState.class),
        @Arg(column = "response", javaType = String.class),
        @Arg(column = "attempts", javaType = int.class),
        @Arg(column = "updated_at", javaType = Instant.class)
    })
    @org.apache.ibatis.annotations.Results(id = "payment")
    List<Payment> ofBatch(long batchId);

    /** A batch's rows not settled yet (PLANNED or SENT), for the runner. */
    @Select(PAYMENT + " WHERE batch_id = #{batchId} AND state IN ('PLANNED', 'SENT') ORDER BY id")
    @ResultMap("payment")
    List<Payment> openOfBatch(long batchId);

    @Select(BATCH + " WHERE b.id = #{id} GROUP BY b.id")
    @ConstructorArgs({
        @Arg(column = "id", javaType = long.class),
        @Arg(column = "provider", javaType = String.class),
        @Arg(column = "kind", javaType = PaymentKind.class),
        @Arg(column = "label", javaType = String.class),
        @Arg(column = "count", javaType = int.class),
        @Arg(column = "confirmed", javaType = int.class),
        @Arg(column = "failed", javaType = int.class),
        @Arg(column = "open", javaType = int.class),
        @Arg(column = "total_cents", javaType = long.class),
        @Arg(column = "balance_before_cents", javaType = long.class),
        @Arg(column = "balance_after_cents", javaType = Long.class),
        @Arg(column = "created_by", javaType = String.class),
        @Arg(column = "created_at", javaType = Instant.class),
        @Arg(column = "finished_at", javaType = Instant.class)
    })
    @org.apache.ibatis.annotations.Results(id = "batch")
    List<PaymentBatch> batch(long id);

    /** The latest batches first. */
    @Select(BATCH + " GROUP BY b.id ORDER BY b.id DESC LIMIT #{limit}")
    @ResultMap("batch")
    List<PaymentBatch> latest(int limit);

    /** One row of the ledger for an assignment: its state and batch. */
    record Held(String assignmentId, String state, long batchId) {}

    /** The {@code kind} rows of a provider's assignments that did not fail (at most one each, by a unique index). */
    @Select("SELECT assignment_id, state, batch_id FROM cohort.payment"
            + " WHERE provider = #{provider} AND kind = #{kind} AND state <> 'FAILED'")
    @ConstructorArgs({
        @Arg(column = "assignment_id", javaType = String.class),
        @Arg(column = "state", javaType = String.class),
        @Arg(column = "batch_id", javaType = long.class)
    })
    List<Held> held(@Param("provider") String provider, @Param("kind") PaymentKind kind);
}
