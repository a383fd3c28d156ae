package io.cohort.api.schedule;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: does the work of one kind of task. Register it with {@value #TYPE}; tasks stored with that
 * type run only while the handler is registered, and wait (saying so) while its plugin is stopped.
 */
@FunctionalInterface
@ConsumerType
public interface TaskHandler {

    String TYPE = "cohort.task";

    /** Runs one firing. {@code data} is the task's JSON; the returned text goes into the run history. */
    String run(String taskName, String data) throws Exception;
}
