package io.cohort.api.crowd;

import java.time.Instant;

/** A posted task and its assignment counts. Reward in cents. */
public record Hit(String id, String title, CrowdMode mode, HitStatus status, long rewardCents, int maxAssignments,
                  int available, int pending, int completed, Instant created, Instant expires) {
}
