package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.CrowdMode;
import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface MTurkMapper {

    String HIT_COLUMNS = "hit_id, session_id, title, description, reward_cents, max_assignments,"
            + " assignment_duration_seconds, mode, allow_repeats, token, expires, created";

    @Insert("INSERT INTO hit (" + HIT_COLUMNS + ") VALUES (#{hitId}, #{sessionId}, #{title}, #{description},"
            + " #{rewardCents}, #{maxAssignments}, #{assignmentDurationSeconds}, #{mode}, #{allowRepeats}, #{token},"
            + " #{expires}, #{created}) ON CONFLICT (hit_id) DO NOTHING")
    int addHit(StoredHit hit);

    @Select("SELECT " + HIT_COLUMNS + " FROM hit WHERE mode = #{mode} ORDER BY created DESC, hit_id")
    List<StoredHit> hits(@Param("mode") CrowdMode mode);

    @Select("SELECT " + HIT_COLUMNS + " FROM hit WHERE hit_id = #{hitId}")
    StoredHit hit(@Param("hitId") String hitId);

    @Select("SELECT " + HIT_COLUMNS + " FROM hit WHERE token = #{token}")
    StoredHit hitByToken(@Param("token") String token);

    @Select("SELECT expire_at FROM hit_extension WHERE token = #{token} AND hit_id = #{hitId}")
    Instant extension(@Param("token") String token, @Param("hitId") String hitId);

    @Insert("INSERT INTO hit_extension (token, hit_id, expire_at) VALUES (#{token}, #{hitId}, #{expireAt})")
    int addExtension(@Param("token") String token, @Param("hitId") String hitId, @Param("expireAt") Instant expireAt);

    @Insert("INSERT INTO qualification_type (type_id, name, description, keywords, mode, created)"
            + " VALUES (#{type.id}, #{type.name}, #{type.description}, #{type.keywords}, #{mode}, #{type.created})"
            + " ON CONFLICT (type_id) DO NOTHING")
    int addQualificationType(@Param("type") StoredQualification type, @Param("mode") CrowdMode mode);

    @Select("SELECT type_id, name, description, keywords, active, created FROM qualification_type"
            + " WHERE mode = #{mode}"
            + " AND (strpos(lower(name), lower(#{query})) > 0 OR strpos(lower(description), lower(#{query})) > 0)"
            + " ORDER BY created DESC, type_id")
    List<StoredQualification> qualificationTypes(@Param("mode") CrowdMode mode, @Param("query") String query);

    @Insert("INSERT INTO arrival (assignment_id, participant_id, worker_id, hit_id, turk_submit_to)"
            + " VALUES (#{assignmentId}, #{participantId}, #{workerId}, #{hitId}, #{turkSubmitTo})")
    int addArrival(Arrival arrival);

    @Select("SELECT assignment_id, participant_id, worker_id, hit_id, turk_submit_to FROM arrival"
            + " WHERE assignment_id = #{assignmentId}")
    Arrival arrival(@Param("assignmentId") String assignmentId);

    @Select("SELECT assignment_id, participant_id, worker_id, hit_id, turk_submit_to FROM arrival"
            + " WHERE participant_id = #{participantId}")
    Arrival arrivalOf(@Param("participantId") String participantId);
}
