package io.cohort.plugin.prolific.internal;

import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.Qualification;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface ProlificMapper {

    String STUDY_COLUMNS = "token, study_id, session_id, title, reward_cents, places, estimated_seconds,"
            + " duration_seconds, mode, allow_repeats, completion_code, screenout_code, created";
    String BONUS_COLUMNS =
            "token, study_id, submission_id, prolific_pid, amount_cents, reason, setup_id, state, paid_before, updated";

    @Insert("INSERT INTO study (" + STUDY_COLUMNS + ") VALUES (#{token}, #{studyId}, #{sessionId}, #{title},"
            + " #{rewardCents}, #{places}, #{estimatedSeconds}, #{durationSeconds}, #{mode}, #{allowRepeats},"
            + " #{completionCode}, #{screenoutCode}, #{created}) ON CONFLICT (token) DO NOTHING")
    int addStudy(StoredStudy study);

    @Update("UPDATE study SET study_id = #{studyId} WHERE token = #{token} AND study_id IS NULL")
    int setStudyId(@Param("token") String token, @Param("studyId") String studyId);

    @Update("UPDATE study SET places = #{places} WHERE study_id = #{studyId}")
    int setPlaces(@Param("studyId") String studyId, @Param("places") int places);

    @Select("SELECT " + STUDY_COLUMNS + " FROM study WHERE mode = #{mode} AND study_id IS NOT NULL"
            + " ORDER BY created DESC, study_id")
    List<StoredStudy> studies(@Param("mode") CrowdMode mode);

    @Select("SELECT " + STUDY_COLUMNS + " FROM study WHERE study_id = #{studyId}")
    StoredStudy study(@Param("studyId") String studyId);

    @Select("SELECT " + STUDY_COLUMNS + " FROM study WHERE token = #{token}")
    StoredStudy studyByToken(@Param("token") String token);

    @Select("SELECT total_places FROM place_addition WHERE token = #{token} AND study_id = #{studyId}")
    Integer placeAddition(@Param("token") String token, @Param("studyId") String studyId);

    @Insert("INSERT INTO place_addition (token, study_id, total_places) VALUES (#{token}, #{studyId}, #{total})")
    int addPlaceAddition(@Param("token") String token, @Param("studyId") String studyId, @Param("total") int total);

    @Insert("INSERT INTO arrival (submission_id, participant_id, prolific_pid, study_id)"
            + " VALUES (#{submissionId}, #{participantId}, #{prolificPid}, #{studyId})")
    int addArrival(Arrival arrival);

    @Select("SELECT submission_id, participant_id, prolific_pid, study_id FROM arrival"
            + " WHERE submission_id = #{submissionId}")
    Arrival arrival(@Param("submissionId") String submissionId);

    @Select("SELECT submission_id, participant_id, prolific_pid, study_id FROM arrival"
            + " WHERE participant_id = #{participantId}")
    Arrival arrivalOf(@Param("participantId") String participantId);

    @Select("SELECT submission_id, participant_id, prolific_pid, study_id FROM arrival"
            + " WHERE prolific_pid = #{pid} ORDER BY arrived DESC LIMIT 1")
    Arrival latestArrival(@Param("pid") String prolificPid);

    @Insert("INSERT INTO bonus (" + BONUS_COLUMNS + ") VALUES (#{token}, #{studyId}, #{submissionId},"
            + " #{prolificPid}, #{amountCents}, #{reason}, #{setupId}, #{state}, #{paidBefore}, now())")
    int addBonus(StoredBonus bonus);

    @Select("SELECT " + BONUS_COLUMNS + " FROM bonus WHERE token = #{token}")
    StoredBonus bonus(@Param("token") String token);

    @Select("SELECT " + BONUS_COLUMNS + " FROM bonus WHERE submission_id = #{submissionId} ORDER BY updated, token")
    List<StoredBonus> bonusesOf(@Param("submissionId") String submissionId);

    @Update("UPDATE bonus SET state = 'PAY_SENT', paid_before = #{before}, updated = now() WHERE token = #{token}")
    int markPaySent(@Param("token") String token, @Param("before") int before);

    @Update("UPDATE bonus SET state = #{state}, updated = now() WHERE token = #{token}")
    int setBonusState(@Param("token") String token, @Param("state") String state);

    @Insert("INSERT INTO participant_group (group_id, name, description, mode, purpose)"
            + " VALUES (#{id}, #{name}, #{description}, #{mode}, #{purpose}) ON CONFLICT (group_id) DO NOTHING")
    int addGroup(
            @Param("id") String id,
            @Param("name") String name,
            @Param("description") String description,
            @Param("mode") CrowdMode mode,
            @Param("purpose") String purpose);

    @Select("SELECT group_id, name, description, true, created FROM participant_group"
            + " WHERE mode = #{mode} AND purpose = 'qualification'"
            + " AND (strpos(lower(name), lower(#{query})) > 0 OR strpos(lower(description), lower(#{query})) > 0)"
            + " ORDER BY created DESC, group_id")
    List<Qualification> groups(@Param("mode") CrowdMode mode, @Param("query") String query);

    @Select("SELECT group_id FROM participant_group WHERE mode = #{mode} AND purpose = 'blocked'")
    String blockedGroup(@Param("mode") CrowdMode mode);
}
