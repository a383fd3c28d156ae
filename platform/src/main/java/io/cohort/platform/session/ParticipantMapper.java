package io.cohort.platform.session;

import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Session;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;

/** A participant with their session, the read every participant page starts with; columns mapped by name. */
public interface ParticipantMapper {

    String SESSION = "s.id AS s_id, s.name AS s_name, s.experiment AS s_experiment, s.code_version AS s_code_version,"
            + " s.size AS s_size, s.active AS s_active, s.testing AS s_testing, s.simulate AS s_simulate,"
            + " s.description AS s_description, s.settings::text AS s_settings, s.created_at AS s_created_at";

    /** A participant and their session, from one row. */
    record Found(Participant participant, Session session) {}

    @Select("SELECT " + ParticipantStore.COLUMNS + " FROM cohort.participant p WHERE p.id = #{id}")
    @ConstructorArgs({
        @Arg(column = "id", javaType = String.class),
        @Arg(column = "session_id", javaType = String.class),
        @Arg(column = "name", javaType = String.class),
        @Arg(column = "token", javaType = String.class),
        @Arg(column = "provider", javaType = String.class),
        @Arg(column = "worker_id", javaType = String.class),
        @Arg(column = "assignment_id", javaType = String.class),
        @Arg(column = "hit_id", javaType = String.class),
        @Arg(column = "mode", javaType = CrowdMode.class),
        @Arg(column = "condition", javaType = String.class),
        @Arg(column = "code_version", javaType = String.class),
        @Arg(column = "status", javaType = ParticipantStatus.class),
        @Arg(column = "bonus_cents", javaType = long.class),
        @Arg(column = "page_index", javaType = int.class),
        @Arg(column = "group_name", javaType = String.class),
        @Arg(column = "created_at", javaType = Instant.class),
        @Arg(column = "updated_at", javaType = Instant.class)
    })
    @Results(id = "participant")
    List<Participant> participant(String id);

    @Select("SELECT " + SESSION + " FROM cohort.session s WHERE s.id = #{id}")
    @ConstructorArgs({
        @Arg(column = "s_id", javaType = String.class),
        @Arg(column = "s_name", javaType = String.class),
        @Arg(column = "s_experiment", javaType = String.class),
        @Arg(column = "s_code_version", javaType = String.class),
        @Arg(column = "s_size", javaType = int.class),
        @Arg(column = "s_active", javaType = boolean.class),
        @Arg(column = "s_testing", javaType = boolean.class),
        @Arg(column = "s_simulate", javaType = boolean.class),
        @Arg(column = "s_description", javaType = String.class),
        @Arg(column = "s_settings", javaType = String.class),
        @Arg(column = "s_created_at", javaType = Instant.class)
    })
    @Results(id = "session")
    List<Session> session(String id);

    /** The participant with their session, the participant's row locked until the transaction ends. */
    @Select("SELECT " + ParticipantStore.COLUMNS + ", " + SESSION
            + " FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id"
            + " WHERE p.id = #{id} FOR UPDATE OF p")
    @ConstructorArgs({
        @Arg(javaType = Participant.class, resultMap = "participant"),
        @Arg(javaType = Session.class, resultMap = "session")
    })
    List<Found> locked(String id);

    /** The participant whose URL carries {@code token} in session {@code session}, with the session. */
    @Select("SELECT " + ParticipantStore.COLUMNS + ", " + SESSION
            + " FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id"
            + " WHERE p.token = #{token} AND p.session_id = #{session}")
    @ConstructorArgs({
        @Arg(javaType = Participant.class, resultMap = "participant"),
        @Arg(javaType = Session.class, resultMap = "session")
    })
    List<Found> byToken(@Param("session") String session, @Param("token") String token);

    @Select("SELECT " + ParticipantStore.COLUMNS + " FROM cohort.participant p"
            + " WHERE p.token = #{token} AND p.session_id = #{session}")
    @org.apache.ibatis.annotations.ResultMap("participant")
    List<Participant> withToken(@Param("session") String session, @Param("token") String token);

    @Select("SELECT " + ParticipantStore.COLUMNS + " FROM cohort.participant p WHERE p.session_id = #{session}"
            + " ORDER BY p.created_at, p.id")
    @org.apache.ibatis.annotations.ResultMap("participant")
    List<Participant> ofSession(String session);

    @Select("SELECT " + ParticipantStore.COLUMNS + " FROM cohort.participant p"
            + " WHERE p.provider = #{provider} AND p.worker_id = #{worker} ORDER BY p.created_at, p.id")
    @org.apache.ibatis.annotations.ResultMap("participant")
    List<Participant> ofWorker(@Param("provider") String provider, @Param("worker") String workerId);

    @Select("SELECT " + ParticipantStore.COLUMNS + " FROM cohort.participant p WHERE p.provider = #{provider}"
            + " ORDER BY p.created_at, p.id")
    @org.apache.ibatis.annotations.ResultMap("participant")
    List<Participant> ofProvider(String provider);

    /** The label a participant came with (a room's pre-assigned slot); null when none. */
    @Select("SELECT label FROM cohort.participant WHERE id = #{id}")
    List<String> label(String id);
}
