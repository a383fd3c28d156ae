package io.cohort.platform.schedule;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.schedule.NewTask;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.Task;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.api.schedule.TaskRun;
import io.cohort.platform.Config;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.web.AuditLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scheduler}: tasks kept by {@link TaskStore}, fired by db-scheduler (one generic task type whose instance is
 * the task's name, so plugins' handlers can come and go), each run in {@code cohort.task_run}. db-scheduler picks each
 * due execution with {@code SELECT … FOR UPDATE SKIP LOCKED}, so a due time runs on one node however many run a
 * scheduler; a node that stops heartbeating (2 s) for 8 s has its execution revived on another node. After a run the
 * next due time is computed from the stored schedule, so pausing, rescheduling and deleting take effect at once.
 */
@Singleton
public final class TaskScheduler implements Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskScheduler.class);
    private static final String KIND = "cohort-task";
    /** How soon a task whose handler is missing looks again. */
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final TaskStore store;
    private final String node;
    private final AuditLog audit;
    private final Whiteboard<TaskHandler> handlers;
    private final CustomTask<Void> kind;
    private final SchedulerClient client;
    private final com.github.kagkarlsson.scheduler.Scheduler runner;
    /** Ids of the runs this JVM is executing: any other RUNNING row of a task being started again is a dead node's. */
    private final Set<Long> mine = ConcurrentHashMap.newKeySet();

    @Inject
    public TaskScheduler(DataSource db, TaskStore store, Config config, BundleContext context, AuditLog audit) {
        this(db, store, config.node(), Boolean.parseBoolean(config.get("scheduler.enabled")), context, audit);
    }

    /** @param enabled whether this node executes tasks ({@code scheduler.enabled}); every node can manage them */
    TaskScheduler(DataSource db, TaskStore store, String node, boolean enabled, BundleContext context, AuditLog audit) {
        this.store = store;
        this.node = node;
        this.audit = audit;
        this.handlers = new Whiteboard<>(context, TaskHandler.class);
        this.kind = Tasks.custom(KIND, Void.class).onDeadExecutionRevive().execute(this::fire);
        Serializer none = new Serializer() {
            @Override
            public byte[] serialize(Object data) {
                return data == null ? null : data.toString().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public <T> T deserialize(Class<T> type, byte[] bytes) {
                return null; // the instance id (the task's name) is all a firing needs
            }
        };
        this.client = SchedulerClient.Builder.create(db, kind)
                .tableName("cohort.scheduled_tasks")
                .serializer(none)
                .build();
        if (enabled) {
            runner = com.github.kagkarlsson.scheduler.Scheduler.create(db, kind)
                    .tableName("cohort.scheduled_tasks")
                    .serializer(none)
                    .schedulerName(new SchedulerName.Fixed(node))
                    .threads(4)
                    .pollingInterval(Duration.ofMillis(500))
                    .pollUsingLockAndFetch(0.5, 1.0)
                    .heartbeatInterval(Duration.ofSeconds(2))
                    .missedHeartbeatsLimit(4)
                    .enableImmediateExecution()
                    .shutdownMaxWait(Duration.ofSeconds(5))
                    .build();
            runner.start();
        } else {
            runner = null;
        }
    }

    // ---- the Scheduler service

    @Override
    public Task create(NewTask spec, String by) {
        return create(spec, by, false);
    }

    /**
     * @param knownType refuse a type no running handler has: an admin naming one made a typo, while a plugin may
     *                  make its task a moment before its own handler is registered
     */
    Task create(NewTask spec, String by, boolean knownType) {
        String name = spec.name() == null ? "" : spec.name().trim();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name: '" + name
                    + "' must be 1–64 letters, digits, '.', '_' or '-', starting" + " with a letter or digit");
        }
        if (spec.type() == null || spec.type().isBlank()) {
            throw new IllegalArgumentException(
                    "type: say which kind of task it is (a handler's type, e.g. payments.approve-all)");
        }
        Schedule schedule = Schedules.check(spec.schedule());
        String data = spec.data() == null || spec.data().isBlank() ? "{}" : spec.data();
        checkJsonObject(data);
        List<String> types = handlerTypes();
        if (knownType && !types.contains(spec.type().trim())) {
            throw new IllegalArgumentException(
                    "type: no running handler has the type '" + spec.type().trim() + "'; the types are: "
                            + (types.isEmpty() ? "(none running)" : String.join(", ", types)));
        }
        if (!store.insert(name, spec.type().trim(), schedule, data, by)) {
            throw new IllegalArgumentException("name: there is already a task '" + name + "'");
        }
        Instant first = Schedules.next(schedule, Instant.now(), Instant.now());
        if (!client.scheduleIfNotExists(instance(name), first) && !client.reschedule(instance(name), first)) {
            // A deleted task of the same name is still finishing its last run.
            store.delete(name);
            throw new IllegalArgumentException("name: a task called '" + name
                    + "' was deleted and is still finishing its" + " last run; try again in a moment");
        }
        audit.record(by, "task.create", name, Map.of("type", spec.type(), "schedule", Schedules.words(schedule)));
        return find(name).orElseThrow();
    }

    @Override
    public Optional<Task> find(String name) {
        return tasks(store.find(name).stream().toList()).stream().findFirst();
    }

    @Override
    public List<Task> list() {
        return tasks(store.all());
    }

    @Override
    public Task reschedule(String name, Schedule schedule, String by) {
        Schedules.check(schedule);
        Task task = existing(name);
        store.reschedule(name, schedule);
        if (!task.paused()) {
            client.reschedule(instance(name), Schedules.next(schedule, Instant.now(), Instant.now()));
        }
        audit.record(by, "task.reschedule", name, Map.of("schedule", Schedules.words(schedule)));
        return find(name).orElseThrow();
    }

    @Override
    public void pause(String name, String by) {
        existing(name);
        setPaused(name, true);
        cancel(name);
        audit.record(by, "task.pause", name, Map.of());
    }

    @Override
    public void resume(String name, String by) {
        Task task = existing(name);
        setPaused(name, false);
        client.scheduleIfNotExists(instance(name), Schedules.next(task.schedule(), Instant.now(), Instant.now()));
        audit.record(by, "task.resume", name, Map.of());
    }

    @Override
    public void runNow(String name, String by) {
        existing(name);
        if (!client.scheduleIfNotExists(instance(name), Instant.now())
                && !client.reschedule(instance(name), Instant.now())) {
            throw new IllegalStateException("task '" + name + "' is running now");
        }
        audit.record(by, "task.run", name, Map.of());
    }

    @Override
    public void delete(String name, String by) {
        existing(name);
        store.delete(name);
        cancel(name);
        audit.record(by, "task.delete", name, Map.of());
    }

    @Override
    public List<TaskRun> history(String name, int limit) {
        return store.history(name, Math.max(1, Math.min(limit, 10_000)));
    }

    @Override
    public String describe(Schedule schedule) {
        return Schedules.words(Schedules.check(schedule));
    }

    /** The types of the handlers running now, for the New-task form. */
    public List<String> handlerTypes() {
        List<String> types = new ArrayList<>();
        for (ServiceReference<TaskHandler> ref : handlers.services().keySet()) {
            Object type = ref.getProperty(TaskHandler.TYPE);
            if (type != null && !types.contains(type.toString())) {
                types.add(type.toString());
            }
        }
        types.sort(null);
        return types;
    }

    // ---- firing

    /** One due time of one task, on whichever node picked it. */
    private CompletionHandler<Void> fire(TaskInstance<Void> instance, ExecutionContext context) {
        String name = instance.getId();
        Instant due = context.getExecution().executionTime;
        Optional<TaskStore.Row> found = store.find(name);
        if (found.isEmpty() || found.get().paused()) {
            return (complete, operations) -> operations.remove();
        }
        TaskStore.Row task = found.get();
        TaskHandler handler = handler(task.type());
        if (handler == null) {
            recordWaiting(name, due, task.type());
            return (complete, operations) ->
                    operations.reschedule(complete, Instant.now().plus(WAIT));
        }
        TaskStore.Started run = startRun(name, due);
        String outcome = "OK";
        String message;
        try {
            message = handler.run(name, task.data());
        } catch (Exception | LinkageError e) {
            outcome = "FAILED";
            message = e.toString();
            LOG.warn("task {} failed: {}", name, message);
        }
        if (context.getSchedulerState().isShuttingDown() && outcome.equals("FAILED")) {
            // This node is stopping and cut the run short: due again at once, so another node (or this one, back) runs
            // it.
            endRun(run.id(), outcome, "node " + node + " stopped during the run (" + message + "); it runs again");
            return (complete, operations) -> operations.reschedule(complete, run.due());
        }
        endRun(run.id(), outcome, message);
        return (complete, operations) -> {
            Optional<TaskStore.Row> now = store.find(name);
            if (now.isEmpty() || now.get().paused()) {
                operations.remove();
            } else {
                operations.reschedule(complete, Schedules.next(now.get().schedule(), run.due(), Instant.now()));
            }
        };
    }

    private TaskStore.Started startRun(String name, Instant picked) {
        TaskStore.Started started = store.startRun(name, picked, mine);
        mine.add(started.id());
        return started;
    }

    private void endRun(long id, String outcome, String message) {
        try {
            store.endRun(id, outcome, message);
        } finally {
            mine.remove(id);
        }
    }

    /** Says once (not every few seconds) that the task waits for its handler. */
    private void recordWaiting(String name, Instant due, String type) {
        store.recordWaiting(name, due, waitingFor(type));
    }

    private static String waitingFor(String type) {
        return "waiting: no handler for type '" + type + "' is running (its plugin is stopped or not deployed);"
                + " it runs again when one is";
    }

    /** The tasks as the admin sees them: with their next due time (db-scheduler's) and their latest run. */
    private List<Task> tasks(List<TaskStore.Row> rows) {
        Map<String, Instant> next = new java.util.HashMap<>();
        client.fetchScheduledExecutionsForTask(
                KIND, Void.class, e -> next.put(e.getTaskInstance().getId(), e.getExecutionTime()));
        Map<String, TaskRun> last = new java.util.HashMap<>();
        if (!rows.isEmpty()) {
            store.latest(rows.stream().map(TaskStore.Row::name).toList()).forEach(run -> last.put(run.task(), run));
        }
        List<Task> out = new ArrayList<>();
        for (TaskStore.Row r : rows) {
            String waiting = r.paused() ? "paused" : handler(r.type()) == null ? waitingFor(r.type()) : null;
            out.add(new Task(
                    r.name(),
                    r.type(),
                    r.schedule(),
                    Schedules.words(r.schedule()),
                    r.data(),
                    r.paused(),
                    waiting,
                    r.paused() ? null : next.get(r.name()),
                    last.get(r.name()),
                    r.createdBy(),
                    r.created()));
        }
        return out;
    }

    private Task existing(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("task: there is no task '" + name + "'"));
    }

    private void setPaused(String name, boolean paused) {
        store.setPaused(name, paused);
    }

    /** Drops the pending execution; one running now removes itself when it ends (the task is gone or paused). */
    private void cancel(String name) {
        try {
            client.cancel(instance(name));
        } catch (RuntimeException e) {
            LOG.debug("task {}: no execution to cancel ({})", name, e.getMessage());
        }
    }

    private TaskInstance<Void> instance(String name) {
        return kind.instance(name);
    }

    private TaskHandler handler(String type) {
        return handlers.where(TaskHandler.TYPE, type).orElse(null);
    }

    private static void checkJsonObject(String data) {
        try {
            if (!io.cohort.platform.web.Layout.JSON.readTree(data).isObject()) {
                throw new IllegalArgumentException("data: must be a JSON object, e.g. {\"provider\": \"mturk\"}");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("data: not JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.stop();
        }
        handlers.close();
    }
}
