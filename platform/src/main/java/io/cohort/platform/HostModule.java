package io.cohort.platform;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.cohort.platform.events.PgEvents;
import io.cohort.api.experiment.Experiments;
import io.cohort.platform.data.DataBrowser;
import io.cohort.platform.data.Exports;
import io.cohort.platform.data.ParticipantTable;
import io.cohort.platform.db.Database;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.room.RoomEntrance;
import io.cohort.platform.room.RoomFeed;
import io.cohort.platform.room.RoomSeats;
import io.cohort.platform.room.RoomSockets;
import io.cohort.platform.room.RoomStore;
import io.cohort.platform.room.RoomsAdmin;
import io.cohort.platform.session.ConditionAssignment;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.LiveFeed;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.RegisteredServices;
import io.cohort.platform.session.SessionStore;
import io.cohort.platform.session.Transactions;
import io.cohort.platform.osgi.Plugins;
import io.cohort.platform.participant.ParticipantPages;
import io.cohort.platform.participant.ParticipantSockets;
import io.cohort.platform.participant.ParticipantWeb;
import io.cohort.platform.participant.WaitTimeouts;
import io.cohort.platform.payment.ApproveAllTask;
import io.cohort.platform.payment.BatchActions;
import io.cohort.platform.schedule.TaskScheduler;
import io.cohort.platform.schedule.TasksTab;
import io.cohort.platform.payment.CrowdProviders;
import io.cohort.platform.payment.PaymentLedger;
import io.cohort.platform.payment.PaymentRunner;
import io.cohort.platform.payment.PaymentsTab;
import io.cohort.platform.web.PublicRoutes;
import io.cohort.platform.web.ActionsTab;
import io.cohort.platform.web.AdminAccounts;
import io.cohort.platform.web.AdminSessions;
import io.cohort.platform.web.AdminWeb;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ClientAddress;
import io.cohort.platform.osgi.ConfigForms;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.session.Dashboard;
import io.cohort.platform.dump.DumpPage;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.LoginThrottle;
import io.cohort.platform.osgi.PluginsPage;
import io.cohort.platform.web.PublicUrl;
import io.cohort.platform.web.Security;
import io.cohort.platform.session.SessionPage;
import io.cohort.platform.session.SessionsTab;
import io.cohort.platform.web.Sockets;
import io.cohort.platform.status.StatusPage;
import io.cohort.platform.web.Templates;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;

/** How the host's own parts fit together. Plugins never see this: they get OSGi services. */
final class HostModule extends AbstractModule {

    private final Config config;
    private final BundleContext context;
    private final Database database;
    private final AtomicBoolean ready;
    private final PgEvents events;

    HostModule(Config config, BundleContext context, Database database, PgEvents events, AtomicBoolean ready) {
        this.events = events;
        this.config = config;
        this.context = context;
        this.database = database;
        this.ready = ready;
    }

    @Override
    protected void configure() {
        bind(Config.class).toInstance(config);
        bind(BundleContext.class).toInstance(context);
        bind(Database.class).toInstance(database);
        bind(DataSource.class).toInstance(database.dataSource());
        bind(Experiments.class).to(ExperimentCatalog.class);
    }

    @Provides @Singleton
    ExperimentCatalog experiments() {
        return new ExperimentCatalog(config.home(), context);
    }

    @Provides @Singleton
    Transactions transactions(DataSource db) {
        return new Transactions(db);
    }

    @Provides @Singleton
    RegisteredServices registered() {
        return new RegisteredServices(context);
    }

    @Provides @Singleton
    LiveFeed liveFeed(Transactions tx) {
        return LiveFeed.over(events, tx);
    }

    @Provides @Singleton
    FieldStore fieldStore(Transactions tx, LiveFeed live) {
        return new FieldStore(tx, live);
    }

    @Provides @Singleton
    ParticipantStore participantStore(Transactions tx, RegisteredServices services, ExperimentCatalog catalog,
                                      FieldStore data, LiveFeed live) {
        return new ParticipantStore(tx, services, catalog::hooks, data, live);
    }

    @Provides @Singleton
    SessionStore sessionStore(Transactions tx, RegisteredServices services, ExperimentCatalog catalog,
                              ParticipantStore participants, FieldStore data,
                              LiveFeed live) {
        return new SessionStore(tx, services, catalog::hooks, participants, data, live);
    }

    @Provides @Singleton
    ParticipantMoves participantMoves(Transactions tx, RegisteredServices services, ExperimentCatalog catalog,
                                      SessionStore sessions, FieldStore data,
                                      LiveFeed live) {
        return new ParticipantMoves(tx, services, catalog::hooks, sessions, data, live,
                new ConditionAssignment(services::policy));
    }

    @Provides @Singleton
    RoomFeed roomFeed(Transactions tx) {
        return new RoomFeed(events::publish, tx);
    }

    @Provides @Singleton
    RoomStore roomStore(Transactions tx, RegisteredServices services, SessionStore sessions, RoomFeed feed) {
        return new RoomStore(tx, services, sessions, feed);
    }

    @Provides @Singleton
    RoomSeats roomSeats(Transactions tx, RoomFeed feed) {
        return new RoomSeats(tx, feed);
    }

    @Provides @Singleton
    RoomSockets roomSockets(RoomSeats seats, RoomStore rooms) {
        return new RoomSockets(seats, rooms);
    }

    @Provides @Singleton
    Templates templates() {
        Templates templates = new Templates();
        context.addBundleListener(templates);
        return templates;
    }

