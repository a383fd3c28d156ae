package io.cohort.platform;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.event.EventListener;
import io.cohort.api.event.Events;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Rooms;
import io.cohort.api.session.Sessions;
import io.cohort.platform.room.RoomSockets;
import io.cohort.platform.room.RoomStore;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.RegisteredServices;
import io.cohort.platform.session.SessionStore;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.db.Database;
import io.cohort.platform.events.PgEvents;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.participant.ParticipantPages;
import io.cohort.platform.participant.ParticipantSockets;
import io.cohort.platform.participant.WaitTimeouts;
import io.cohort.platform.session.LiveFeed;
import io.cohort.platform.storage.PluginDatabases;
import io.cohort.platform.osgi.Plugins;
import io.cohort.platform.web.ActionsTab;
import io.cohort.platform.web.AdminWeb;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Tab;
import io.cohort.api.web.AdminPage;
import io.cohort.platform.session.Dashboard;
import io.cohort.platform.session.Monitor;
import io.cohort.platform.web.PublicRoutes;
import io.cohort.api.payment.Payments;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.platform.payment.ApproveAllTask;
import io.cohort.platform.schedule.TaskScheduler;
import io.cohort.platform.payment.CrowdProviders;
import io.cohort.platform.payment.PaymentLedger;
import io.cohort.platform.payment.PaymentProgress;
import io.cohort.platform.payment.PaymentRunner;
import io.cohort.platform.web.Sockets;
import io.cohort.platform.osgi.ConfigForms;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.Security;
import io.cohort.platform.web.PublicUrl;
import io.cohort.platform.web.WebServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import ro.pippo.core.Pippo;

/**
 * The Cohort host inside an OSGi framework: the database, the core services in the registry, the web server.
 * {@link Main} runs it in its own Felix; tests run it in the framework Pax Exam starts.
 */
public final class Host implements AutoCloseable {

    private final Config config;
    private final Database database;
    private final Injector injector;
    private final Pippo pippo;
    private final List<ServiceRegistration<?>> registrations;
    private final PgEvents events;
    private final int port;

    private Host(Config config, Database database, Injector injector, Pippo pippo,
                 List<ServiceRegistration<?>> registrations, PgEvents events, int port) {
        this.events = events;
        this.config = config;
        this.database = database;
        this.injector = injector;
        this.pippo = pippo;
        this.registrations = registrations;
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
        if (config.adminAccounts().isEmpty() && !isLoopback(config.host())) {
            throw new ConfigException("http.host: " + config.host() + " is reachable from other machines and no admin"
                    + " account is configured: set COHORT_ADMIN_PASSWORD or admin.<name> in " + Config.FILE);
        }
    }

    /** Starts the host on a database that is open and migrated; the host owns it from here on. */
    public static Host start(BundleContext systemContext, Config config, Database database) {
        List<ServiceRegistration<?>> registrations = new ArrayList<>();
        try {
            registrations.add(systemContext.registerService(PluginDatabase.class, new PluginDatabases(database.dataSource()), null));
            PgEvents events = new PgEvents(database.dataSource(), database.listenUrl(), config.node(), systemContext);
            events.start();
            registrations.add(systemContext.registerService(Events.class, events, null));
            AtomicBoolean ready = new AtomicBoolean();
            Injector injector = Guice.createInjector(new HostModule(config, systemContext, database, events, ready));
            registrations.add(systemContext.registerService(Experiments.class, injector.getInstance(ExperimentCatalog.class), null));
            registrations.add(systemContext.registerService(Sessions.class, injector.getInstance(SessionStore.class), null));
            registrations.add(systemContext.registerService(Participants.class, injector.getInstance(ParticipantStore.class), null));
            registrations.add(systemContext.registerService(ParticipantData.class, injector.getInstance(FieldStore.class), null));
            registrations.add(systemContext.registerService(Rooms.class, injector.getInstance(RoomStore.class), null));
            registrations.addAll(injector.getInstance(RoomSockets.class).register(systemContext));
            registrations.add(systemContext.registerService(EventListener.class, injector.getInstance(ParticipantSockets.class),
                    new Hashtable<>(Map.of(EventListener.TOPIC, LiveFeed.COMMAND))));
            injector.getInstance(WaitTimeouts.class);
            AdminWeb web = injector.getInstance(AdminWeb.class);
            for (Tab tab : web.tabs()) {
                if (tab instanceof CoreTab core) {
                    registrations.add(systemContext.registerService(AdminPage.class, core, CoreTab.properties(core)));
                }
            }
            Pippo pippo = new Pippo(web);
            WebServer server = new WebServer(new PublicUrl(config.get("http.public.url")));
            pippo.setServer(server);
            server.getSettings().host(config.host()).port(config.port());
            registrations.add(systemContext.registerService(new String[] {SocketEndpoint.class.getName(),
                    EventListener.class.getName()}, injector.getInstance(Monitor.class), Monitor.properties()));
            registrations.add(systemContext.registerService(new String[] {SocketEndpoint.class.getName(),
                    EventListener.class.getName()}, new PaymentProgress(), PaymentProgress.properties()));
            registrations.add(systemContext.registerService(Payments.class, injector.getInstance(PaymentLedger.class), null));
            injector.getInstance(PaymentRunner.class).start(5);
            registrations.add(systemContext.registerService(TaskHandler.class, injector.getInstance(ApproveAllTask.class),
                    new Hashtable<>(Map.of(TaskHandler.TYPE, ApproveAllTask.TYPE))));
            registrations.add(systemContext.registerService(Scheduler.class, injector.getInstance(TaskScheduler.class), null));
            pippo.start();
            ready.set(true);
            return new Host(config, database, injector, pippo, registrations, events, server.getPort());
        } catch (RuntimeException e) {
            registrations.forEach(ServiceRegistration::unregister);
            database.close();
            throw e;
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
        if (!config.adminAccounts().isEmpty()) {
            return null;
        }
        return url() + "login/auto?token=" + injector.getInstance(Security.class).newAutoLoginToken();
    }

    @Override
    public void close() {
        pippo.stop();
        injector.getInstance(WaitTimeouts.class).close();
        injector.getInstance(TaskScheduler.class).close();
        injector.getInstance(PaymentRunner.class).close();
        injector.getInstance(ParticipantMoves.class).close();
        registrations.forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework stopped first
            }
        });
        events.close();
        injector.getInstance(ContributedPages.class).close();
        injector.getInstance(ActionsTab.class).close();
        injector.getInstance(Sockets.class).close();
        injector.getInstance(Monitor.class).close();
        injector.getInstance(Dashboard.class).close();
        injector.getInstance(CrowdProviders.class).close();
        injector.getInstance(PublicRoutes.class).close();
        injector.getInstance(ConfigForms.class).close();
        injector.getInstance(Plugins.class).close();
        injector.getInstance(RegisteredServices.class).close();
        injector.getInstance(LiveFeed.class).close();
        injector.getInstance(ExperimentCatalog.class).close();
        injector.getInstance(ParticipantPages.class).close();
        database.close();
    }
}
