package io.cohort.platform;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.event.EventListener;
import io.cohort.api.event.Events;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.payment.Payments;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Rooms;
import io.cohort.api.session.Sessions;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.db.Database;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.events.PgEvents;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.osgi.EmbeddedFelix;
import io.cohort.platform.participant.LiveContributions;
import io.cohort.platform.participant.ParticipantSockets;
import io.cohort.platform.participant.WaitTimeouts;
import io.cohort.platform.payment.ApproveAllTask;
import io.cohort.platform.payment.PaymentLedger;
import io.cohort.platform.payment.PaymentMapper;
import io.cohort.platform.payment.PaymentProgress;
import io.cohort.platform.payment.PaymentRunner;
import io.cohort.platform.psiturk.PsiturkMapper;
import io.cohort.platform.room.RoomSockets;
import io.cohort.platform.room.RoomStore;
import io.cohort.platform.schedule.TaskMapper;
import io.cohort.platform.schedule.TaskScheduler;
import io.cohort.platform.session.FieldMapper;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.LiveFeed;
import io.cohort.platform.session.Monitor;
import io.cohort.platform.session.MonitorMapper;
import io.cohort.platform.session.NodePresence;
import io.cohort.platform.session.ParticipantMapper;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.SessionMapper;
import io.cohort.platform.session.SessionStore;
import io.cohort.platform.storage.PluginDatabases;
import io.cohort.platform.web.AdminSessionMapper;
import io.cohort.platform.web.AdminWeb;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.PublicUrl;
import io.cohort.platform.web.Readiness;
import io.cohort.platform.web.Security;
import io.cohort.platform.web.Sockets;
import io.cohort.platform.web.Tab;
import io.cohort.platform.web.WebServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cohort host inside an OSGi framework: the database, the core services in the registry, the web server.
 * {@link Main} runs it in its own Felix; tests run it in the framework Pax Exam starts.
 */
