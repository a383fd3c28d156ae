package io.cohort.platform.payment;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.platform.web.Layout;

/**
 * Task type {@value #TYPE}: "approve all submitted" on a schedule, through the ledger like the batch action (the same
 * checks, one row per assignment, resumable). Data: {@code {"provider": "mturk"}}, or {@code {}} for the only provider.
 */
@Singleton
public final class ApproveAllTask implements TaskHandler {

    public static final String TYPE = "payments.approve-all";

    private final CrowdProviders providers;
    private final BatchActions actions;
    private final PaymentLedger ledger;

    @Inject
    public ApproveAllTask(CrowdProviders providers, BatchActions actions, PaymentLedger ledger) {
        this.providers = providers;
        this.actions = actions;
        this.ledger = ledger;
    }

    @Override
    public String run(String taskName, String data) throws Exception {
        JsonNode provider = Layout.JSON.readTree(data == null ? "{}" : data).path("provider");
        String name =
                providers.named(provider.isTextual() ? provider.asText() : null).name();
        PlanRequest request = actions.approveSubmitted(name);
        if (request.rows().isEmpty()) {
            return "nothing submitted to approve";
        }
        PaymentBatch batch = ledger.commit(ledger.plan(request), "task:" + taskName);
        ledger.execute(batch.id());
        return "batch " + batch.id() + ": approving " + batch.count() + " submission(s)";
    }
}
