package io.cohort.platform;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.cohort.platform.data.DataBrowser;
import io.cohort.platform.data.Exports;
import io.cohort.platform.data.ParticipantTable;
import io.cohort.platform.db.Database;
import io.cohort.platform.osgi.Plugins;
import io.cohort.platform.web.ActionsTab;
import io.cohort.platform.web.AdminAccounts;
import io.cohort.platform.web.AdminSessions;
import io.cohort.platform.web.AdminWeb;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ConfigForms;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.DumpPage;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.LoginThrottle;
import io.cohort.platform.web.PluginsPage;
import io.cohort.platform.web.Security;
import io.cohort.platform.web.Sockets;
import io.cohort.platform.web.StatusPage;
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

    HostModule(Config config, BundleContext context, Database database, AtomicBoolean ready) {
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
        return new AdminSessions(db);
    }

    @Provides @Singleton
    Layout layout(Templates templates, ContributedPages pages) {
        return new Layout(templates, pages);
    }

    @Provides @Singleton
    Security security(AdminSessions sessions, AuditLog audit, Layout layout) {
        return new Security(new AdminAccounts(config.adminAccounts()), sessions, new LoginThrottle(Clock.systemUTC()),
                audit, layout, config.get("api.token"));
    }

    @Provides @Singleton
    Sockets sockets(AdminSessions sessions) {
        return new Sockets(context, sessions);
    }

    @Provides @Singleton
    ActionsTab actions(AuditLog audit) {
        return new ActionsTab(context, audit);
    }

    @Provides @Singleton
    AdminWeb adminWeb(Security security, Layout layout, ContributedPages pages, Plugins plugins, ConfigForms forms,
                      AdminSessions sessions, AuditLog audit, DataSource db, Sockets sockets, ActionsTab actions) {
        return new AdminWeb(security, layout, pages, sockets, ready::get, List.of(actions,
                new PluginsPage(plugins, forms, context, layout, audit),
                new StatusPage(db, plugins, sessions, layout, audit),
                new DumpPage(db, layout, audit),
                new DataBrowser(db, layout), new Exports(db, layout, audit), new ParticipantTable(db, layout)));
    }
}