    @Provides @Singleton
    ContributedPages contributedPages() {
        return new ContributedPages(context);
    }

    @Provides @Singleton
    Plugins plugins() {
        return new Plugins(context, config.deployDir());
    }

    @Provides @Singleton
    ConfigForms configForms() {
        return new ConfigForms(context);
    }

    @Provides @Singleton
    AuditLog auditLog(DataSource db) {
        return new AuditLog(db, config.node());
    }

    @Provides @Singleton
    AdminSessions adminSessions(DataSource db) {
        return new AdminSessions(db, config.integer("login.lifetime.hours", 1, 24 * 365));
    }

    @Provides @Singleton
    Layout layout(Templates templates, ContributedPages pages, CrowdProviders crowd) {
        return new Layout(templates, pages, crowd::modes);
    }

    @Provides @Singleton
    PublicRoutes publicRoutes(Templates templates, Layout layout) {
        return new PublicRoutes(context, templates, layout);
    }

    @Provides @Singleton
    CrowdProviders crowdProviders() {
        return new CrowdProviders(context);
    }

    @Provides @Singleton
    PaymentRunner paymentRunner(DataSource db, Transactions tx, CrowdProviders crowd, ParticipantStore participants) {
        return new PaymentRunner(db, tx, crowd, participants, events::publish, 8);
    }

    @Provides @Singleton
    PaymentLedger paymentLedger(Transactions tx, CrowdProviders crowd, ParticipantStore participants, AuditLog audit,
                                PaymentRunner runner) {
        return new PaymentLedger(tx, crowd, participants, audit, runner);
    }

    @Provides @Singleton
    TaskScheduler taskScheduler(DataSource db, AuditLog audit) {
        return new TaskScheduler(db, config.node(), Boolean.parseBoolean(config.get("scheduler.enabled")), context, audit);
    }

    @Provides @Singleton
    BatchActions batchActions(CrowdProviders crowd, ParticipantStore participants, PaymentLedger ledger, AuditLog audit) {
        return new BatchActions(crowd, participants, ledger, audit);
    }

    @Provides @Singleton
    ApproveAllTask approveAllTask(CrowdProviders crowd, BatchActions actions, PaymentLedger ledger) {
        return new ApproveAllTask(crowd, actions, ledger);
    }

    @Provides @Singleton
    PaymentsTab paymentsTab(PaymentLedger ledger, BatchActions actions, CrowdProviders crowd, ParticipantStore participants,
                            Layout layout, AuditLog audit) {
        return new PaymentsTab(ledger, actions, crowd, participants, layout, audit);
    }

    @Provides @Singleton
    ClientAddress clientAddress() {
        return new ClientAddress(config.get("http.trustedProxies"));
    }

    @Provides @Singleton
    Security security(AdminSessions sessions, AuditLog audit, Layout layout, ClientAddress clients) {
        return new Security(new AdminAccounts(config.adminAccounts()), sessions, new LoginThrottle(Clock.systemUTC()),
                audit, layout, config.get("api.token"), clients, new PublicUrl(config.get("http.public.url")));
    }

    @Provides @Singleton
    Sockets sockets(AdminSessions sessions, ParticipantStore participants, ParticipantSockets pages) {
        return new Sockets(context, sessions, participants, pages, new PublicUrl(config.get("http.public.url")));
    }

    @Provides @Singleton
    ParticipantSockets participantSockets(ParticipantMoves moves) {
        return new ParticipantSockets(moves);
    }

    @Provides @Singleton
    WaitTimeouts waitTimeouts(ParticipantMoves moves) {
        return new WaitTimeouts(moves);
    }

    @Provides @Singleton
    ParticipantPages participantPages(ExperimentCatalog catalog, FieldStore data, ParticipantStore participants) {
        return new ParticipantPages(catalog, data, participants, context);
    }

    @Provides @Singleton
    ParticipantWeb participantWeb(ParticipantStore participants, SessionStore sessions, ParticipantMoves moves,
                                  FieldStore data, ExperimentCatalog catalog, ParticipantPages pages) {
        return new ParticipantWeb(participants, sessions, moves, data, catalog, pages);
    }

    @Provides @Singleton
    ActionsTab actions(AuditLog audit) {
        return new ActionsTab(context, audit);
    }

    @Provides @Singleton
    AdminWeb adminWeb(Security security, Layout layout, ContributedPages pages, Plugins plugins, ConfigForms forms,
                      AdminSessions sessions, AuditLog audit, DataSource db, Sockets sockets, ActionsTab actions,
                      ParticipantWeb participantWeb, Dashboard dashboard, SessionsTab sessionsTab, SessionPage sessionPage,
                      RoomStore rooms, RoomSeats seats, RegisteredServices services, ParticipantStore participants,
                      Templates templates, PaymentsTab payments, TaskScheduler scheduler, PublicRoutes publicRoutes) {
        return new AdminWeb(security, layout, pages, publicRoutes, sockets, audit, ready::get, List.of(actions, participantWeb, dashboard,
                sessionsTab, sessionPage,
                new PluginsPage(plugins, forms, context, layout, audit),
                new StatusPage(db, plugins, sessions, layout, audit),
                new DumpPage(db, layout, audit),
                new DataBrowser(db, layout), new Exports(db, layout, audit), new ParticipantTable(db, layout),
                new RoomsAdmin(rooms, services, participants, layout, audit), new RoomEntrance(seats, templates,
                        config.integer("room.joins.per.minute", 1, 1_000_000), clientAddress()), payments,
                new TasksTab(scheduler, layout)));
    }
}
