package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.participant.ParticipantSockets;
import io.cohort.platform.session.ParticipantStore;
import java.io.IOException;
import java.net.HttpCookie;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ro.pippo.core.websocket.WebSocketConnection;
import ro.pippo.core.websocket.WebSocketContext;
import ro.pippo.core.websocket.WebSocketHandler;
import ro.pippo.jetty.websocket.JettyWebSocketConnection;

/**
 * WebSockets at {@code /ws/<path>}, handed to the {@link SocketEndpoint} registered with that path. Admin
 * endpoints accept only a live admin login cookie; participant endpoints know the participant when the URL carries
 * their {@code session} and {@code token}. {@code /ws/p/{session}/{token}} is the host's socket of an open
 * participant page. When an endpoint's service goes, its sockets are closed.
 *
 * <p>Every socket's {@code Origin} must be Cohort's own (the configured public URL, or else the address the
 * browser asked for): otherwise any page in the same browser could open the admin's monitor with the admin's cookie
 * and read every participant's private URL. A client that sends no Origin is not a browser, and so cannot borrow
 * anyone's cookie.
 *
 * <p>Every open socket is pinged every {@code socket.ping.seconds}: Jetty closes a socket on which nothing moved for
 * {@code socket.idle.seconds}, and proxies cut a quiet tunnel, while a participant's page may sit still for a long
 * time. Browsers answer pings by themselves.
 */
