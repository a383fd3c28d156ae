package io.cohort.api.schedule;

/**
 * A task to store.
 *
 * @param name unique, {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}
 * @param type the {@link TaskHandler#TYPE} of the handler that runs it
 * @param data JSON object text handed to the handler; null for {@code {}}
 */
public record NewTask(String name, String type, Schedule schedule, String data) {}
