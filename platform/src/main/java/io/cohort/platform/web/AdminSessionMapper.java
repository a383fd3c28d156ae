package io.cohort.platform.web;

import java.time.Instant;
import java.util.List;
import org.apache.ibatis.annotations.Arg;
import org.apache.ibatis.annotations.ConstructorArgs;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.ResultMap;
import org.apache.ibatis.annotations.Results;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/** Admin logins ({@code cohort.admin_session}), each column mapped by name. */
public interface AdminSessionMapper {

    String COLUMNS = "token_hash, username, csrf, ip, user_agent, created_at, last_seen";
    /** A live login: not revoked, seen within the idle time, begun within its lifetime. */
    String LIVE = "revoked_at IS NULL AND last_seen > now() - interval '" + AdminSessions.IDLE + "'"
            + " AND created_at > now() - make_interval(hours => #{lifetimeHours})";

    @Insert("INSERT INTO cohort.admin_session (token_hash, username, csrf, ip, user_agent)"
            + " VALUES (#{hash}, #{user}, #{csrf}, #{ip}, #{userAgent})")
    int insert(
            @Param("hash") String hash,
            @Param("user") String user,
            @Param("csrf") String csrf,
            @Param("ip") String ip,
            @Param("userAgent") String userAgent);

    /** The live login with this hash, its last-seen time touched. */
    @Select("UPDATE cohort.admin_session SET last_seen = now() WHERE token_hash = #{hash} AND " + LIVE + " RETURNING "
            + COLUMNS)
    @ConstructorArgs({
        @Arg(column = "token_hash", javaType = String.class),
        @Arg(column = "username", javaType = String.class),
        @Arg(column = "csrf", javaType = String.class),
        @Arg(column = "ip", javaType = String.class),
        @Arg(column = "user_agent", javaType = String.class),
        @Arg(column = "created_at", javaType = Instant.class),
        @Arg(column = "last_seen", javaType = Instant.class)
    })
    @Results(id = "login")
    List<AdminSessions.Login> touch(@Param("hash") String hash, @Param("lifetimeHours") int lifetimeHours);

    @Select("SELECT " + COLUMNS + " FROM cohort.admin_session WHERE " + LIVE + " ORDER BY last_seen DESC")
    @ResultMap("login")
    List<AdminSessions.Login> live(@Param("lifetimeHours") int lifetimeHours);

    @Update("UPDATE cohort.admin_session SET revoked_at = now(), revoked_by = #{by}"
            + " WHERE token_hash = #{hash} AND revoked_at IS NULL")
    int revoke(@Param("hash") String hash, @Param("by") String by);
}
