package io.cohort.api.web;

import io.cohort.api.session.Session;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a column of the participant monitor on a session's page (a chat's unread count). Register it
 * with {@value #NAME} (unique, {@code [a-z][a-z0-9-]*}) and {@value #LABEL} (the column's heading).
 *
 * <p>Live: the column appears on open session pages when the service is registered and vanishes when it goes. When
 * a cell changes, the plugin publishes an event on {@value #CHANGED} with the JSON payload
 * {@code {"session": "<id>", "participants": ["<id>", ...]}}; every node's open monitors of that session then ask
 * {@link #cells} again for those participants.
 */
@ConsumerType
public interface MonitorColumn {
    String NAME = "cohort.monitor.column";
    String LABEL = "cohort.monitor.column.label";
    /** Optional integer; lower comes first, after the host's own columns. */
    String ORDER = "cohort.monitor.column.order";
    /** The event topic that says some of this column's cells changed. */
    String CHANGED = "monitor/cells";

    /**
     * The cells of these participants of {@code session}; a participant left out gets an empty cell.
     * Called for every snapshot and after each {@value #CHANGED} event, so it must be quick (one query).
     */
    Map<String, Cell> cells(Session session, List<String> participantIds);

    /**
     * One cell.
     *
     * @param text  what it shows (escaped by the host)
     * @param link  a path on this server the cell links to (e.g. the participant's chat), or null
     * @param title a longer explanation shown on hover, or null
     */
    record Cell(String text, String link, String title) {}
}
