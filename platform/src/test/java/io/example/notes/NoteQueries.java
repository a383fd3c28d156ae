package io.example.notes;

import java.util.List;

/** A mapper whose SQL is in {@code NoteQueries.xml} beside it, copied into the test bundle. */
public interface NoteQueries {

    List<Note> withBody(String body);
}
