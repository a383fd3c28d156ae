package io.cohort.api.schedule;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Service: tasks stored in the database, each firing once per due time however many nodes run a scheduler, handed
 * to the {@link TaskHandler} registered for its type. Every change is recorded with who made it.
 */
@ProviderType
public interface Scheduler {

    /** @throws IllegalArgumentException naming the field (name taken or malformed, bad cron, interval under 1 s) */
    Task create(NewTask task, String by);

    Optional<Task> find(String name);

    /** By name. */
    List<Task> list();

    /** @throws IllegalArgumentException as {@link #create} */
    Task reschedule(String name, Schedule schedule, String by);

    void pause(String name, String by);

    void resume(String name, String by);

    /** Fires it as soon as a node can, besides its schedule. */
    void runNow(String name, String by);

    void delete(String name, String by);

    /** Newest first. */
    List<TaskRun> history(String name, int limit);

    /** The schedule in words ("every 30 minutes", "at 09:00 on Monday"). @throws IllegalArgumentException if invalid */
    String describe(Schedule schedule);
}
