package io.cohort.plugin.campaigns.internal;

import java.time.Instant;

/** A row of {@code round}: {@code state} PLANNED until every HIT of it is posted and known, then RECORDED. */
public record Round(long campaignId, int number, int planned, String state, Instant created, Instant recorded) {}
