package io.cohort.platform.room;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import io.cohort.platform.participant.HostMessages;
import io.cohort.platform.web.ClientAddress;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import io.cohort.platform.web.Templates;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.http.Cookie;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * {@code /room/{name}/}, where participants come in: a label form, the waiting page (live over
 * {@code /ws/room}, or polling {@code status} every 2 s without a socket), or on to their participant URL once a
 * session has one for them. Their seat is a cookie scoped to the room's path, so a reload keeps their place.
 */
@Singleton
public final class RoomEntrance implements Tab {

    static final String SEAT_COOKIE = "cohort_seat";
    /** Long enough for a lab day; a seat the room has forgotten counts for nothing anyway. */
    private static final int SEAT_SECONDS = 24 * 3600;

    private final RoomSeats seats;
    private final Templates templates;
    private final JoinLimit joins;
    private final ClientAddress clients;

    /** @param joinsPerMinute arrivals without a seat one client address may make a minute */
    private final HostMessages messages;

    @Inject
    public RoomEntrance(
            RoomSeats seats, Templates templates, Config config, ClientAddress clients, HostMessages messages) {
        this(seats, templates, config.integer("room.joins.per.minute", 1, 1_000_000), clients, messages);
    }

    public RoomEntrance(
            RoomSeats seats, Templates templates, int joinsPerMinute, ClientAddress clients, HostMessages messages) {
        this.messages = messages;
        this.clients = clients;
        this.seats = seats;
        this.templates = templates;
        this.joins = new JoinLimit(joinsPerMinute, Clock.systemUTC());
    }

    @Override
    public void routes(Application app) {
        String room = "/room/" + RoomsAdmin.NAME;
        app.GET(room, ctx -> ctx.redirect("/room/" + name(ctx) + "/"));
        app.GET(room + "/", Tab.handler(ctx -> arrive(ctx, false)));
        app.POST(room + "/", Tab.handler(ctx -> arrive(ctx, true)));
        app.GET(room + "/status", Tab.handler(ctx -> {
            RoomSeats.Arrival a = seats.check(name(ctx), seat(ctx));
            if (a.outcome() == RoomSeats.Outcome.NO_ROOM) {
                Layout.json(ctx, 404, Map.of("error", "there is no room here"));
            } else {
                Layout.json(ctx, 200, RoomSockets.seatMessage(a, name(ctx)));
            }
        }));
    }

    private void arrive(RouteContext ctx, boolean posted) {
        // A reload with a seat is free; only a new arrival counts against the client's joins.
        if (seat(ctx) == null && !joins.allow(clients.of(ctx))) {
            ctx.getResponse().header("Retry-After", String.valueOf(joins.retryAfterSeconds()));
            Map<String, Object> model = new HashMap<>();
            model.put("name", name(ctx));
            message(
                    ctx,
                    429,
                    model,
                    "Too many tries",
                    "Too many arrivals from your address in the last minute. Wait a minute and try again.");
            return;
        }
        answer(ctx, seats.arrive(name(ctx), seat(ctx), label(ctx), posted), posted);
    }

    private static String name(RouteContext ctx) {
        return ctx.getParameter("name").toString();
    }

    private static String label(RouteContext ctx) {
        return ctx.getParameter("label").toString(null);
    }

    private static String seat(RouteContext ctx) {
        Cookie c = ctx.getRequest().getCookie(SEAT_COOKIE);
        return c == null ? null : c.getValue();
    }

    private void answer(RouteContext ctx, RoomSeats.Arrival a, boolean posted) {
        String name = name(ctx);
        Map<String, Object> model = new HashMap<>();
        model.put("name", name);
        model.put("room", a.room());
        model.put("label", a.label());
        model.put("waiting", a.waiting());
        switch (a.outcome()) {
            case WAITING -> {
                Cookie seat = new Cookie(SEAT_COOKIE, a.seat());
                seat.setPath("/room/" + name + "/");
                seat.setHttpOnly(true);
                seat.setMaxAge(SEAT_SECONDS);
                // Lax, not Strict: people arrive by a link from elsewhere (an e-mail, a crowd site) and must keep their
                // seat.
                seat.setComment("__SAME_SITE_LAX__");
                ctx.getResponse().cookie(seat);
                if (posted) {
                    ctx.redirect("/room/" + name + "/");
                } else {
                    model.put("seat", a.seat());
                    page(ctx, 200, "room-waiting.peb", model);
                }
            }
            case TO_PARTICIPANT -> ctx.redirect(a.url());
            case ASK_LABEL -> {
                model.put("error", a.error());
                page(ctx, a.error() == null ? 200 : 400, "room-join.peb", model);
            }
            case LABEL_TAKEN -> {
                model.put(
                        "error",
                        "This label is taken: someone in this room already uses the label '" + a.label()
                                + "'. Choose another.");
                page(ctx, 409, "room-join.peb", model);
            }
            // 403 for refusals of who asks or when: the room exists and understood; it will not let them in.
            // (503 would blame the server and invite automatic retries; 410 would say the room is gone for good.)
            case NOT_ON_LIST ->
                message(
                        ctx,
                        403,
                        model,
                        "This label is not on the list",
                        "The label '" + a.label()
                                + "' is not on this room's list. Check the link or label you were given.");
            case CLOSED ->
                message(
                        ctx,
                        403,
                        model,
                        "This room is closed",
                        "This room is not taking anyone at the moment. Try again later, or ask the people running the study.");
            case FULL ->
                message(
                        ctx,
                        409,
                        model,
                        "This room is full",
                        "This room has no place left for you. Try again later, or ask the people running the study.");
            case NO_ROOM ->
                message(ctx, 404, model, "Not found", "There is no room here. Check the link you were given.");
        }
    }

    private void message(RouteContext ctx, int status, Map<String, Object> model, String title, String text) {
        model.put("title", title);
        model.put("text", text);
        page(ctx, status, "room-message.peb", model);
    }

    private void page(RouteContext ctx, int status, String template, Map<String, Object> model) {
        // The host's words in the participant's language (the browser's; a room is not one experiment's).
        String language = messages.language(null, ctx.getHeader("Accept-Language"));
        model = new java.util.HashMap<>(model);
        model.put("lang", language);
        model.put("msg", messages.messages(null, language));
        ctx.getResponse()
                .status(status)
                .header("Cache-Control", "no-store")
                .html()
                .send(templates.render(template, model));
    }
}
