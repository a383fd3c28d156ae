package io.cohort.api.payment;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Service: the payment ledger. Plan (check every row, preview) → commit (rows written PLANNED in one
 * transaction) → execute (each row sent once with its own idempotency token, paced and retried; SENT rows whose
 * answer was lost are asked about before anything is sent again). Progress is published on the event topic
 * {@value #TOPIC}. Status changes follow: APPROVE → APPROVED, REJECT → REJECTED, BONUS → BONUSED.
 */
@ProviderType
public interface Payments {

    String TOPIC = "payment/progress";

    /** Checks and previews; writes nothing. A dry run stops here. @throws PlanRefused naming every bad row */
    PaymentPlan plan(PlanRequest request);

    /** Re-checks the plan and writes it to the ledger in one transaction. @throws PlanRefused as {@link #plan} */
    PaymentBatch commit(PaymentPlan plan, String by);

    /** Starts (or resumes) sending a batch in the background and returns at once. */
    void execute(long batchId);

    Optional<PaymentBatch> batch(long id);

    /** Newest first. */
    List<PaymentBatch> batches();

    List<Payment> payments(long batchId);
}
