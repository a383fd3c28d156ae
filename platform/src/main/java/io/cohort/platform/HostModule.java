package io.cohort.platform;

import com.google.inject.AbstractModule;
import com.google.inject.matcher.Matchers;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.spi.ProvisionListener;
import io.cohort.platform.data.DataBrowser;
import io.cohort.platform.data.Exports;
import io.cohort.platform.data.ParticipantTable;
import io.cohort.platform.db.Database;
import io.cohort.platform.dump.DumpPage;
import io.cohort.platform.events.PgEvents;
import io.cohort.platform.osgi.PluginsPage;
import io.cohort.platform.participant.ParticipantWeb;
import io.cohort.platform.payment.PaymentsTab;
import io.cohort.platform.psiturk.PsiturkWeb;
import io.cohort.platform.room.RoomEntrance;
import io.cohort.platform.room.RoomsAdmin;
import io.cohort.platform.schedule.TasksTab;
import io.cohort.platform.session.Dashboard;
import io.cohort.platform.session.SessionPage;
import io.cohort.platform.session.SessionTabs;
import io.cohort.platform.session.SessionsTab;
import io.cohort.platform.status.StatusPage;
import io.cohort.platform.web.ActionsTab;
import io.cohort.platform.web.ApiDescription;
import io.cohort.platform.web.Tab;
import java.time.Clock;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;

/**
 * How the host's own parts fit together. Every part takes its collaborators in an {@code @Inject} constructor; this
 * module binds only what the host is given (the configuration, the framework, the database and its events) and the
 * list of parts that mount web routes. Plugins never see it: they get OSGi services.
 */
final class HostModule extends AbstractModule {

    private final Config config;
    private final BundleContext context;
    private final Database database;
    private final PgEvents events;
    private final Lifecycle lifecycle;

    HostModule(Config config, BundleContext context, Database database, PgEvents events, Lifecycle lifecycle) {
        this.config = config;
        this.context = context;
        this.database = database;
        this.events = events;
        this.lifecycle = lifecycle;
    }

    @Override
    protected void configure() {
        bind(Config.class).toInstance(config);
        bind(BundleContext.class).toInstance(context);
        bind(Database.class).toInstance(database);
        bind(DataSource.class).toInstance(database.dataSource());
        bind(PgEvents.class).toInstance(events);
        bind(Clock.class).toInstance(Clock.systemUTC());
        // Every part that holds threads, trackers or listeners is closed when the host stops, last made first closed.
        bindListener(Matchers.any(), new ProvisionListener() {
            @Override
            public <T> void onProvision(ProvisionInvocation<T> provision) {
                if (provision.provision() instanceof AutoCloseable part) {
                    lifecycle.started(part);
                }
            }
        });
        // The parts that mount routes, in the order Pippo tries them.
        Multibinder<Tab> tabs = Multibinder.newSetBinder(binder(), Tab.class);
        for (Class<? extends Tab> tab : java.util.List.of(
                ActionsTab.class,
                ParticipantWeb.class,
                Dashboard.class,
                SessionsTab.class,
                SessionPage.class,
                SessionTabs.class,
                PluginsPage.class,
                StatusPage.class,
                DumpPage.class,
                DataBrowser.class,
                Exports.class,
                ParticipantTable.class,
                RoomsAdmin.class,
                RoomEntrance.class,
                PaymentsTab.class,
                TasksTab.class,
                ApiDescription.class,
                // Last: psiTurk's root routes answer only paths no other part took.
                PsiturkWeb.class)) {
            tabs.addBinding().to(tab);
        }
    }
}