public final class Host implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Host.class);

    private final Config config;
    private final Database database;
    private final Injector injector;
    private final Lifecycle lifecycle;
    private final int port;

    private Host(Config config, Database database, Injector injector, Lifecycle lifecycle, int port) {
        this.config = config;
        this.database = database;
        this.injector = injector;
        this.lifecycle = lifecycle;
        this.port = port;
    }

    /**
     * Starts the host on {@code systemContext} (the system bundle's context). Refuses to start with no admin
     * account on an address other than loopback.
     */
    public static Host start(BundleContext systemContext, Config config) {
        refuseOpenWithoutAccounts(config);
        Database database = Database.open(config);
        try {
            database.migrate();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return start(systemContext, config, database);
    }

    /** The admin interface must not be open to other machines with no password (an auto-login link would be). */
    static void refuseOpenWithoutAccounts(Config config) {
        if (config.adminEnabled() && config.adminAccounts().isEmpty() && !isLoopback(config.host())) {
            throw new ConfigException("http.host: " + config.host() + " is reachable from other machines and no admin"
                    + " account is configured: set COHORT_ADMIN_PASSWORD or admin.<name> in " + Config.FILE);
        }
    }

    /** Starts the host on a database that is open and migrated; the host owns it from here on. */
    public static Host start(BundleContext systemContext, Config config, Database database) {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.started(database);
        try {
            lifecycle.register(systemContext, PluginDatabase.class, new PluginDatabases(database.dataSource()), null);
            PgEvents events = new PgEvents(database.dataSource(), database.listenUrl(), config.node(), systemContext);
            events.start();
            lifecycle.started(events);
            lifecycle.register(systemContext, Events.class, events, null);
            Injector injector =
                    Guice.createInjector(new HostModule(config, systemContext, database, events, lifecycle));
            injector.getInstance(Transactions.class)
                    .parse(List.of(
                            AdminSessionMapper.class,
                            FieldMapper.class,
                            MonitorMapper.class,
                            ParticipantMapper.class,
                            PaymentMapper.class,
                            PsiturkMapper.class,
                            SessionMapper.class,
                            TaskMapper.class));
            Services services = new Services(injector, systemContext, lifecycle);
            services.register(Experiments.class, ExperimentCatalog.class);
            services.register(Sessions.class, SessionStore.class);
            services.register(Participants.class, ParticipantStore.class);
            services.register(ParticipantData.class, FieldStore.class);
            services.register(Rooms.class, RoomStore.class);
            RoomSockets rooms = injector.getInstance(RoomSockets.class);
            for (ServiceRegistration<?> r : rooms.register(systemContext)) {
                lifecycle.started(() -> unregister(r));
            }
            services.register(
                    EventListener.class,
                    ParticipantSockets.class,
                    new Hashtable<>(Map.of(EventListener.TOPIC, LiveFeed.COMMAND)));
            injector.getInstance(LiveContributions.class);
            injector.getInstance(WaitTimeouts.class);
            injector.getInstance(NodePresence.class);
            lifecycle.register(
                    systemContext,
                    new String[] {SocketEndpoint.class.getName(), EventListener.class.getName()},
                    injector.getInstance(Monitor.class),
                    Monitor.properties());
            lifecycle.register(
                    systemContext,
                    new String[] {SocketEndpoint.class.getName(), EventListener.class.getName()},
                    new PaymentProgress(),
                    PaymentProgress.properties());
            services.register(Payments.class, PaymentLedger.class);
            injector.getInstance(PaymentRunner.class).start(5);
            services.register(
                    TaskHandler.class,
                    ApproveAllTask.class,
                    new Hashtable<>(Map.of(TaskHandler.TYPE, ApproveAllTask.TYPE)));
            services.register(Scheduler.class, TaskScheduler.class);
            AdminWeb web = injector.getInstance(AdminWeb.class);
            for (Tab tab : web.tabs()) {
                if (tab instanceof CoreTab core) {
                    lifecycle.register(systemContext, AdminPage.class, core, CoreTab.properties(core));
                }
            }
            // The server without Pippo's launcher, whose own shutdown hook would stop it at once on SIGTERM, beside
            // ours that drains first (shutdown.drain.seconds).
            WebServer server = new WebServer(
                    injector.getInstance(PublicUrl.class), injector.getInstance(Readiness.class), config.socketIdle());
            server.init(web);
            server.getSettings().host(config.host()).port(config.port());
            server.start();
            lifecycle.started(server::stop);
            String own = systemContext.getProperty(EmbeddedFelix.OWN_URL);
            if (own == null || own.equals(System.getProperty(EmbeddedFelix.OWN_URL))) {
                // A framework made by someone else (Pax Exam) or before the port was chosen: its properties are fixed,
                // and getProperty falls back to the system's (which an earlier host in this JVM may have set).
                System.setProperty(EmbeddedFelix.OWN_URL, config.ownUrl(server.getPort()));
            }
            injector.getInstance(Readiness.class).ready();
            return new Host(config, database, injector, lifecycle, server.getPort());
        } catch (RuntimeException e) {
            lifecycle.close();
            throw e;
        }
    }

    /** The host's services, each made by the injector and registered in the system bundle's context. */
    private record Services(Injector injector, BundleContext context, Lifecycle lifecycle) {
        <S> void register(Class<S> type, Class<? extends S> implementation) {
            register(type, implementation, null);
        }

        <S> void register(Class<S> type, Class<? extends S> implementation, Hashtable<String, Object> properties) {
            lifecycle.register(context, type, injector.getInstance(implementation), properties);
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework stopped first
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + config.host() + ":" + port + "/";
    }

    public Database database() {
        return database;
    }

    /** A one-time auto-login link, when no admin account is configured; null otherwise. */
    public String autoLoginUrl() {
        Security security = injector.getInstance(Security.class);
        if (!security.adminEnabled() || !security.noAccounts()) {
            return null;
        }
        return url() + "login/auto?token=" + security.newAutoLoginToken();
    }

    /**
     * Before a stop (SIGTERM): answers /healthz with 503 for {@code period}, still serving, so a load balancer's
     * checks take this node out; then lets the requests in flight finish (at most {@value #IN_FLIGHT_SECONDS} s) and
     * closes the participants' sockets with 1012 ("service restart"), on which their pages reconnect at once, through
     * the balancer, to another node. Tasks and payment batches are left by {@link #close()}: the scheduler lets its
     * runs finish, and a batch's lock goes with this node's connection, so another node resumes it.
     */
    public void drain(Duration period) {
        Readiness readiness = injector.getInstance(Readiness.class);
        readiness.draining();
        if (!period.isZero()) {
            LOG.info("draining for {} s before stopping", period.toSeconds());
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int left = readiness.awaitIdle(Duration.ofSeconds(IN_FLIGHT_SECONDS));
        if (left > 0) {
            LOG.warn("stopping with {} requests still in flight", left);
        }
        int closed = injector.getInstance(Sockets.class).closeForRestart();
        LOG.info("stopping: {} sockets told to reconnect elsewhere", closed);
    }

    static final int IN_FLIGHT_SECONDS = 10;

    /** Stops the web server first, then every part in the reverse order of its start, the database last. */
    @Override
    public void close() {
        lifecycle.close();
    }
}
