package io.cohort.plugin.resultsimport.internal;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface ImportMapper {

    String ROW_COLUMNS = "seq, file, line, worker_id, assignment_id, hit_id, decision, bonus_cents, exit_code,"
            + " qualification, qualification_value, feedback";

    @Select("INSERT INTO results_import (name, parameters, state, problems, already_done, rooms, summary,"
            + " balance_before_cents, balance_after_cents, created_by) VALUES (#{name}, #{parameters}, #{state},"
            + " #{problems}, #{alreadyDone}, #{rooms}, #{summary}, #{balanceBeforeCents}, #{balanceAfterCents}, #{createdBy})"
            + " RETURNING id")
    long add(ImportRecord record);

    @Insert("INSERT INTO import_row (import_id, " + ROW_COLUMNS + ") VALUES (#{id}, #{r.seq}, #{r.file}, #{r.line},"
            + " #{r.workerId}, #{r.assignmentId}, #{r.hitId}, #{r.decision}, #{r.bonusCents}, #{r.exitCode},"
            + " #{r.qualification}, #{r.qualificationValue}, #{r.feedback})")
    int addRow(@Param("id") long id, @Param("r") ImportRow row);

    @Select("SELECT " + ImportRecord.COLUMNS + " FROM results_import WHERE id = #{id}")
    ImportRecord find(@Param("id") long id);

    @Select("SELECT " + ImportRecord.COLUMNS + " FROM results_import ORDER BY created_at DESC, id DESC LIMIT 500")
    List<ImportRecord> latest();

    @Select("SELECT id FROM results_import WHERE state = 'RUNNING' ORDER BY id")
    List<Long> running();

    @Select("SELECT " + ROW_COLUMNS + " FROM import_row WHERE import_id = #{id} ORDER BY seq")
    List<ImportRow> rows(@Param("id") long id);

    /** Moves the import on only from the state expected, so two settles of one import can't both start. */
    @Update("UPDATE results_import SET state = #{to} WHERE id = #{id} AND state = #{from}")
    int move(@Param("id") long id, @Param("from") String from, @Param("to") String to);

    @Update("UPDATE results_import SET state = #{state}, problems = #{problems}, already_done = #{alreadyDone},"
            + " summary = #{summary} WHERE id = #{id}")
    int finish(
            @Param("id") long id,
            @Param("state") String state,
            @Param("problems") String problems,
            @Param("alreadyDone") String alreadyDone,
            @Param("summary") String summary);

    @Insert("INSERT INTO import_batch (import_id, kind, batch_id) VALUES (#{id}, #{kind}, #{batch})"
            + " ON CONFLICT DO NOTHING")
    int addBatch(@Param("id") long id, @Param("kind") String kind, @Param("batch") long batch);

    @Select("SELECT batch_id FROM import_batch WHERE import_id = #{id} AND kind = #{kind}")
    Long batch(@Param("id") long id, @Param("kind") String kind);
}
