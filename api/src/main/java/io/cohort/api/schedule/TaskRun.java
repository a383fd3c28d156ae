package io.cohort.api.schedule;

import java.time.Instant;

/**
 * One firing of a task and how it ended.
 *
 * @param due   the time it was scheduled for (two nodes never run the same {@code task}/{@code due} twice)
 * @param ended null while it runs
 * @param outcome RUNNING, OK, FAILED, or WAITING (no handler: its plugin is stopped)
 */
public record TaskRun(long id, String task, Instant due, Instant started, Instant ended, String node, String outcome,
                      String message) {
}
