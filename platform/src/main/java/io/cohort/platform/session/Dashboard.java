package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Room;
import io.cohort.api.session.Rooms;
import io.cohort.api.session.Session;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.payment.CrowdProviders;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * {@code /admin/}: active sessions with their progress, the rooms (when a {@link Rooms} service is registered),
 * and the plugins' pages; {@code monitor.js} keeps the figures live. {@code /api/dashboard} is its JSON twin.
 */
@Singleton
public final class Dashboard implements CoreTab, AutoCloseable {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/", "Dashboard", 0);
    }

    private final SessionTable sessions;
    private final ContributedPages pages;
    private final Layout layout;
    private final Whiteboard<Rooms> rooms;

    private final CrowdProviders crowd;
    private final java.util.function.Function<String, String> sessionNames;

    @Inject
    public Dashboard(
            SessionTable sessions,
            ContributedPages pages,
            Layout layout,
            BundleContext context,
            CrowdProviders crowd,
            SessionStore store) {
        this.crowd = crowd;
        this.sessionNames = id -> store.find(id).map(Session::name).orElse(null);
        this.sessions = sessions;
        this.pages = pages;
        this.layout = layout;
        this.rooms = new Whiteboard<>(context, Rooms.class);
    }

    /** A room with how many wait in it, and the name of its session (null when it has none). */
    public record RoomRow(Room room, int waiting, int online, String sessionName) {}

    /** Empty while no {@link Rooms} service is registered. */
    public List<RoomRow> rooms() {
        Rooms service = rooms.first().orElse(null);
        if (service == null) {
            return List.of();
        }
        return service.list().stream()
                .map(r -> {
                    List<Rooms.Waiting> waiting = service.waiting(r.name());
                    return new RoomRow(
                            r,
                            waiting.size(),
                            (int) waiting.stream().filter(Rooms.Waiting::online).count(),
                            r.sessionId() == null ? null : sessionNames.apply(r.sessionId()));
                })
                .toList();
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/", Tab.handler(this::show));
        app.GET(
                "/api/dashboard",
                Tab.handler(ctx -> Layout.json(
                        ctx,
                        200,
                        Map.of("sessions", sessions.active(), "rooms", rooms(), "roomsAvailable", rooms.size() > 0))));
    }

    private void show(RouteContext ctx) {
        Map<String, Object> model = new HashMap<>();
        // One read of the sessions for both lists.
        List<SessionTable.Row> all = sessions.all();
        model.put("sessions", SessionTable.active(all));
        model.put("idle", SessionTable.idle(all).size());
        model.put("rooms", rooms());
        model.put("roomsAvailable", rooms.size() > 0);
        model.put("pages", pages.pluginMenu());
        model.put("crowd", crowd.accounts());
        layout.html(ctx, "dashboard.peb", model);
    }

    @Override
    public void close() {
        rooms.close();
    }
}
