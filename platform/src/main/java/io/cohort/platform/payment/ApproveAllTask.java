package io.cohort.platform.payment;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.platform.web.Layout;
import java.util.List;

/**
 * Task type {@value #TYPE}: "approve all submitted" on a schedule, through the ledger like the batch action (the same
 * checks, one row per assignment, resumable). Data: {@code {"provider": "mturk"}}, or {@code {}} for the only provider.
 */
public final class ApproveAllTask implements TaskHandler {

    public static final String TYPE = "payments.approve-all";

    private final CrowdProviders providers;
    private final BatchActions actions;
    private final PaymentLedger ledger;

    public ApproveAllTask(CrowdProviders providers, BatchActions actions, PaymentLedger ledger) {
        this.providers = providers;
        this.actions = actions;
        this.ledger = ledger;
    }

    @Override
    public String run(String taskName, String data) throws Exception {
        JsonNode provider = Layout.JSON.readTree(data == null ? "{}" : data).path("provider");
        String name;
        if (provider.isTextual()) {
            name = provider.asText();
        } else {
            List<CrowdProvider> all = providers.all();
            if (all.size() != 1) {
                throw new IllegalStateException("data: say which provider (\"provider\": ...); running: "
                        + all.stream().map(CrowdProvider::name).toList());
            }
            name = all.get(0).name();
        }
        PlanRequest request = actions.approveSubmitted(providers.get(name).name());
        if (request.rows().isEmpty()) {
            return "nothing submitted to approve";
        }
        PaymentBatch batch = ledger.commit(ledger.plan(request), "task:" + taskName);
        ledger.execute(batch.id());
        return "batch " + batch.id() + ": approving " + batch.count() + " assignment(s)";
    }
}
