package io.cohort.plugin.simulation.internal;

import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface BotRunMapper {

    @Select("INSERT INTO bot_run (session_id, participant_id, bot) VALUES (#{session}, #{participant}, #{bot})"
            + " RETURNING id")
    long start(@Param("session") String session, @Param("participant") String participant, @Param("bot") String bot);

    @Update("UPDATE bot_run SET pages = #{pages} WHERE id = #{id}")
    int progress(@Param("id") long id, @Param("pages") int pages);

    @Update("UPDATE bot_run SET finished = now(), pages = #{pages}, error = #{error} WHERE id = #{id}")
    int finish(@Param("id") long id, @Param("pages") int pages, @Param("error") String error);

    @Select("SELECT " + BotRun.COLUMNS + " FROM bot_run WHERE session_id = #{session} ORDER BY id")
    @ConstructorArgs({
        @Arg(column = "id", javaType = long.class),
        @Arg(column = "session_id", javaType = String.class),
        @Arg(column = "participant_id", javaType = String.class),
        @Arg(column = "bot", javaType = String.class),
        @Arg(column = "started", javaType = java.time.Instant.class),
        @Arg(column = "finished", javaType = java.time.Instant.class),
        @Arg(column = "pages", javaType = int.class),
        @Arg(column = "error", javaType = String.class),
        @Arg(column = "state", javaType = String.class)
    })
    List<BotRun> ofSession(@Param("session") String session);
}
