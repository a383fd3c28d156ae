package io.cohort.api.payment;

import java.util.List;

/** A checked plan: the ledger rows it will write (id 0, not yet committed) and its preview. */
public record PaymentPlan(PlanRequest request, List<Payment> rows, Preview preview) {}
