package io.cohort.platform.schedule;

import io.cohort.api.schedule.TaskRun;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.ResultMap;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** The tasks ({@code cohort.task}) and their runs ({@code cohort.task_run}), each column mapped by name. */
public interface TaskMapper {

    String TASK = "SELECT name, type, cron, interval_seconds, data::text AS data, paused, created_by, created_at"
            + " FROM cohort.task";
    String RUN = "SELECT id, task, due, started, ended, node, outcome, message FROM cohort.task_run";

    @Insert("INSERT INTO cohort.task (name, type, cron, interval_seconds, data, created_by)"
            + " VALUES (#{name}, #{type}, #{cron}, #{interval}, #{data}::jsonb, #{by}) ON CONFLICT (name) DO NOTHING")
    int insert(
            @Param("name") String name,
            @Param("type") String type,
            @Param("cron") String cron,
            @Param("interval") Long intervalSeconds,
            @Param("data") String data,
            @Param("by") String by);

    @Select(TASK + " WHERE name = #{name}")
    @ConstructorArgs({
        @Arg(column = "name", javaType = String.class),
        @Arg(column = "type", javaType = String.class),
        @Arg(column = "cron", javaType = String.class),
        @Arg(column = "interval_seconds", javaType = Long.class),
        @Arg(column = "data", javaType = String.class),
        @Arg(column = "paused", javaType = boolean.class),
        @Arg(column = "created_by", javaType = String.class),
        @Arg(column = "created_at", javaType = Instant.class)
    })
    @Results(id = "task")
    List<TaskStore.Row> named(String name);

    @Select(TASK + " ORDER BY name")
    @ResultMap("task")
    List<TaskStore.Row> all();

    @Update("UPDATE cohort.task SET cron = #{cron}, interval_seconds = #{interval} WHERE name = #{name}")
    int reschedule(@Param("name") String name, @Param("cron") String cron, @Param("interval") Long intervalSeconds);

    @Update("UPDATE cohort.task SET paused = #{paused} WHERE name = #{name}")
    int setPaused(@Param("name") String name, @Param("paused") boolean paused);

    @Delete("DELETE FROM cohort.task WHERE name = #{name}")
    int delete(String name);

    /**
     * Ends as FAILED the task's RUNNING rows that no run of this JVM holds (a dead node's), and gives their due times.
     */
    @Select(
            "UPDATE cohort.task_run SET outcome = 'FAILED', ended = clock_timestamp(),"
                    + " message = 'node ' || node || ' stopped answering; run again on ' || #{node}"
                    + " WHERE task = #{task} AND outcome = 'RUNNING' AND NOT (id = ANY(#{mine,jdbcType=ARRAY}::bigint[])) RETURNING due")
    List<Instant> failAbandoned(@Param("task") String task, @Param("node") String node, @Param("mine") Long[] mine);

    @Select("INSERT INTO cohort.task_run (task, due, node, outcome) VALUES (#{task}, #{due}, #{node}, 'RUNNING')"
            + " RETURNING id")
    long startRun(@Param("task") String task, @Param("due") Instant due, @Param("node") String node);

    @Update("UPDATE cohort.task_run SET outcome = #{outcome}, message = #{message}, ended = clock_timestamp()"
            + " WHERE id = #{id}")
    int endRun(@Param("id") long id, @Param("outcome") String outcome, @Param("message") String message);

    /** A WAITING row, unless the task's latest row already is one. */
    @Insert("INSERT INTO cohort.task_run (task, due, node, outcome, ended, message)"
            + " SELECT #{task}, #{due}, #{node}, 'WAITING', clock_timestamp(), #{message} WHERE NOT EXISTS"
            + " (SELECT 1 FROM cohort.task_run r WHERE r.id = (SELECT max(id) FROM cohort.task_run WHERE task = #{task})"
            + " AND r.outcome = 'WAITING')")
    int waiting(
            @Param("task") String task,
            @Param("due") Instant due,
            @Param("node") String node,
            @Param("message") String message);

    @Select(RUN + " WHERE task = #{task} ORDER BY id DESC LIMIT #{limit}")
    @ConstructorArgs({
        @Arg(column = "id", javaType = long.class),
        @Arg(column = "task", javaType = String.class),
        @Arg(column = "due", javaType = Instant.class),
        @Arg(column = "started", javaType = Instant.class),
        @Arg(column = "ended", javaType = Instant.class),
        @Arg(column = "node", javaType = String.class),
        @Arg(column = "outcome", javaType = String.class),
        @Arg(column = "message", javaType = String.class)
    })
    @Results(id = "run")
    List<TaskRun> history(@Param("task") String task, @Param("limit") int limit);

    /** The latest run of each of these tasks. */
    @Select(
            RUN
                    + " WHERE id IN (SELECT max(id) FROM cohort.task_run WHERE task = ANY(#{tasks,jdbcType=ARRAY}::text[]) GROUP BY task)")
    @ResultMap("run")
    List<TaskRun> latest(@Param("tasks") String[] tasks);
}
