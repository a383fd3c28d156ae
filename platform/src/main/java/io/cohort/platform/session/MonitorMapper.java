package io.cohort.platform.session;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.ResultMap;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;

/** What the live monitor shows of each participant, each column mapped by name. */
public interface MonitorMapper {

    /** A participant's row as stored, with their session's experiment. */
    record Stored(
            String id,
            String sessionId,
            String name,
            String token,
            String status,
            String condition,
            String group,
            int pageIndex,
            boolean online,
            Instant activeAt,
            long bonusCents,
            String experiment) {}

    String SELECT = "SELECT p.id, p.session_id, p.name, p.token, p.status, p.condition, p.group_name, p.page_index,"
            + " p.online, greatest(p.updated_at, p.last_seen) AS active_at, p.bonus_cents, s.experiment"
            + " FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id";

    @Select(SELECT + " WHERE p.session_id = #{session} ORDER BY p.created_at, p.id")
    @ConstructorArgs({
        @Arg(column = "id", javaType = String.class),
        @Arg(column = "session_id", javaType = String.class),
        @Arg(column = "name", javaType = String.class),
        @Arg(column = "token", javaType = String.class),
        @Arg(column = "status", javaType = String.class),
        @Arg(column = "condition", javaType = String.class),
        @Arg(column = "group_name", javaType = String.class),
        @Arg(column = "page_index", javaType = int.class),
        @Arg(column = "online", javaType = boolean.class),
        @Arg(column = "active_at", javaType = Instant.class),
        @Arg(column = "bonus_cents", javaType = long.class),
        @Arg(column = "experiment", javaType = String.class)
    })
    @Results(id = "stored")
    List<Stored> ofSession(String session);

    @Select(SELECT + " WHERE p.id = #{id}")
    @ResultMap("stored")
    List<Stored> participant(String id);
}
