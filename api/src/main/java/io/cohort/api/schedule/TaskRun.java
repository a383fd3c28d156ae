package io.cohort.api.schedule;

import java.time.Instant;

/** One firing of a task and how it ended. */
public record TaskRun(String task, Instant started, Instant ended, String node, boolean ok, String message) {
}
