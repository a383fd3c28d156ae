package io.cohort.platform.session;

import io.cohort.api.session.Session;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.ResultMap;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;

/** Sessions ({@code cohort.session}), each column mapped by name. */
public interface SessionMapper {

    String COLUMNS = "id, name, experiment, code_version, size, active, testing, simulate, description,"
            + " settings::text AS settings, created_at";

    @Select("SELECT " + COLUMNS + " FROM cohort.session WHERE id = #{id}")
    @ConstructorArgs({
        @Arg(column = "id", javaType = String.class),
        @Arg(column = "name", javaType = String.class),
        @Arg(column = "experiment", javaType = String.class),
        @Arg(column = "code_version", javaType = String.class),
        @Arg(column = "size", javaType = int.class),
        @Arg(column = "active", javaType = boolean.class),
        @Arg(column = "testing", javaType = boolean.class),
        @Arg(column = "simulate", javaType = boolean.class),
        @Arg(column = "description", javaType = String.class),
        @Arg(column = "settings", javaType = String.class),
        @Arg(column = "created_at", javaType = Instant.class)
    })
    @Results(id = "session")
    List<Session> find(String id);

    /** The session, its row locked until the transaction ends (a participant is being added to it). */
    @Select("SELECT " + COLUMNS + " FROM cohort.session WHERE id = #{id} FOR UPDATE")
    @ResultMap("session")
    List<Session> locked(String id);

    /** The newest first. */
    @Select("SELECT " + COLUMNS + " FROM cohort.session ORDER BY created_at DESC, id")
    @ResultMap("session")
    List<Session> all();

    @Select("SELECT count(*) FROM cohort.session WHERE name = #{name}")
    int named(String name);

    @Select("INSERT INTO cohort.session (id, name, experiment, code_version, size, simulate, settings, created_by)"
            + " VALUES (#{id}, #{name}, #{experiment}, #{codeVersion}, #{size}, #{simulate}, #{settings}::jsonb, #{by})"
            + " RETURNING " + COLUMNS)
    @ResultMap("session")
    Session insert(
            @Param("id") String id,
            @Param("name") String name,
            @Param("experiment") String experiment,
            @Param("codeVersion") String codeVersion,
            @Param("size") int size,
            @Param("simulate") boolean simulate,
            @Param("settings") String settings,
            @Param("by") String by);

    /** Participants counted per session (of one session when {@code session} is not null). */
    @Select("<script>SELECT session_id, count(*) AS total, count(started_at) AS started,"
            + " count(*) FILTER (WHERE status IN ('COMPLETED', 'SUBMITTED', 'APPROVED', 'REJECTED', 'BONUSED'))"
            + " AS finished, count(*) FILTER (WHERE online) AS online,"
            + " count(*) FILTER (WHERE status IN ('STARTED', 'QUIT_EARLY')) AS at_work, max(created_at) AS last_joined"
            + " FROM cohort.participant"
            + "<if test='session != null'> WHERE session_id = #{session}</if> GROUP BY session_id</script>")
    @ConstructorArgs({
        @Arg(column = "session_id", javaType = String.class),
        @Arg(column = "total", javaType = int.class),
        @Arg(column = "started", javaType = int.class),
        @Arg(column = "finished", javaType = int.class),
        @Arg(column = "online", javaType = int.class),
        @Arg(column = "at_work", javaType = int.class),
        @Arg(column = "last_joined", javaType = java.time.Instant.class)
    })
    List<SessionTable.Counts> counts(@Param("session") String session);

    @Select("SELECT id FROM cohort.session WHERE archived")
    List<String> archived();

    @org.apache.ibatis.annotations.Update("<script>UPDATE cohort.session SET archived = true WHERE id IN"
            + "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach></script>")
    int archive(@Param("ids") List<String> ids);
}
