package io.cohort.platform.psiturk;

import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** psiTurk's view of participants ({@code cohort.psiturk_participant}) and the session served at the root. */
public interface PsiturkMapper {

    /** A participant as psiTurk knows them; {@code datastring} is null until the page first saves. */
    record Row(
            String uniqueId,
            String participantId,
            String workerId,
            String assignmentId,
            String hitId,
            String mode,
            String datastring,
            int trialsSaved,
            int eventsSaved) {}

    /**
     * Rows chosen by whichever of the arguments are not null, in the order the participants came; the datastrings
     * only when asked for (they can be large).
     */
    @Select("<script>SELECT x.unique_id, x.participant_id, x.worker_id, x.assignment_id, x.hit_id, x.mode,"
            + " CASE WHEN #{withData} THEN x.datastring END AS datastring, x.trials_saved, x.events_saved"
            + " FROM cohort.psiturk_participant x JOIN cohort.participant p ON p.id = x.participant_id <where>"
            + "<if test='uniqueId != null'>x.unique_id = #{uniqueId}</if>"
            + "<if test='participant != null'>AND x.participant_id = #{participant}</if>"
            + "<if test='worker != null'>AND x.worker_id = #{worker} AND p.experiment = #{experiment}</if>"
            + "<if test='session != null'>AND p.session_id = #{session}</if>"
            + "</where> ORDER BY p.created_at, p.id</script>")
    @ConstructorArgs({
        @Arg(column = "unique_id", javaType = String.class),
        @Arg(column = "participant_id", javaType = String.class),
        @Arg(column = "worker_id", javaType = String.class),
        @Arg(column = "assignment_id", javaType = String.class),
        @Arg(column = "hit_id", javaType = String.class),
        @Arg(column = "mode", javaType = String.class),
        @Arg(column = "datastring", javaType = String.class),
        @Arg(column = "trials_saved", javaType = int.class),
        @Arg(column = "events_saved", javaType = int.class)
    })
    List<Row> rows(
            @Param("uniqueId") String uniqueId,
            @Param("participant") String participantId,
            @Param("worker") String workerId,
            @Param("experiment") String experiment,
            @Param("session") String sessionId,
            @Param("withData") boolean withData);

    default Row byUniqueId(String uniqueId) {
        return rows(uniqueId, null, null, null, null, true).stream().findFirst().orElse(null);
    }

    default Row byParticipant(String participantId) {
        return rows(null, participantId, null, null, null, true).stream()
                .findFirst()
                .orElse(null);
    }

    /** The worker's takes of an experiment (any session), oldest first: psiTurk's repeat check. */
    default List<Row> ofWorker(String workerId, String experiment) {
        return rows(null, null, workerId, experiment, null, false);
    }

    /** The session's psiTurk participants, without their datastrings. */
    default List<Row> ofSession(String sessionId) {
        return rows(null, null, null, null, sessionId, false);
    }

    /** 0 when the unique id or the participant is already known (a second tab, a double click). */
    @Insert("INSERT INTO cohort.psiturk_participant (unique_id, participant_id, worker_id, assignment_id, hit_id,"
            + " mode) VALUES (#{r.uniqueId}, #{r.participantId}, #{r.workerId}, #{r.assignmentId}, #{r.hitId},"
            + " #{r.mode}) ON CONFLICT DO NOTHING")
    int add(@Param("r") Row row);

    @Update("UPDATE cohort.psiturk_participant SET datastring = #{data}, trials_saved = #{trials},"
            + " events_saved = #{events}, saved_at = now() WHERE unique_id = #{id}")
    int save(
            @Param("id") String uniqueId,
            @Param("data") String datastring,
            @Param("trials") int trials,
            @Param("events") int events);

    @Select("SELECT session_id FROM cohort.psiturk_root")
    String pinnedRoot();

    @Insert("INSERT INTO cohort.psiturk_root (session_id, chosen_by) VALUES (#{session}, #{by})"
            + " ON CONFLICT (one) DO UPDATE SET session_id = excluded.session_id, chosen_by = excluded.chosen_by,"
            + " chosen_at = now()")
    int pinRoot(@Param("session") String sessionId, @Param("by") String by);

    /** Active sessions, newest first: the newest psiTurk one is at the root unless one is pinned. */
    @Select("SELECT id FROM cohort.session WHERE active AND NOT archived AND experiment = ANY(#{experiments}::text[])"
            + " ORDER BY created_at DESC, id LIMIT 1")
    String newestActive(@Param("experiments") String experiments);
}
