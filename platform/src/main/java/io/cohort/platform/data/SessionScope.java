package io.cohort.platform.data;

import io.cohort.platform.web.RequestError;
import java.util.List;
import javax.sql.DataSource;

/**
 * One session (checked to exist) or, with a null id, all of them; the participant filter and order for either.
 * {@code bots} false leaves out the participants a simulation added (mode BOT).
 */
record SessionScope(String id, String name, boolean bots) {

    static final SessionScope ALL = new SessionScope(null, null, true);

    static SessionScope find(DataSource db, String id) throws Exception {
        String[] name = new String[1];
        Cursor.all(
                db, "SELECT name FROM cohort.session WHERE id = ?", List.of(id), rs -> name[0] = rs.getString("name"));
        if (name[0] == null) {
            throw RequestError.notFound("There is no session '" + id + "'.");
        }
        return new SessionScope(id, name[0], true);
    }

    /** The same scope as a download's {@code bots} parameter asks: {@code include} (the default) or {@code exclude}. */
    SessionScope bots(String parameter) {
        if (parameter == null || parameter.equals("include")) {
            return this;
        }
        if (parameter.equals("exclude")) {
            return new SessionScope(id, name, false);
        }
        throw RequestError.badParameter("bots", parameter, "include or exclude");
    }

    boolean all() {
        return id == null;
    }

    /** Condition on participant {@code p}; binds {@link #args()}. */
    String where() {
        String bot = bots ? "" : "p.mode IS DISTINCT FROM 'BOT'";
        if (all()) {
            return bot.isEmpty() ? "" : " WHERE " + bot;
        }
        return " WHERE p.session_id = ?" + (bot.isEmpty() ? "" : " AND " + bot);
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
