package io.cohort.platform.schedule;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.serializer.Serializer;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.cohort.api.schedule.NewTask;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.Task;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.api.schedule.TaskRun;
import io.cohort.platform.web.AuditLog;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Scheduler}: tasks in {@code cohort.task}, fired by db-scheduler (one generic task type whose instance is
 * the task's name, so plugins' handlers can come and go), each run in {@code cohort.task_run}. db-scheduler picks each
 * due execution with {@code SELECT … FOR UPDATE SKIP LOCKED}, so a due time runs on one node however many run a
 * scheduler; a node that stops heartbeating (2 s) for 8 s has its execution revived on another node. After a run the
 * next due time is computed from the stored schedule, so pausing, rescheduling and deleting take effect at once.
 */
public final class TaskScheduler implements Scheduler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskScheduler.class);
    private static final String KIND = "cohort-task";
    /** How soon a task whose handler is missing looks again. */
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final DataSource db;
    private final String node;
    private final AuditLog audit;
    private final ServiceTracker<TaskHandler, TaskHandler> handlers;
    private final CustomTask<Void> kind;
    private final SchedulerClient client;
    private final com.github.kagkarlsson.scheduler.Scheduler runner;
    /** Ids of the runs this JVM is executing: any other RUNNING row of a task being started again is a dead node's. */
    private final Set<Long> mine = ConcurrentHashMap.newKeySet();

    /** @param enabled whether this node executes tasks ({@code scheduler.enabled}); every node can manage them */
    public TaskScheduler(DataSource db, String node, boolean enabled, BundleContext context, AuditLog audit) {
        this.db = db;
        this.node = node;
        this.audit = audit;
        this.handlers = new ServiceTracker<>(context, TaskHandler.class, null);
        handlers.open(true);
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
        this.client = SchedulerClient.Builder.create(db, kind).tableName("cohort.scheduled_tasks").serializer(none).build();
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
            throw new IllegalArgumentException("name: '" + name + "' must be 1–64 letters, digits, '.', '_' or '-', starting"
                    + " with a letter or digit");
        }
        if (spec.type() == null || spec.type().isBlank()) {
            throw new IllegalArgumentException("type: say which kind of task it is (a handler's type, e.g. payments.approve-all)");
        }
        Schedule schedule = Schedules.check(spec.schedule());
        String data = spec.data() == null || spec.data().isBlank() ? "{}" : spec.data();
        checkJsonObject(data);
        List<String> types = handlerTypes();
        if (knownType && !types.contains(spec.type().trim())) {
            throw new IllegalArgumentException("type: no running handler has the type '" + spec.type().trim()
                    + "'; the types are: " + (types.isEmpty() ? "(none running)" : String.join(", ", types)));
        }
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.task (name, type, cron, interval_seconds, data,"
                    + " created_by) VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setString(2, spec.type().trim());
                ps.setString(3, schedule.cron() == null ? null : schedule.cron().trim());
                ps.setObject(4, schedule.intervalSeconds());
                ps.setString(5, data);
                ps.setString(6, by);
                if (ps.executeUpdate() == 0) {
                    throw new IllegalArgumentException("name: there is already a task '" + name + "'");
                }
            }
            return null;
        });
        Instant first = Schedules.next(schedule, Instant.now(), Instant.now());
        if (!client.scheduleIfNotExists(instance(name), first) && !client.reschedule(instance(name), first)) {
            // A deleted task of the same name is still finishing its last run.
            sql(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM cohort.task WHERE name = ?")) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
                return null;
            });
            throw new IllegalArgumentException("name: a task called '" + name + "' was deleted and is still finishing its"
                    + " last run; try again in a moment");
        }
        audit.record(by, "task.create", name, Map.of("type", spec.type(), "schedule", Schedules.words(schedule)));
        return find(name).orElseThrow();
    }

    @Override
    public Optional<Task> find(String name) {
        List<Task> found = tasks("WHERE name = ?", name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<Task> list() {
        return tasks("ORDER BY name");
    }

    @Override
    public Task reschedule(String name, Schedule schedule, String by) {
        Schedules.check(schedule);
        Task task = existing(name);
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.task SET cron = ?, interval_seconds = ? WHERE name = ?")) {
                ps.setString(1, schedule.cron() == null ? null : schedule.cron().trim());
                ps.setObject(2, schedule.intervalSeconds());
                ps.setString(3, name);
                ps.executeUpdate();
            }
            return null;
        });
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
        if (!client.scheduleIfNotExists(instance(name), Instant.now()) && !client.reschedule(instance(name), Instant.now())) {
            throw new IllegalStateException("task '" + name + "' is running now");
        }
        audit.record(by, "task.run", name, Map.of());
    }

    @Override
    public void delete(String name, String by) {
        existing(name);
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM cohort.task WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return null;
        });
        cancel(name);
        audit.record(by, "task.delete", name, Map.of());
    }

    @Override
    public List<TaskRun> history(String name, int limit) {
        return runs("WHERE task = ? ORDER BY id DESC LIMIT " + Math.max(1, Math.min(limit, 10_000)), name);
    }

    @Override
    public String describe(Schedule schedule) {
        return Schedules.words(Schedules.check(schedule));
    }

    /** The types of the handlers running now, for the New-task form. */
    public List<String> handlerTypes() {
        List<String> types = new ArrayList<>();
        for (ServiceReference<TaskHandler> ref : refs()) {
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
        Optional<Row> found = row(name);
        if (found.isEmpty() || found.get().paused()) {
            return (complete, operations) -> operations.remove();
        }
        Row task = found.get();
        TaskHandler handler = handler(task.type());
        if (handler == null) {
            recordWaiting(name, due, task.type());
            return (complete, operations) -> operations.reschedule(complete, Instant.now().plus(WAIT));
        }
        Started run = startRun(name, due);
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
            // This node is stopping and cut the run short: due again at once, so another node (or this one, back) runs it.
            endRun(run.id(), outcome, "node " + node + " stopped during the run (" + message + "); it runs again");
            return (complete, operations) -> operations.reschedule(complete, run.due());
        }
        endRun(run.id(), outcome, message);
        return (complete, operations) -> {
            Optional<Row> now = row(name);
            if (now.isEmpty() || now.get().paused()) {
                operations.remove();
            } else {
                operations.reschedule(complete, Schedules.next(now.get().schedule(), run.due(), Instant.now()));
            }
        };
    }

    /** A run begun: its id, and the due time it is for (a dead node's, when this one takes its run over). */
    private record Started(long id, Instant due) {
    }

    private Started startRun(String name, Instant picked) {
        Started started = sql(c -> {
            // db-scheduler runs one execution of a task at a time: a RUNNING row not run by this JVM is a dead node's,
            // and db-scheduler revived that execution at "now"; the run taken over keeps the due time it was for.
            Instant due = picked;
            try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.task_run SET outcome = 'FAILED', ended = clock_timestamp(),"
                    + " message = 'node ' || node || ' stopped answering; run again on ' || ? WHERE task = ? AND outcome = 'RUNNING'"
                    + " AND NOT (id = ANY(?)) RETURNING due")) {
                ps.setString(1, node);
                ps.setString(2, name);
                ps.setArray(3, c.createArrayOf("bigint", mine.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Instant dead = rs.getTimestamp(1).toInstant();
                        due = dead.isBefore(due) ? dead : due;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.task_run (task, due, node, outcome)"
                    + " VALUES (?, ?, ?, 'RUNNING') RETURNING id")) {
                ps.setString(1, name);
                ps.setTimestamp(2, Timestamp.from(due));
                ps.setString(3, node);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Started(rs.getLong(1), due);
                }
            }
        });
        mine.add(started.id());
        return started;
    }

    private void endRun(long id, String outcome, String message) {
        try {
            sql(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.task_run SET outcome = ?, message = ?,"
                        + " ended = clock_timestamp() WHERE id = ?")) {
                    ps.setString(1, outcome);
                    ps.setString(2, message == null ? null : message.substring(0, Math.min(message.length(), 4000)));
                    ps.setLong(3, id);
                    ps.executeUpdate();
                }
                return null;
            });
        } finally {
            mine.remove(id);
        }
    }

    /** Says once (not every few seconds) that the task waits for its handler. */
    private void recordWaiting(String name, Instant due, String type) {
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.task_run (task, due, node, outcome, ended, message)"
                    + " SELECT ?, ?, ?, 'WAITING', clock_timestamp(), ? WHERE NOT EXISTS (SELECT 1 FROM cohort.task_run r"
                    + " WHERE r.id = (SELECT max(id) FROM cohort.task_run WHERE task = ?) AND r.outcome = 'WAITING')")) {
                ps.setString(1, name);
                ps.setTimestamp(2, Timestamp.from(due));
                ps.setString(3, node);
                ps.setString(4, waitingFor(type));
                ps.setString(5, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static String waitingFor(String type) {
        return "waiting: no handler for type '" + type + "' is running (its plugin is stopped or not deployed);"
                + " it runs again when one is";
    }

    // ---- storage

    private record Row(String name, String type, Schedule schedule, String data, boolean paused, String createdBy,
                       Instant created) {
    }

    private Optional<Row> row(String name) {
        List<Row> rows = sql(c -> rows(c, "WHERE name = ?", name));
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private static List<Row> rows(Connection c, String where, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, type, cron, interval_seconds, data::text, paused,"
                + " created_by, created_at FROM cohort.task " + where)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String cron = rs.getString(3);
                    long interval = rs.getLong(4);
                    Schedule schedule = new Schedule(cron, rs.wasNull() ? null : interval);
                    out.add(new Row(rs.getString(1), rs.getString(2), schedule, rs.getString(5), rs.getBoolean(6),
                            rs.getString(7), rs.getTimestamp(8).toInstant()));
                }
            }
            return out;
        }
    }

    private List<Task> tasks(String where, Object... args) {
        List<Row> rows = sql(c -> rows(c, where, args));
        Map<String, Instant> next = new java.util.HashMap<>();
        client.fetchScheduledExecutionsForTask(KIND, Void.class, e -> next.put(e.getTaskInstance().getId(), e.getExecutionTime()));
        Map<String, TaskRun> last = new java.util.HashMap<>();
        if (!rows.isEmpty()) {
            runs("WHERE id IN (SELECT max(id) FROM cohort.task_run WHERE task = ANY(?) GROUP BY task)",
                    (Object) rows.stream().map(Row::name).toArray(String[]::new)).forEach(run -> last.put(run.task(), run));
        }
        List<Task> out = new ArrayList<>();
        for (Row r : rows) {
            String waiting = r.paused() ? "paused" : handler(r.type()) == null ? waitingFor(r.type()) : null;
            out.add(new Task(r.name(), r.type(), r.schedule(), Schedules.words(r.schedule()), r.data(), r.paused(), waiting,
                    r.paused() ? null : next.get(r.name()), last.get(r.name()), r.createdBy(), r.created()));
        }
        return out;
    }

    private List<TaskRun> runs(String where, Object... args) {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, task, due, started, ended, node, outcome, message"
                    + " FROM cohort.task_run " + where)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof String[] names) {
                        ps.setArray(i + 1, c.createArrayOf("text", names));
                    } else {
                        ps.setObject(i + 1, args[i]);
                    }
                }
                List<TaskRun> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Timestamp ended = rs.getTimestamp(5);
                        out.add(new TaskRun(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                                rs.getTimestamp(4).toInstant(), ended == null ? null : ended.toInstant(), rs.getString(6),
                                rs.getString(7), rs.getString(8)));
                    }
                }
                return out;
            }
        });
    }

    private Task existing(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("task: there is no task '" + name + "'"));
    }

    private void setPaused(String name, boolean paused) {
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cohort.task SET paused = ? WHERE name = ?")) {
                ps.setBoolean(1, paused);
                ps.setString(2, name);
                ps.executeUpdate();
            }
            return null;
        });
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
        for (ServiceReference<TaskHandler> ref : refs()) {
            if (type.equals(String.valueOf(ref.getProperty(TaskHandler.TYPE)))) {
                TaskHandler h = handlers.getService(ref);
                if (h != null) {
                    return h;
                }
            }
        }
        return null;
    }

    private List<ServiceReference<TaskHandler>> refs() {
        ServiceReference<TaskHandler>[] refs = handlers.getServiceReferences();
        return refs == null ? List.of() : List.of(refs);
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

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T sql(Work<T> work) {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
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
