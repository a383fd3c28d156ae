package io.cohort.plugin.chat.internal;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface ChatMapper {

    String COLUMNS = "id, session_id, participant_id, admin, body, sent_at, read_at";
    /** Whether the participant may answer: their own setting, else the session's default, else on. */
    String REPLIES = "coalesce(c.replies, (SELECT d.replies FROM session_default d WHERE d.session_id = c.session_id),"
            + " true)";

    @Insert("INSERT INTO channel (participant_id, session_id, opened_by) VALUES (#{participant}, #{session}, #{by})"
            + " ON CONFLICT (participant_id) DO NOTHING")
    int open(@Param("session") String sessionId, @Param("participant") String participantId, @Param("by") String by);

    /**
     * Whether the participant may answer, with their channel's row locked until the transaction ends: a
     * participant's sends are taken one at a time on every node, so the rate limit counts each exactly. Null when
     * they have no channel.
     */
    @Select("SELECT " + REPLIES + " FROM channel c WHERE c.participant_id = #{participant} FOR UPDATE")
    Boolean lockForReply(@Param("participant") String participantId);

    @Select("SELECT " + REPLIES + " FROM channel c WHERE c.participant_id = #{participant}")
    Boolean replies(@Param("participant") String participantId);

    @Select("SELECT count(*) FROM message WHERE participant_id = #{participant} AND admin IS NULL"
            + " AND sent_at > now() - make_interval(secs => #{seconds})")
    int sentWithin(@Param("participant") String participantId, @Param("seconds") int seconds);

    @Select("INSERT INTO message (session_id, participant_id, admin, body) VALUES (#{session}, #{participant},"
            + " #{admin}, #{body}) RETURNING " + COLUMNS)
    Message add(
            @Param("session") String sessionId,
            @Param("participant") String participantId,
            @Param("admin") String admin,
            @Param("body") String body);

    @Select("SELECT " + COLUMNS + " FROM message WHERE id = #{id}")
    Message message(@Param("id") long id);

    /** The channel's messages after {@code after} (0 for all), oldest first. */
    @Select("SELECT " + COLUMNS + " FROM message WHERE participant_id = #{participant} AND id > #{after} ORDER BY id")
    List<Message> history(@Param("participant") String participantId, @Param("after") long after);

    /** Marks read what the other side wrote: the participant's messages when an admin reads, and the reverse. */
    @Update("UPDATE message SET read_at = now() WHERE participant_id = #{participant} AND read_at IS NULL"
            + " AND (admin IS NULL) = #{byAdmin}")
    int markRead(@Param("participant") String participantId, @Param("byAdmin") boolean byAdmin);

    @Select("SELECT count(*) FROM message WHERE participant_id = #{participant} AND read_at IS NULL"
            + " AND (admin IS NULL) = #{byAdmin}")
    long unread(@Param("participant") String participantId, @Param("byAdmin") boolean byAdmin);

    /** The session's channels, the latest message first. */
    // Each column its own name: MyBatis reads a record's columns by label.
    @Select("SELECT c.participant_id, (SELECT l.body FROM message l WHERE l.participant_id = c.participant_id"
            + " ORDER BY l.id DESC LIMIT 1) AS last_text, max(m.sent_at) AS last_at, count(m.id) AS messages,"
            + " count(m.id) FILTER (WHERE m.admin IS NULL AND m.read_at IS NULL) AS unread, "
            + REPLIES + " AS replies, c.replies AS own"
            + " FROM channel c LEFT JOIN message m ON m.participant_id = c.participant_id"
            + " WHERE c.session_id = #{session} GROUP BY c.participant_id ORDER BY max(m.sent_at) DESC NULLS LAST,"
            + " c.participant_id")
    List<ChannelSummary> channels(@Param("session") String sessionId);

    /** Of these participants of the session, those with a channel, and their messages no admin has read yet. */
    @Select("SELECT c.participant_id, count(m.id) FILTER (WHERE m.admin IS NULL AND m.read_at IS NULL) AS unread"
            + " FROM channel c LEFT JOIN message m ON m.participant_id = c.participant_id"
            + " WHERE c.session_id = #{session}"
            + " AND c.participant_id = ANY(#{participants, typeHandler=org.apache.ibatis.type.ArrayTypeHandler})"
            + " GROUP BY c.participant_id")
    List<Unread> unreadByChannel(@Param("session") String sessionId, @Param("participants") String[] participantIds);

    /** A participant's channel and the count of their messages no admin has read. */
    record Unread(String participantId, long unread) {}

    @Update("UPDATE channel SET replies = #{on} WHERE participant_id = #{participant}")
    int setReplies(@Param("participant") String participantId, @Param("on") Boolean on);

    @Insert("INSERT INTO session_default (session_id, replies, set_by) VALUES (#{session}, #{on}, #{by})"
            + " ON CONFLICT (session_id) DO UPDATE SET replies = excluded.replies, set_by = excluded.set_by,"
            + " set_at = now()")
    int setDefault(@Param("session") String sessionId, @Param("on") boolean on, @Param("by") String by);

    @Select("SELECT coalesce((SELECT replies FROM session_default WHERE session_id = #{session}), true)")
    boolean sessionDefault(@Param("session") String sessionId);

    /** Sessions with a chat and their unread messages, the latest message first. */
    @Select("SELECT session_id, count(*) FILTER (WHERE admin IS NULL AND read_at IS NULL) AS unread,"
            + " max(sent_at) AS last_at FROM message GROUP BY session_id ORDER BY max(sent_at) DESC")
    List<SessionChats> sessions();
}
