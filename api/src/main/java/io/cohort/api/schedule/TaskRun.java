package io.cohort.api.schedule;

import java.time.Instant;

/**
 * One firing of a task and how it ended.
 *
 * @param due   the time it was scheduled for: one due time ends OK at most once; a run a node takes over from a dead
 *              one keeps its due, beside the dead one's FAILED run
 * @param ended null while it runs
 * @param outcome RUNNING, OK, FAILED, or WAITING (no handler: its plugin is stopped)
 */
public record TaskRun(
        long id,
        String task,
        Instant due,
        Instant started,
        Instant ended,
        String node,
        String outcome,
        String message) {}
