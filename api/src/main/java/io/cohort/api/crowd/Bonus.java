package io.cohort.api.crowd;

import java.time.Instant;

/** A bonus the provider says it paid. */
public record Bonus(String workerId, String assignmentId, long amountCents, String reason, Instant granted) {}
