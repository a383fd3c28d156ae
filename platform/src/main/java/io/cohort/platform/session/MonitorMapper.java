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
            String experiment,
            String errorPage,
            String errorMessage,
            String errorLocation,
            Instant errorAt,
            String mode) {}

    String SELECT = "SELECT p.id, p.session_id, p.name, p.token, p.status, p.condition, p.group_name, p.page_index,"
            + " p.online, greatest(p.updated_at, p.last_seen) AS active_at, p.bonus_cents, s.experiment,"
            + " e.page AS error_page, e.message AS error_message, e.location AS error_location, e.at AS error_at,"
            + " lower(p.mode) AS mode"
            + " FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id"
            // The latest error the participant met, if any (ParticipantErrors).
            + " LEFT JOIN LATERAL (SELECT page, message, location, at FROM cohort.participant_error"
            + "   WHERE participant_id = p.id ORDER BY id DESC LIMIT 1) e ON true";

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
        @Arg(column = "experiment", javaType = String.class),
        @Arg(column = "error_page", javaType = String.class),
        @Arg(column = "error_message", javaType = String.class),
        @Arg(column = "error_location", javaType = String.class),
        @Arg(column = "error_at", javaType = Instant.class),
        @Arg(column = "mode", javaType = String.class)
    })
    @Results(id = "stored")
    List<Stored> ofSession(String session);

    @Select(SELECT + " WHERE p.id = #{id}")
    @ResultMap("stored")
    List<Stored> participant(String id);
}
