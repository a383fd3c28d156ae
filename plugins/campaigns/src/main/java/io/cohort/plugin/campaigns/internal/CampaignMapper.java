package io.cohort.plugin.campaigns.internal;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface CampaignMapper {

    String HIT_COLUMNS = "campaign_id, round, index, token, assignments, hit_id, expired_at, adds";

    @Select("INSERT INTO campaign (provider, experiment, code_version, session_id, mode, goal, reward_cents,"
            + " duration_seconds, lifetime_seconds, per_round, minutes_between_rounds, batch_size, title, description,"
            + " keywords, created_by) VALUES (#{provider}, #{experiment}, #{codeVersion}, #{sessionId}, #{mode},"
            + " #{goal}, #{rewardCents}, #{durationSeconds}, #{lifetimeSeconds}, #{perRound},"
            + " #{minutesBetweenRounds}, #{batchSize}, #{title}, #{description}, #{keywords}, #{createdBy})"
            + " RETURNING id")
    long addCampaign(Campaign campaign);

    @Select("SELECT " + Campaign.COLUMNS + " FROM campaign WHERE id = #{id}")
    Campaign campaign(@Param("id") long id);

    /** Active ones first, then newest first. */
    @Select("SELECT " + Campaign.COLUMNS + " FROM campaign ORDER BY state <> 'ACTIVE', created_at DESC, id DESC")
    List<Campaign> campaigns();

    @Update("UPDATE campaign SET state = #{state}, ended_at = now() WHERE id = #{id} AND state = 'ACTIVE'")
    int end(@Param("id") long id, @Param("state") CampaignState state);

    @Update("UPDATE campaign SET goal = #{goal}, state = 'ACTIVE', ended_at = NULL WHERE id = #{id}"
            + " AND state <> 'CANCELLED'")
    int setGoal(@Param("id") long id, @Param("goal") int goal);

    @Select("SELECT COALESCE(max(number), 0) FROM round WHERE campaign_id = #{campaign}")
    int lastRound(@Param("campaign") long campaign);

    @Insert("INSERT INTO round (campaign_id, number, planned) VALUES (#{campaign}, #{number}, #{planned})")
    int addRound(@Param("campaign") long campaign, @Param("number") int number, @Param("planned") int planned);

    /** A HIT to post ({@code hitId} null, not adding), or places to add to the posting {@code hitId} already has. */
    @Insert("INSERT INTO round_hit (campaign_id, round, index, token, assignments, hit_id, adds)"
            + " VALUES (#{campaign}, #{round}, #{index}, #{token}, #{assignments}, #{hitId}, #{adds})")
    int addRoundHit(
            @Param("campaign") long campaign,
            @Param("round") int round,
            @Param("index") int index,
            @Param("token") String token,
            @Param("assignments") int assignments,
            @Param("hitId") String hitId,
            @Param("adds") boolean adds);

    @Select("SELECT campaign_id, number, planned, state, created, recorded FROM round WHERE campaign_id = #{campaign}"
            + " ORDER BY number")
    List<Round> rounds(@Param("campaign") long campaign);

    @Select("SELECT number FROM round WHERE campaign_id = #{campaign} AND state = 'PLANNED' ORDER BY number")
    List<Integer> plannedRounds(@Param("campaign") long campaign);

    @Update("UPDATE round SET state = 'RECORDED', recorded = now() WHERE campaign_id = #{campaign}"
            + " AND number = #{number} AND state = 'PLANNED'")
    int recordRound(@Param("campaign") long campaign, @Param("number") int number);

    @Select("SELECT " + HIT_COLUMNS + " FROM round_hit WHERE campaign_id = #{campaign} ORDER BY round, index")
    List<RoundHit> hits(@Param("campaign") long campaign);

    @Update("UPDATE round_hit SET hit_id = #{hitId} WHERE token = #{token}")
    int setHitId(@Param("token") String token, @Param("hitId") String hitId);

    /** Every row of the posting: the one that posted it and those that added places to it. */
    @Update("UPDATE round_hit SET expired_at = now() WHERE campaign_id = #{campaign} AND hit_id = #{hitId}"
            + " AND expired_at IS NULL")
    int setPostingExpired(@Param("campaign") long campaign, @Param("hitId") String hitId);

    @Insert("INSERT INTO progress (campaign_id, completed, in_flight, goal, spent_cents)"
            + " VALUES (#{campaignId}, #{completed}, #{inFlight}, #{goal}, #{spentCents})")
    int addProgress(Progress progress);

    @Select("SELECT campaign_id, at, completed, in_flight, goal, spent_cents FROM progress"
            + " WHERE campaign_id = #{campaign} ORDER BY at")
    List<Progress> progress(@Param("campaign") long campaign);

    /** The latest row of each campaign, for the list. */
    @Select("SELECT DISTINCT ON (campaign_id) campaign_id, at, completed, in_flight, goal, spent_cents FROM progress"
            + " ORDER BY campaign_id, at DESC")
    List<Progress> latestProgress();
}
