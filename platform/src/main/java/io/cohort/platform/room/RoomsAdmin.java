package io.cohort.platform.room;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Room;
import io.cohort.api.session.Rooms;
import io.cohort.api.session.Session;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.RegisteredServices;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * The Rooms tab ({@code /admin/rooms}) and its JSON twin ({@code /api/rooms}): list, create, edit, the live
 * waiting list, a session from the waiting list, close/reopen, disassociate. Every change leaves an audit row.
 */
@Singleton
public final class RoomsAdmin implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/rooms", "Rooms", 300);
    }

    static final String NAME = "{name: [A-Za-z0-9][A-Za-z0-9_-]*}";

    private final Rooms rooms;
    private final Experiments experiments;
    private final Participants participants;
    private final Layout layout;
    private final AuditLog audit;

    @Inject
    public RoomsAdmin(
            RoomStore rooms,
            RegisteredServices experiments,
            ParticipantStore participants,
            Layout layout,
            AuditLog audit) {
        this((Rooms) rooms, (Experiments) experiments, (Participants) participants, layout, audit);
    }

    public RoomsAdmin(Rooms rooms, Experiments experiments, Participants participants, Layout layout, AuditLog audit) {
        this.rooms = rooms;
        this.experiments = experiments;
        this.participants = participants;
        this.layout = layout;
        this.audit = audit;
    }

    /** A change an admin makes to one room; returns what the API answers. */
    @FunctionalInterface
    private interface Change {
        Object apply(String room, RouteContext ctx, String user);
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/rooms", Tab.handler(ctx -> list(ctx, 200, null)));
        app.GET("/api/rooms", Tab.handler(ctx -> Layout.json(ctx, 200, summaries())));
        app.POST("/admin/rooms", Tab.handler(ctx -> {
            try {
                ctx.redirect("/admin/rooms/" + create(ctx).name());
            } catch (IllegalArgumentException e) {
                list(ctx, 400, e.getMessage());
            }
        }));
        app.POST("/api/rooms", Tab.handler(ctx -> {
            try {
                Layout.json(ctx, 201, create(ctx));
            } catch (IllegalArgumentException e) {
                Layout.json(ctx, 400, Map.of("error", e.getMessage()));
            }
        }));
        app.GET("/admin/rooms/" + NAME, Tab.handler(ctx -> show(ctx, name(ctx), 200, null)));
        app.GET(
                "/api/rooms/" + NAME,
                Tab.handler(ctx -> ifRoom(ctx, true, () -> Layout.json(ctx, 200, detail(rooms, name(ctx))))));
        app.GET(
                "/api/rooms/" + NAME + "/waiting",
                Tab.handler(ctx -> ifRoom(ctx, true, () -> Layout.json(ctx, 200, rooms.waiting(name(ctx))))));
        twin(app, "edit", (room, ctx, user) -> rooms.save(fromForm(ctx, room), user));
        twin(app, "session", this::createSession);
        twin(app, "close", (room, ctx, user) -> rooms.setClosed(room, true, user));
        twin(app, "reopen", (room, ctx, user) -> rooms.setClosed(room, false, user));
        twin(app, "disassociate", (room, ctx, user) -> rooms.disassociate(room, user));
    }

    private static String name(RouteContext ctx) {
        return ctx.getParameter("name").toString();
    }

    /** Each room with how many wait in it. */
    private List<Map<String, Object>> summaries() {
        return rooms.list().stream()
                .map(r -> Map.<String, Object>of(
                        "room", r, "waiting", rooms.waiting(r.name()).size()))
                .toList();
    }

    /** The room and its waiting list, as the API, the room page's socket and the room page itself show it. */
    static Map<String, Object> detail(Rooms rooms, String name) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("room", rooms.find(name).orElseThrow());
        detail.put("waiting", rooms.waiting(name));
        return detail;
    }

    private void ifRoom(RouteContext ctx, boolean api, Runnable then) {
        String name = name(ctx);
        if (rooms.find(name).isPresent()) {
            then.run();
        } else if (api) {
            Layout.json(ctx, 404, Map.of("error", "room: there is no room '" + name + "'"));
        } else {
            layout.message(ctx, 404, "Not found", "There is no room '" + name + "'.");
        }
    }

    /** The same change at {@code POST /admin/rooms/{name}/<action>} (then back to the room) and {@code /api/...}. */
    private void twin(Application app, String action, Change change) {
        for (boolean api : new boolean[] {false, true}) {
            app.POST(
                    (api ? "/api" : "/admin") + "/rooms/" + NAME + "/" + action,
                    Tab.handler(ctx -> ifRoom(ctx, api, () -> {
                        String room = name(ctx);
                        String user = AdminRequest.of(ctx).user();
                        Object result;
                        try {
                            result = change.apply(room, ctx, user);
                        } catch (IllegalArgumentException e) {
                            if (api) {
                                Layout.json(ctx, 400, Map.of("error", e.getMessage()));
                            } else {
                                show(ctx, room, 400, e.getMessage());
                            }
                            return;
                        }
                        audit.record(user, "room." + action, room, auditDetail(result));
                        if (api) {
                            Layout.json(ctx, 200, result);
                        } else {
                            ctx.redirect("/admin/rooms/" + room);
                        }
                    })));
        }
    }

    private static Map<String, Object> auditDetail(Object result) {
        Map<String, Object> detail = new HashMap<>();
        if (result instanceof Room r) {
            detail.put("experiment", r.experiment());
            detail.put("labels", r.labels());
            detail.put("capacity", r.capacity());
            detail.put("join", r.open() ? "free" : "restricted");
            detail.put("closed", r.closed());
        } else if (result instanceof Map<?, ?> m) {
            detail.put("session", ((Session) m.get("session")).id());
            detail.put("participants", ((List<?>) m.get("participants")).size());
        }
        return detail;
    }

    private Room create(RouteContext ctx) {
        String name = ctx.getParameter("name").toString("").strip();
        if (rooms.find(name).isPresent()) {
            throw new IllegalArgumentException("name: a room called '" + name + "' exists already");
        }
        String user = AdminRequest.of(ctx).user();
        Room room = rooms.save(fromForm(ctx, name), user);
        audit.record(user, "room.create", room.name(), auditDetail(room));
        return room;
    }

    /** A room as the create and edit forms (and the API) give it: experiment, labels, capacity, join. */
    private static Room fromForm(RouteContext ctx, String name) {
        String capacity = ctx.getParameter("capacity").toString("").strip();
        int cap;
        try {
            cap = Integer.parseInt(capacity);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("capacity: '" + capacity + "' is not a whole number");
        }
        String join = ctx.getParameter("join").toString("");
        if (!join.equals("free") && !join.equals("restricted")) {
            throw new IllegalArgumentException("join: '" + join + "' must be free or restricted");
        }
        return new Room(
                name,
                ctx.getParameter("experiment").toString(""),
                RoomStore.splitLabels(ctx.getParameter("labels").toString("")),
                cap,
                join.equals("free"),
                false,
                null);
    }

    private Map<String, Object> createSession(String room, RouteContext ctx, String user) {
        Session session = rooms.createSession(room, ctx.getParameter("settings").toString(null), user);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("session", session);
        result.put(
                "participants",
                participants.ofSession(session.id()).stream()
                        .map(p -> Map.of("label", p.name(), "url", RoomSeats.participantUrl(session.id(), p.token())))
                        .toList());
        return result;
    }

    private void list(RouteContext ctx, int status, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("rooms", summaries());
        page(ctx, status, "rooms.peb", model, error);
    }

    private void show(RouteContext ctx, String name, int status, String error) {
        ifRoom(ctx, false, () -> page(ctx, status, "room.peb", new HashMap<>(detail(rooms, name)), error));
    }

    /** A page with the room settings form: a refused form comes back with the error and what was typed. */
    private void page(RouteContext ctx, int status, String template, Map<String, Object> model, String error) {
        model.put(
                "experiments",
                experiments.list().stream().map(Experiment::name).sorted().toList());
        if (error != null) {
            model.put("error", error);
            model.put("form", formValues(ctx));
        }
        ctx.getResponse().status(status);
        layout.html(ctx, template, model);
    }

    /** What the admin typed, so a refused form comes back filled in. */
    private static Map<String, String> formValues(RouteContext ctx) {
        Map<String, String> form = new HashMap<>();
        for (String key : List.of("name", "experiment", "labels", "capacity", "join", "settings")) {
            form.put(key, ctx.getParameter(key).toString(""));
        }
        return form;
    }
}
