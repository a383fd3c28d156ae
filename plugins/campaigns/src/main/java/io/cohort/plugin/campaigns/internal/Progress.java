package io.cohort.plugin.campaigns.internal;

import java.time.Instant;

/** A row of {@code progress}: where a campaign stood after one of its rounds. */
public record Progress(long campaignId, Instant at, int completed, int inFlight, int goal, long spentCents) {}
