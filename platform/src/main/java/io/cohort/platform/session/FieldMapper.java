package io.cohort.platform.session;

import io.cohort.api.data.FieldValue;
import io.cohort.api.data.PageVisit;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** A participant's data: the append-only field history and the page times, each column mapped by name. */
public interface FieldMapper {

    /** One key's value, JSON text. */
    record Value(String key, String value) {}

    /** Appends the values, in their order, in one statement. */
    @Insert("<script>INSERT INTO cohort.field_value (participant_id, key, value, set_by, record) VALUES"
            + "<foreach collection='values' item='v' separator=','>"
            + "(#{participant}, #{v.key}, #{v.value}::jsonb, #{by}, #{record})</foreach></script>")
    int append(
            @Param("participant") String participantId,
            @Param("values") List<Value> values,
            @Param("by") String by,
            @Param("record") boolean record);

    /** The latest value of each key. */
    @Select("SELECT DISTINCT ON (key) key, value::text AS value FROM cohort.field_value"
            + " WHERE participant_id = #{participant} ORDER BY key, id DESC")
    @ConstructorArgs({@Arg(column = "key", javaType = String.class), @Arg(column = "value", javaType = String.class)})
    List<Value> current(@Param("participant") String participantId);

    @Select("SELECT participant_id, key, value::text AS value, set_at, set_by FROM cohort.field_value"
            + " WHERE participant_id = #{participant} AND key = #{key} ORDER BY id")
    @ConstructorArgs({
        @Arg(column = "participant_id", javaType = String.class),
        @Arg(column = "key", javaType = String.class),
        @Arg(column = "value", javaType = String.class),
        @Arg(column = "set_at", javaType = Instant.class),
        @Arg(column = "set_by", javaType = String.class)
    })
    List<FieldValue> history(@Param("participant") String participantId, @Param("key") String key);

    @Select("SELECT participant_id, page, entered_at, left_at FROM cohort.page_visit_times"
            + " WHERE participant_id = #{participant} ORDER BY id")
    @ConstructorArgs({
        @Arg(column = "participant_id", javaType = String.class),
        @Arg(column = "page", javaType = String.class),
        @Arg(column = "entered_at", javaType = Instant.class),
        @Arg(column = "left_at", javaType = Instant.class)
    })
    List<PageVisit> visits(@Param("participant") String participantId);

    /** The keys a session's pages appended records to (each downloadable as a table). */
    @Select("SELECT DISTINCT fv.key FROM cohort.field_value fv JOIN cohort.participant p ON p.id = fv.participant_id"
            + " WHERE p.session_id = #{session} AND fv.record ORDER BY 1")
    List<String> recordKeys(@Param("session") String sessionId);
}
