package io.cohort.platform.schedule;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.TaskRun;
import io.cohort.platform.Config;
import io.cohort.platform.db.Transactions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Where tasks and their runs are kept: the task rows an admin or a plugin manages, and a row per run. */
@Singleton
public final class TaskStore {

    /** A task as stored. */
    public record Row(
            String name,
            String type,
            String cron,
            Long intervalSeconds,
            String data,
            boolean paused,
            String createdBy,
            Instant created) {

        Schedule schedule() {
            return new Schedule(cron, intervalSeconds);
        }
    }

    private final Transactions tx;
    private final String node;

    @Inject
    public TaskStore(Transactions tx, Config config) {
        this(tx, config.node());
    }

    TaskStore(Transactions tx, String node) {
        this.tx = tx;
        this.node = node;
    }

    /** False when a task of that name exists. */
    boolean insert(String name, String type, Schedule schedule, String data, String by) {
        return tx.mapper(
                        TaskMapper.class,
                        m -> m.insert(name, type, cron(schedule), schedule.intervalSeconds(), data, by))
                > 0;
    }

    Optional<Row> find(String name) {
        return tx.mapper(TaskMapper.class, m -> m.named(name)).stream().findFirst();
    }

    List<Row> all() {
        return tx.mapper(TaskMapper.class, TaskMapper::all);
    }

    void reschedule(String name, Schedule schedule) {
        tx.mapper(TaskMapper.class, m -> m.reschedule(name, cron(schedule), schedule.intervalSeconds()));
    }

    void setPaused(String name, boolean paused) {
        tx.mapper(TaskMapper.class, m -> m.setPaused(name, paused));
    }

    void delete(String name) {
        tx.mapper(TaskMapper.class, m -> m.delete(name));
    }

    /** A run begun: its id, and the due time it is for (a dead node's, when this one takes its run over). */
    record Started(long id, Instant due) {}

    /**
     * Begins a run of {@code task} for {@code picked}. db-scheduler runs one execution of a task at a time: a RUNNING
     * row that no run of this JVM ({@code mine}) holds is a dead node's, and db-scheduler revived that execution at
     * "now"; the run taken over keeps the due time it was for.
     */
    Started startRun(String task, Instant picked, Set<Long> mine) {
        return tx.mapper(TaskMapper.class, m -> {
            Instant due = picked;
            for (Instant dead : m.failAbandoned(task, node, mine.toArray(Long[]::new))) {
                due = dead.isBefore(due) ? dead : due;
            }
            return new Started(m.startRun(task, due, node), due);
        });
    }

    void endRun(long id, String outcome, String message) {
        tx.mapper(
                TaskMapper.class,
                m -> m.endRun(
                        id, outcome, message == null ? null : message.substring(0, Math.min(message.length(), 4000))));
    }

    /** Says once (not every few seconds) that the task waits for its handler. */
    void recordWaiting(String task, Instant due, String message) {
        tx.mapper(TaskMapper.class, m -> m.waiting(task, due, node, message));
    }

    List<TaskRun> history(String task, int limit) {
        return tx.mapper(TaskMapper.class, m -> m.history(task, limit));
    }

    List<TaskRun> latest(List<String> tasks) {
        return tx.mapper(TaskMapper.class, m -> m.latest(tasks.toArray(String[]::new)));
    }

    private static String cron(Schedule schedule) {
        return schedule.cron() == null ? null : schedule.cron().trim();
    }
}
