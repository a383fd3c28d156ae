package io.cohort.api.crowd;

import java.time.Instant;

/** A bonus paid on one submission. Amount in cents. */
public record Bonus(String workerId, String submissionId, long amountCents, String reason, Instant granted) {}
