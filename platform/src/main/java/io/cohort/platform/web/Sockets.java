package io.cohort.platform.web;

import io.cohort.api.web.SocketEndpoint;
import java.io.IOException;
import java.net.HttpCookie;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ro.pippo.core.websocket.WebSocketConnection;
import ro.pippo.core.websocket.WebSocketContext;
import ro.pippo.core.websocket.WebSocketHandler;
import ro.pippo.jetty.websocket.JettyWebSocketConnection;

/**
 * WebSockets at {@code /ws/<path>}, handed to the {@link SocketEndpoint} registered with that path. Admin
 * endpoints accept only a live admin login cookie. When an endpoint's service goes, its sockets are closed.
 */
public final class Sockets implements WebSocketHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sockets.class);

    private final ServiceTracker<SocketEndpoint, SocketEndpoint> tracker;
    private final AdminSessions sessions;
    private final Map<WebSocketConnection, Open> open = new ConcurrentHashMap<>();

    private record Open(ServiceReference<SocketEndpoint> reference, SocketEndpoint endpoint, Socket socket) {
    }

    public Sockets(BundleContext context, AdminSessions sessions) {
        this.sessions = sessions;
        this.tracker = new ServiceTracker<>(context, SocketEndpoint.class, null) {
            @Override
            public void removedService(ServiceReference<SocketEndpoint> reference, SocketEndpoint service) {
                open.values().stream().filter(o -> o.reference.equals(reference)).forEach(o -> o.socket.close());
                super.removedService(reference, service);
            }
        };
        tracker.open(true);
    }

    /** One connection as plugins see it. */
    private record Socket(String id, String principal, WebSocketConnection connection) implements SocketEndpoint.Socket {
        @Override
        public void send(String message) {
            try {
                connection.sendMessage(message);
            } catch (IOException e) {
                LOG.debug("socket {} gone: {}", id, e.getMessage());
            }
        }

        @Override
        public void close() {
            connection.close(1001, "endpoint gone");
        }
    }

    @Override
    public void onOpen(WebSocketContext ctx) {
        String path = ctx.getPathParameter("path").toString();
        Map.Entry<ServiceReference<SocketEndpoint>, SocketEndpoint> match = tracker.getTracked().entrySet().stream()
                .filter(e -> path.equals(String.valueOf(e.getKey().getProperty(SocketEndpoint.PATH)).replaceAll("^/+", "")))
                .findFirst().orElse(null);
        if (match == null) {
            ctx.getConnection().close(4404, "no endpoint at /ws/" + path);
            return;
        }
        String audience = String.valueOf(match.getKey().getProperty(SocketEndpoint.AUDIENCE));
        String principal = "participant".equals(audience) ? "participant" : adminUser(ctx.getConnection()).orElse(null);
        if (principal == null) {
            ctx.getConnection().close(4401, "log in first");
            return;
        }
        Socket socket = new Socket(UUID.randomUUID().toString(), principal, ctx.getConnection());
        open.put(ctx.getConnection(), new Open(match.getKey(), match.getValue(), socket));
        match.getValue().onOpen(socket);
    }

    private Optional<String> adminUser(WebSocketConnection connection) {
        if (!(connection instanceof JettyWebSocketConnection jetty)) {
            return Optional.empty();
        }
        List<HttpCookie> cookies = jetty.getSession().getUpgradeRequest().getCookies();
        for (HttpCookie c : cookies == null ? List.<HttpCookie>of() : cookies) {
            if (Security.COOKIE.equals(c.getName())) {
                try {
                    return sessions.find(c.getValue()).map(AdminSessions.Login::user);
                } catch (java.sql.SQLException e) {
                    LOG.warn("cannot check a socket's login: {}", e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void onMessage(WebSocketContext ctx, String message) {
        Open o = open.get(ctx.getConnection());
        if (o != null) {
            o.endpoint.onMessage(o.socket, message);
        }
    }

    @Override
    public void onClose(WebSocketContext ctx, int code, String reason) {
        Open o = open.remove(ctx.getConnection());
        if (o != null) {
            o.endpoint.onClose(o.socket);
        }
    }

    @Override
    public void close() {
        tracker.close();
    }
}
