package io.cohort.platform.web;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import javax.servlet.DispatcherType;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.FilterMapping;
import org.eclipse.jetty.servlet.ServletContextHandler;
import ro.pippo.jetty.JettyServer;
import ro.pippo.jetty.websocket.JettyWebSocketFilter;

/**
 * Pippo's Jetty, told to show Cohort's error pages, no version banner, the form limits Cohort needs, and how long a
 * quiet WebSocket is kept.
 */
public final class WebServer extends JettyServer {

    private final PublicUrl publicUrl;
    private final Readiness readiness;
    private final Duration socketIdle;

    /** @param socketIdle how long Jetty keeps a WebSocket on which nothing moved (its default is 5 minutes) */
    public WebServer(PublicUrl publicUrl, Readiness readiness, Duration socketIdle) {
        this.publicUrl = publicUrl;
        this.readiness = readiness;
        this.socketIdle = socketIdle;
    }

    /**
     * Jetty's defaults (200 KB, 1,000 fields) refuse a pasted payment file of a few thousand rows and a session
     * page's form with every participant ticked.
     */
    static final int MAX_FORM_BYTES = 16_000_000;

    static final int MAX_FORM_KEYS = 100_000;

    @Override
    protected Server createServer() {
        Server server = super.createServer();
        server.setErrorHandler(new ErrorPages.Jetty());
        // Cohort's own shutdown hook stops the server, after draining (shutdown.drain.seconds): a hook of Jetty's
        // would stop it at once, beside ours, and a load balancer would see refused connections instead of 503.
        server.setStopAtShutdown(false);
        return server;
    }

    @Override
    protected ServerConnector createServerConnector(Server server) {
        ServerConnector connector = super.createServerConnector(server);
        HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
        if (http != null) {
            HttpConfiguration config = http.getHttpConfiguration();
            config.setSendServerVersion(false);
            // Location stays a path: built from the request's Host it could name any site the request claimed.
            config.setRelativeRedirectAllowed(true);
            config.setSendXPoweredBy(false);
        }
        return connector;
    }

    @Override
    protected ServletContextHandler createPippoHandler() {
        ServletContextHandler handler = super.createPippoHandler();
        handler.setErrorHandler(new ErrorPages.Jetty());
        handler.setMaxFormContentSize(MAX_FORM_BYTES);
        handler.setMaxFormKeys(MAX_FORM_KEYS);
        // Pippo's WebSocket filter builds its Jetty WebSocketPolicy from its init parameters when it starts.
        FilterHolder sockets = Arrays.stream(handler.getServletHandler().getFilters())
                .filter(h -> h.getHeldClass() == JettyWebSocketFilter.class)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Pippo's WebSocket filter is not where it was"));
        sockets.setInitParameter("idleTimeout", String.valueOf(socketIdle.toMillis()));
        // First of all filters, so that a form Jetty cannot read is answered before Pippo reads it.
        // Prepended in reverse: the count of requests in flight first, the headers, the error guard, then Pippo.
        prepend(handler, "cohort-errors", new ErrorPages.Guard());
        prepend(handler, "cohort-headers", new SecurityHeaders(publicUrl));
        prepend(handler, "cohort-in-flight", readiness.counter());
        return handler;
    }

    private static void prepend(ServletContextHandler handler, String name, javax.servlet.Filter filter) {
        FilterHolder holder = new FilterHolder(filter);
        holder.setName(name);
        FilterMapping mapping = new FilterMapping();
        mapping.setFilterName(name);
        mapping.setPathSpec("/*");
        mapping.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
        handler.getServletHandler().addFilter(holder);
        handler.getServletHandler().prependFilterMapping(mapping);
    }
}
