package io.cohort.platform.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.web.MonitorColumn;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.web.Layout;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's live view, at {@code /ws/monitor}. A page sends {@code {"watch": "<session id>"}} (the session page)
 * or {@code {"watch": "dashboard"}}; it gets a snapshot at once, then, for each participant or session change any
 * node announces, that participant's row ({@code type: row}) or the session's figures ({@code type: session}), and
 * the rooms ({@code type: rooms}) when a room changes. Each change is read once, then sent to every watcher.
 *
 * <p>A session page's snapshot also carries what plugins add to it ({@code contributions}: tabs, monitor columns,
 * participant actions, see {@link SessionContributions}); when one of those is registered or unregistered, every
 * open session page gets {@code {"type": "contributions", ...}} and a fresh snapshot. When a plugin's column says
 * some cells changed ({@link MonitorColumn#CHANGED}), the watchers of that session get {@code {"type": "cells",
 * "cells": {participant: {column: cell}}}}.
 */
@Singleton
public final class Monitor implements SocketEndpoint, EventListener, AutoCloseable {

    static final String PATH = "monitor";
    static final String DASHBOARD = "dashboard";

    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

    private final MonitorTable table;
    private final SessionTable sessions;
    private final Dashboard dashboard;
    private final SessionContributions contributions;
    private final MonitorColumns columns;
    /** Watched session id (or {@value #DASHBOARD}) → its sockets. */
    private final Map<String, Set<Socket>> watchers = new ConcurrentHashMap<>();
    /** Reads run here, not on the event dispatch thread other listeners share. */
    private final ExecutorService reads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cohort-monitor");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public Monitor(
            MonitorTable table,
            SessionTable sessions,
            Dashboard dashboard,
            SessionContributions contributions,
            MonitorColumns columns) {
        this.table = table;
        this.sessions = sessions;
        this.dashboard = dashboard;
        this.contributions = contributions;
        this.columns = columns;
        contributions.whenChanged(() -> {
            try {
                reads.execute(this::contributionsChanged);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the host is stopping: no page is watched any more
            }
        });
    }

    /** The service properties the host registers it with: a socket endpoint and an event listener. */
    public static Dictionary<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(SocketEndpoint.PATH, PATH);
        p.put(SocketEndpoint.AUDIENCE, "admin");
        p.put(
                EventListener.TOPIC,
                new String[] {LiveFeed.CHANGED, LiveFeed.SESSION_CHANGED, MonitorColumn.CHANGED, "room/*"});
        return p;
    }

    @Override
    public void onMessage(Socket socket, String message) {
        String watch;
        try {
            JsonNode node = Layout.JSON.readTree(message);
            watch = node == null || node.get("watch") == null
                    ? null
                    : node.get("watch").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            watch = null;
        }
        if (watch == null) {
            send(
                    socket,
                    Map.of(
                            "type",
                            "error",
                            "error",
                            "send {\"watch\": \"<session id>\"} or {\"watch\": \"dashboard\"}"));
            return;
        }
        String key = watch;
        reads.execute(() -> startWatching(socket, key));
    }

    private void startWatching(Socket socket, String key) {
        Object snapshot;
        if (key.equals(DASHBOARD)) {
            snapshot = Map.of("type", "dashboard", "sessions", sessions.active(), "rooms", dashboard.rooms());
        } else {
            Optional<SessionTable.Row> session = sessions.find(key);
            if (session.isEmpty()) {
                send(socket, Map.of("type", "error", "error", "watch: there is no session '" + key + "'"));
                return;
            }
            snapshot = rows(session.get());
        }
        stopWatching(socket);
        watchers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(socket);
        send(socket, snapshot);
    }

    /** A session page's snapshot: its figures, every row, and what plugins add to the page. */
    private Map<String, Object> rows(SessionTable.Row session) {
        return Map.of(
                "type",
                "rows",
                "session",
                session,
                "rows",
                table.ofSession(session.session().id()),
                "contributions",
                contributions.of(session.session()));
    }

    /** A tab, column or action came or went: every open session page redraws them, and its rows with their cells. */
    private void contributionsChanged() {
        try {
            pushContributions();
        } catch (RuntimeException e) {
            LOG.warn("monitor: cannot push the session pages' contributions: {}", e.toString());
        }
    }

    private void pushContributions() {
        for (String key : watchers.keySet()) {
            if (!key.equals(DASHBOARD) && watched(key)) {
                sessions.find(key).ifPresent(session -> {
                    Map<String, Object> message = new java.util.LinkedHashMap<>();
                    message.put("type", "contributions");
                    message.putAll(contributions.of(session.session()));
                    push(key, message);
                    push(key, rows(session));
                });
            }
        }
    }

    private void stopWatching(Socket socket) {
        watchers.values().forEach(set -> set.remove(socket));
    }

    @Override
    public void onClose(Socket socket) {
        stopWatching(socket);
    }

    @Override
    public void onEvent(Event event) {
        reads.execute(() -> {
            try {
                changed(event);
            } catch (RuntimeException e) {
                LOG.warn("monitor: cannot push {} {}: {}", event.topic(), event.payload(), e.getMessage());
            }
        });
    }

    private void changed(Event event) {
        if (event.topic().startsWith("room/")) {
            if (watched(DASHBOARD)) {
                push(DASHBOARD, Map.of("type", "rooms", "rooms", dashboard.rooms()));
            }
            return;
        }
        JsonNode payload;
        try {
            payload = Layout.JSON.readTree(event.payload());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return;
        }
        if (event.topic().equals(MonitorColumn.CHANGED)) {
            cellsChanged(payload);
            return;
        }
        if (event.topic().equals(LiveFeed.CHANGED)) {
            JsonNode ids = payload.get("participants");
            if (ids == null || !ids.isArray() || watchers.values().stream().allMatch(Set::isEmpty)) {
                return;
            }
            Set<String> sessionsChanged = new java.util.LinkedHashSet<>();
            for (JsonNode id : ids) {
                table.find(id.asText()).ifPresent(row -> {
                    sessionsChanged.add(row.session());
                    if (watched(row.session())) {
                        push(row.session(), Map.of("type", "row", "row", row));
                    }
                });
            }
            sessionsChanged.forEach(id -> figures(id, false));
            return;
        }
        if (payload.get("session") != null) {
            figures(payload.get("session").asText(), event.topic().equals(LiveFeed.SESSION_CHANGED));
        }
    }

    /** A plugin's cells changed: the session's watchers get them read again. */
    private void cellsChanged(JsonNode payload) {
        JsonNode session = payload.get("session");
        JsonNode ids = payload.get("participants");
        if (session == null || ids == null || !ids.isArray() || !watched(session.asText())) {
            return;
        }
        java.util.List<String> participants = new java.util.ArrayList<>();
        ids.forEach(id -> participants.add(id.asText()));
        push(session.asText(), Map.of("type", "cells", "cells", columns.cells(session.asText(), participants)));
    }

    /** A session's figures to the dashboard, and to its own page when the session itself changed. */
    private void figures(String sessionId, boolean sessionChanged) {
        boolean sessionPage = sessionChanged && watched(sessionId);
        if (sessionPage || watched(DASHBOARD)) {
            sessions.find(sessionId).ifPresent(figures -> {
                Map<String, Object> message = Map.of("type", "session", "session", figures);
                if (sessionPage) {
                    push(sessionId, message);
                }
                push(DASHBOARD, message);
            });
        }
    }

    private boolean watched(String key) {
        Set<Socket> set = watchers.get(key);
        return set != null && !set.isEmpty();
    }

    private void push(String key, Object message) {
        Set<Socket> set = watchers.get(key);
        if (set == null || set.isEmpty()) {
            return;
        }
        String text = json(message);
        set.forEach(s -> send(s, text));
    }

    private void send(Socket socket, Object message) {
        send(socket, json(message));
    }

    /** A socket that closed meanwhile stops watching. */
    private void send(Socket socket, String text) {
        try {
            socket.send(text);
        } catch (RuntimeException e) {
            stopWatching(socket);
        }
    }

    private static String json(Object message) {
        try {
            return Layout.JSON.writeValueAsString(message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        reads.shutdownNow();
        try {
            reads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
