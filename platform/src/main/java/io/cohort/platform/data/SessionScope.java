package io.cohort.platform.data;

import io.cohort.platform.web.RequestError;
import java.util.List;
import javax.sql.DataSource;

/** One session (checked to exist) or, with a null id, all of them; the participant filter and order for either. */
record SessionScope(String id, String name) {

    static final SessionScope ALL = new SessionScope(null, null);

    static SessionScope find(DataSource db, String id) throws Exception {
        String[] name = new String[1];
        Cursor.all(
                db, "SELECT name FROM cohort.session WHERE id = ?", List.of(id), rs -> name[0] = rs.getString("name"));
        if (name[0] == null) {
            throw RequestError.notFound("There is no session '" + id + "'.");
        }
        return new SessionScope(id, name[0]);
    }

    boolean all() {
        return id == null;
    }

    /** Condition on participant {@code p}; binds {@link #args()}. */
    String where() {
        return all() ? "" : " WHERE p.session_id = ?";
    }

    List<Object> args() {
        return all() ? List.of() : List.of(id);
    }

    /** Participants in the order they were created (per session when all). */
    String order() {
        return (all() ? "p.session_id, " : "") + "p.created_at, p.id";
    }

    String fileStem() {
        return all() ? "cohort-all-sessions" : "session-" + TwinRoutes.fileName(id);
    }

    String target() {
        return all() ? "*" : id;
    }
}
