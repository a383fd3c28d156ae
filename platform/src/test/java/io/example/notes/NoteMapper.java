package io.example.notes;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Select;

/** An annotated mapper, copied into the test bundle. */
public interface NoteMapper {

    @Insert("INSERT INTO note (body) VALUES (#{body})")
    int add(String body);

    @Select("SELECT id, body, created_at FROM note ORDER BY id")
    List<Note> all();

    @Select("SELECT count(*) FROM note")
    long count();
}
