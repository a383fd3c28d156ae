package io.cohort.api.schedule;

/**
 * When a task runs: a cron expression (Unix, five fields) or a fixed interval in seconds. Exactly one is set.
 */
public record Schedule(String cron, Long intervalSeconds) {}
