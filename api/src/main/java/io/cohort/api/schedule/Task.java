package io.cohort.api.schedule;

import java.time.Instant;

/**
 * A stored task.
 *
 * @param words       the schedule in words, e.g. "every 30 minutes"
 * @param waiting     why it does not run now (paused; no handler for its type because its plugin is stopped), or null
 * @param nextRun     when it fires next; null while paused
 * @param lastRun     its latest run, or null
 */
public record Task(
        String name,
        String type,
        Schedule schedule,
        String words,
        String data,
        boolean paused,
        String waiting,
        Instant nextRun,
        TaskRun lastRun,
        String createdBy,
        Instant created) {}