@Singleton
public final class Sockets implements WebSocketHandler, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sockets.class);

    private final Whiteboard<SocketEndpoint> tracker;
    private final AdminSessions sessions;
    private final Map<WebSocketConnection, Open> open = new ConcurrentHashMap<>();
    private final Participants participants;
    private final SocketEndpoint participantPage;
    private final PublicUrl publicUrl;
    /** False on a participant-only node: admin sockets are refused like an unknown login. */
    private boolean adminEnabled = true;
    /** Null when pings are off. */
    private final ScheduledExecutorService pinger;

    private static final Pattern PARTICIPANT_PAGE = Pattern.compile("p/([^/]+)/([^/]+)/?");

    /** @param slot which of the ping rounds' slots pings it (sockets are spread over the interval) */
    private record Open(
            ServiceReference<SocketEndpoint> reference, SocketEndpoint endpoint, Socket socket, long slot) {}

    /** Numbers the sockets as they open, to spread them over the ping slots. */
    private final java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
    /** Ping slots per interval: one a second, so that each second pings its share of the sockets. */
    private long slots = 1;

    private long tick;

    /** @param participantPage the host's own endpoint for open participant pages, at {@code /ws/p/{session}/{token}} */
    @Inject
    public Sockets(
            BundleContext context,
            AdminSessions sessions,
            ParticipantStore participants,
            ParticipantSockets participantPage,
            PublicUrl publicUrl,
            io.cohort.platform.Config config) {
        this(
                context,
                sessions,
                (Participants) participants,
                (SocketEndpoint) participantPage,
                publicUrl,
                config.socketPing());
        this.adminEnabled = config.adminEnabled();
    }

    /** @param ping how often every open socket is pinged; zero for never */
    public Sockets(
            BundleContext context,
            AdminSessions sessions,
            Participants participants,
            SocketEndpoint participantPage,
            PublicUrl publicUrl,
            Duration ping) {
        this.publicUrl = publicUrl;
        this.sessions = sessions;
        this.participants = participants;
        this.participantPage = participantPage;
        this.tracker = new Whiteboard<>(context, SocketEndpoint.class, new Whiteboard.Listener<>() {
            @Override
            public void removed(ServiceReference<SocketEndpoint> reference, SocketEndpoint service) {
                open.values().stream()
                        .filter(o -> reference.equals(o.reference))
                        .forEach(o -> o.socket.close());
            }
        });
        if (ping.isZero()) {
            this.pinger = null;
        } else {
            this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cohort-socket-ping");
                t.setDaemon(true);
                return t;
            });
            // Every socket at once made a burst (10,000 frames every 30 s) that held up page submits for half a
            // second; a slot a second spreads them out.
            slots = Math.max(1, ping.toMillis() / 1000);
            long every = ping.toMillis() / slots;
            pinger.scheduleWithFixedDelay(this::pingSlot, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Without holding the connection's lock, unlike {@link Socket#send}: Jetty 9.4's {@code sendPing} only queues
     * the frame and returns (a control frame is never batched and does not take part in the "blocking message
     * pending" check; Jetty's own pongs are sent the same way from its reading thread). Waiting for the lock would
     * wait for a blocking send to a slow client, up to the idle timeout, and hold back the pings of every other
     * socket.
     */
    private void pingSlot() {
        long now = tick++ % slots;
        for (Open o : open.values()) {
            if (o.slot != now) {
                continue;
            }
            try {
                if (o.socket.connection instanceof JettyWebSocketConnection jetty && jetty.isOpen()) {
                    jetty.getSession().getRemote().sendPing(ByteBuffer.allocate(0));
                }
            } catch (IOException | RuntimeException e) {
                // A throw would end the schedule: a socket that went meanwhile is no matter.
                LOG.debug("socket {} not pinged: {}", o.socket.id, e.getMessage());
            }
        }
    }

    /** One connection as plugins see it. */
    private record Socket(String id, String principal, WebSocketConnection connection)
            implements SocketEndpoint.Socket {
        /**
         * One send at a time per connection: Jetty refuses a second blocking send while one is pending, and plugins
         * send from their listeners' threads as well as the socket's own.
         */
        @Override
        public void send(String message) {
            synchronized (connection) {
                try {
                    connection.sendMessage(message);
                } catch (IOException | IllegalStateException e) {
                    // IllegalStateException: the connection is closing.
                    LOG.debug("socket {} gone: {}", id, e.getMessage());
                }
            }
        }

        @Override
        public void close() {
            connection.close(1001, "endpoint gone");
        }
    }

    @Override
    public void onOpen(WebSocketContext ctx) {
        if (!originAllowed(ctx.getConnection())) {
            // Closed before a single message: the page that tried reads nothing.
            ctx.getConnection().close(4403, "origin not allowed");
            return;
        }
        String path = ctx.getPathParameter("path").toString();
        Matcher page = PARTICIPANT_PAGE.matcher(path);
        if (page.matches()) {
            Optional<Participant> p = participants.byToken(page.group(1), page.group(2));
            if (p.isEmpty()) {
                ctx.getConnection().close(4404, "not found");
                return;
            }
            accept(ctx, null, participantPage, p.get().id());
            return;
        }
        Map.Entry<ServiceReference<SocketEndpoint>, SocketEndpoint> match = tracker.services().entrySet().stream()
                .filter(e -> path.equals(String.valueOf(e.getKey().getProperty(SocketEndpoint.PATH))
                        .replaceAll("^/+", "")))
                .findFirst()
                .orElse(null);
        if (match == null) {
            ctx.getConnection().close(4404, "no endpoint at /ws/" + path);
            return;
        }
        String audience = String.valueOf(match.getKey().getProperty(SocketEndpoint.AUDIENCE));
        String principal = "participant".equals(audience)
                ? participant(ctx.getConnection()).orElse(null)
                : adminUser(ctx.getConnection()).orElse(null);
        if (principal == null) {
            ctx.getConnection()
                    .close(
                            "participant".equals(audience) ? 4404 : 4401,
                            "participant".equals(audience) ? "not found" : "log in first");
            return;
        }
        accept(ctx, match.getKey(), match.getValue(), principal);
    }

    private void accept(
            WebSocketContext ctx,
            ServiceReference<SocketEndpoint> reference,
            SocketEndpoint endpoint,
            String principal) {
        Socket socket = new Socket(UUID.randomUUID().toString(), principal, ctx.getConnection());
        open.put(ctx.getConnection(), new Open(reference, endpoint, socket, opened.getAndIncrement() % slots));
        endpoint.onOpen(socket);
    }

    /**
     * Who opens a participant-audience socket: the participant named by {@code ?session=&token=} (their page's
     * credentials), or "participant" for someone who is not one yet (e.g. waiting in a room); empty for
     * credentials that name nobody.
     */
    private Optional<String> participant(WebSocketConnection connection) {
        if (!(connection instanceof JettyWebSocketConnection jetty)) {
            return Optional.of("participant");
        }
        Map<String, List<String>> query = jetty.getSession().getUpgradeRequest().getParameterMap();
        List<String> session = query == null ? null : query.get("session");
        List<String> token = query == null ? null : query.get("token");
        if (session == null && token == null) {
            return Optional.of("participant");
        }
        if (session == null || token == null || session.isEmpty() || token.isEmpty()) {
            return Optional.empty();
        }
        return participants.byToken(session.get(0), token.get(0)).map(Participant::id);
    }

    private boolean originAllowed(WebSocketConnection connection) {
        if (!(connection instanceof JettyWebSocketConnection jetty)) {
            return true;
        }
        String origin = jetty.getSession().getUpgradeRequest().getHeader("Origin");
        return origin == null
                || publicUrl.isOwnOrigin(
                        origin, jetty.getSession().getUpgradeRequest().getHeader("Host"));
    }

    private Optional<String> adminUser(WebSocketConnection connection) {
        if (!adminEnabled || !(connection instanceof JettyWebSocketConnection jetty)) {
            return Optional.empty();
        }
        List<HttpCookie> cookies = jetty.getSession().getUpgradeRequest().getCookies();
        for (HttpCookie c : cookies == null ? List.<HttpCookie>of() : cookies) {
            if (Security.COOKIE.equals(c.getName())) {
                try {
                    return sessions.find(c.getValue()).map(AdminSessions.Login::user);
                } catch (RuntimeException e) { // the database is unreachable: refuse, as for no login
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

    /**
     * A socket's error is nearly always its client leaving mid-send (a closed tab, a lost network): nothing a lab
     * must act on, so it is not logged as an error. Pippo's own ERROR line for it is turned off in logback.xml.
     */
    @Override
    public void onError(WebSocketContext ctx, Throwable error) {
        Open o = open.get(ctx.getConnection());
        String id = o == null ? "(not open)" : o.socket.id;
        if (error instanceof IOException || error.getCause() instanceof IOException) {
            LOG.debug("socket {} broke: {}", id, error.toString());
        } else {
            LOG.warn("socket {} failed", id, error);
        }
    }

    @Override
    public void onClose(WebSocketContext ctx, int code, String reason) {
        Open o = open.remove(ctx.getConnection());
        if (o != null) {
            o.endpoint.onClose(o.socket);
        }
    }

    /**
     * Closes every open socket with 1012 ("service restart"): this node is stopping, and the pages reconnect at
     * once (through the load balancer, to another node) instead of backing off. Returns how many.
     */
    public int closeForRestart() {
        int closed = 0;
        for (WebSocketConnection c : open.keySet()) {
            try {
                c.close(1012, "reconnect");
                closed++;
            } catch (RuntimeException e) {
                LOG.debug("socket already gone: {}", e.getMessage());
            }
        }
        return closed;
    }

    @Override
    public void close() {
        if (pinger != null) {
            pinger.shutdownNow();
        }
        tracker.close();
    }
}
