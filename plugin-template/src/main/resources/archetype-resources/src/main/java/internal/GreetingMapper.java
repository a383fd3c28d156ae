package ${package}.internal;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** SQL over the plugin's own schema; the host's PluginDatabase sets the search path to it. */
public interface GreetingMapper {

    @Select("SELECT id, message, source, received_at FROM greeting ORDER BY id DESC LIMIT #{limit}")
    List<Greeting> latest(@Param("limit") int limit);

    @Insert("INSERT INTO greeting (message, source) VALUES (#{message}, #{source})")
    int add(@Param("message") String message, @Param("source") String source);
}
