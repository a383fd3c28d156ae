package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.api.web.MonitorColumn;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.web.ContributedPages;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MonitorColumn} services, tracked live: the columns plugins add to the session page's participant
 * monitor, and their cells. A column with a name that is not {@code [a-z][a-z0-9-]*} is refused (logged); of two
 * with the same name the higher ranked wins. A column whose plugin throws shows empty cells, not a broken page.
 */
@Singleton
public final class MonitorColumns implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorColumns.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    /** A column as the monitor's header shows it. */
    public record Column(String name, String label, int order) {}

    private final Whiteboard<MonitorColumn> tracker;
    private final Function<String, Optional<Session>> sessions;

    @Inject
    public MonitorColumns(BundleContext context, SessionStore sessions) {
        this.sessions = sessions::find;
        this.tracker = new Whiteboard<>(context, MonitorColumn.class, new Whiteboard.Listener<>() {
            @Override
            public void added(ServiceReference<MonitorColumn> reference, MonitorColumn service) {
                if (name(reference) == null) {
                    LOG.error(
                            "monitor column of {} refused: {} '{}' is not [a-z][a-z0-9-]*",
                            reference.getBundle().getSymbolicName(),
                            MonitorColumn.NAME,
                            reference.getProperty(MonitorColumn.NAME));
                }
            }
        });
    }

    /** Runs {@code watcher} whenever a column arrives or goes (after the change). */
    public void whenChanged(Runnable watcher) {
        tracker.whenChanged(watcher);
    }

    private static String name(ServiceReference<?> reference) {
        Object name = reference.getProperty(MonitorColumn.NAME);
        return name != null && NAME.matcher(name.toString()).matches() ? name.toString() : null;
    }

    /** The columns, one per name (the highest ranked), by order, then label. */
    public List<Column> columns() {
        return List.copyOf(served().keySet());
    }

    private Map<Column, MonitorColumn> served() {
        Map<String, Map.Entry<Column, MonitorColumn>> byName = new LinkedHashMap<>();
        for (Map.Entry<ServiceReference<MonitorColumn>, MonitorColumn> e :
                tracker.services().entrySet()) {
            String name = name(e.getKey());
            if (name != null && !byName.containsKey(name)) {
                Object label = e.getKey().getProperty(MonitorColumn.LABEL);
                Column column = new Column(
                        name,
                        label == null ? name : label.toString(),
                        ContributedPages.order(e.getKey(), MonitorColumn.ORDER));
                byName.put(name, Map.entry(column, e.getValue()));
            }
        }
        List<Map.Entry<Column, MonitorColumn>> sorted = new ArrayList<>(byName.values());
        sorted.sort(Comparator.comparing(
                        (Map.Entry<Column, MonitorColumn> e) -> e.getKey().order())
                .thenComparing(e -> e.getKey().label()));
        Map<Column, MonitorColumn> out = new LinkedHashMap<>();
        sorted.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * The cells of some participants of a session: participant id → column name → cell, every column present for
     * every participant (an empty cell where the plugin gave none). One call per column.
     */
    public Map<String, Map<String, MonitorColumn.Cell>> cells(String sessionId, List<String> participantIds) {
        Map<String, Map<String, MonitorColumn.Cell>> out = new LinkedHashMap<>();
        participantIds.forEach(id -> out.put(id, new LinkedHashMap<>()));
        Map<Column, MonitorColumn> served = served();
        if (served.isEmpty() || participantIds.isEmpty()) {
            return out;
        }
        Optional<Session> session = sessions.apply(sessionId);
        if (session.isEmpty()) {
            return out;
        }
        MonitorColumn.Cell empty = new MonitorColumn.Cell("", null, null);
        served.forEach((column, service) -> {
            Map<String, MonitorColumn.Cell> given;
            try {
                given = service.cells(session.get(), List.copyOf(participantIds));
            } catch (RuntimeException e) {
                LOG.warn("monitor column {}: cells of session {} failed: {}", column.name(), sessionId, e.toString());
                given = null;
            }
            for (String id : participantIds) {
                MonitorColumn.Cell cell = given == null ? null : given.get(id);
                // Copied into the host's own record: a plugin's object is never kept or serialized.
                out.get(id)
                        .put(
                                column.name(),
                                cell == null
                                        ? empty
                                        : new MonitorColumn.Cell(
                                                cell.text() == null ? "" : cell.text(),
                                                localPath(cell.link()),
                                                cell.title()));
            }
        });
        return out;
    }

    /** A link is a path on this server; anything else (another site, a script URL) is dropped. */
    private static String localPath(String link) {
        return link != null && link.startsWith("/") && !link.startsWith("//") && !link.contains("\\") ? link : null;
    }

    @Override
    public void close() {
        tracker.close();
    }
}
