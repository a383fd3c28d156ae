package io.cohort.plugin.chat.internal;

import io.cohort.api.web.SocketEndpoint.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * The chat sockets open on this node: participants' widgets by participant, admins' chat pages by the session they
 * watch. {@link ChatRelay} pushes each event to the ones it concerns; other nodes push to theirs.
 */
@Component(service = LocalSockets.class)
public final class LocalSockets {

    /** A participant's open widget, and the session they are in. */
    record Widget(Socket socket, String sessionId) {}

    private final Map<String, Set<Widget>> widgets = new ConcurrentHashMap<>();
    private final Map<String, Set<Socket>> watchers = new ConcurrentHashMap<>();
    /** The session each admin socket watches, to move or drop it. */
    private final Map<Socket, String> watching = new ConcurrentHashMap<>();

    void addWidget(String participantId, String sessionId, Socket socket) {
        widgets.computeIfAbsent(participantId, k -> ConcurrentHashMap.newKeySet())
                .add(new Widget(socket, sessionId));
    }

    void removeWidget(String participantId, Socket socket) {
        widgets.computeIfPresent(participantId, (k, set) -> {
            set.removeIf(w -> w.socket().id().equals(socket.id()));
            return set.isEmpty() ? null : set;
        });
    }

    /** The socket now hears the events of {@code sessionId} (and no longer those of the session it watched). */
    void watch(String sessionId, Socket socket) {
        unwatch(socket);
        watching.put(socket, sessionId);
        watchers.computeIfAbsent(sessionId, k -> ConcurrentHashMap.newKeySet()).add(socket);
    }

    void unwatch(Socket socket) {
        String old = watching.remove(socket);
        if (old != null) {
            watchers.computeIfPresent(old, (k, set) -> {
                set.remove(socket);
                return set.isEmpty() ? null : set;
            });
        }
    }

    Set<Widget> widgets(String participantId) {
        return widgets.getOrDefault(participantId, Set.of());
    }

    /** The participants with a widget open on this node in the session. */
    Set<String> participantsOf(String sessionId) {
        Set<String> ids = ConcurrentHashMap.newKeySet();
        widgets.forEach((participant, set) -> {
            if (set.stream().anyMatch(w -> w.sessionId().equals(sessionId))) {
                ids.add(participant);
            }
        });
        return ids;
    }

    Set<Socket> watchers(String sessionId) {
        return watchers.getOrDefault(sessionId, Set.of());
    }

    void toParticipant(String participantId, String message) {
        widgets(participantId).forEach(w -> w.socket().send(message));
    }

    void toSession(String sessionId, String message) {
        watchers(sessionId).forEach(s -> s.send(message));
    }
}
