package io.cohort.api.data;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a table a plugin adds to a session's data export (a chat's messages, a simulation's bot
 * runs), so its data leaves with the session's. Register it with {@value #NAME} ({@code [a-z][a-z0-9_]*}, e.g.
 * {@code chat_messages}): the host serves it as {@code /admin/sessions/{id}/tables/<name>.csv} (and under
 * {@code /api}), and puts it under {@code tables.<name>} in the session's JSON export asked with
 * {@code ?tables=include} (then {@code {"participants": [...], "tables": {...}}}; without it the export stays the
 * bare array of participants), each row an object keyed by {@link #columns()}. Both are streamed: the host writes
 * each row as the plugin hands it over.
 */
@ConsumerType
public interface ExportTable {
    String NAME = "cohort.export.table";

    /** The columns' names, in order; a column {@code participant} holding participant ids lets the host leave bots out. */
    List<String> columns();

    /**
     * Hands over the rows of one session, each in {@link #columns()}'s order; values are strings, numbers,
     * booleans or null. Rows should come in a stable order (e.g. by time).
     *
     * @param sessionId the session, or null for every session
     */
    void rows(String sessionId, Rows out) throws Exception;

    /** Where the rows go (the host's). */
    @FunctionalInterface
    @org.osgi.annotation.versioning.ProviderType
    interface Rows {
        void row(List<Object> values) throws java.io.IOException;
    }
}
