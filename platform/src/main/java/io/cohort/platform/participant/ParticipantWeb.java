package io.cohort.platform.participant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Session;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.psiturk.PsiturkWeb;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.ParticipantErrors;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.SessionStore;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import io.pebbletemplates.pebble.error.PebbleException;
import java.io.InputStream;
import java.net.URL;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import ro.pippo.core.Application;
import ro.pippo.core.ParameterValue;
import ro.pippo.core.route.RouteContext;
import ro.pippo.core.route.RouteHandler;

/**
 * The participant's side of the web: their pages at {@code /p/{session}/{token}/}, the JSON calls of
 * {@code cohort.js} under the same URL, and experiments' static files. No admin login: the token in the URL is the
 * participant's capability. Any URL that does not name a participant gets one and the same 404 page, so a guess
 * learns nothing (not whether the session exists, nor whether the token belongs elsewhere).
 * <p>
 * Participant POSTs carry no CSRF token, on purpose: the URL token is the credential, and another site cannot
 * know it, so it cannot forge a request that means anything.
 * <p>
 * An inactive (paused) session refuses page loads and form submissions with a "paused" page. The JSON calls of a
 * page that is already open keep working, so a task under way loses no data when the admin pauses the session.
 */
@Singleton
public final class ParticipantWeb implements Tab {

    static final int MAX_BODY = 1_000_000;

    private final ParticipantStore participants;
    private final SessionStore sessions;
    private final ParticipantMoves moves;
    private final FieldStore data;
    private final ExperimentCatalog catalog;
    private final ParticipantPages pages;
    private final ParticipantErrors errors;
    /** A psiTurk session's participants go through psiTurk's pages, at the site root. */
    private final PsiturkWeb psiturk;

    @Inject
    public ParticipantWeb(
            ParticipantStore participants,
            SessionStore sessions,
            ParticipantMoves moves,
            FieldStore data,
            ExperimentCatalog catalog,
            ParticipantPages pages,
            ParticipantErrors errors,
            PsiturkWeb psiturk) {
        this.errors = errors;
        this.psiturk = psiturk;
        this.participants = participants;
        this.sessions = sessions;
        this.moves = moves;
        this.data = data;
        this.catalog = catalog;
        this.pages = pages;
    }

    @Override
    public void routes(Application app) {
        String base = "/p/{session}/{token}";
        app.GET(base + "/", Tab.handler(this::show));
        app.POST(base + "/", Tab.handler(this::submit));
        app.GET(base, Tab.handler(ctx -> {
            Optional<Participant> p = who(ctx);
            if (p.isPresent()) {
                ctx.getResponse()
                        .status(301)
                        .header("Location", ParticipantPages.base(p.get()))
                        .commit();
            } else {
                notFound(ctx);
            }
        }));
        app.GET(base + "/state", json(this::state));
        app.POST(base + "/save", json(this::save));
        app.POST(base + "/append", json(this::append));
        app.POST(base + "/next", json(this::next));
        app.POST(base + "/complete", json(this::complete));
        app.POST(base + "/quit", json(this::quit));
        app.ANY("/p/.*", this::notFound);
        app.ANY("/p", this::notFound);
        app.GET("/experiments/{name}/static/{path: .+}", Tab.handler(this::staticFile));
    }

    private Optional<Participant> who(RouteContext ctx) {
        return participants.byToken(
                ctx.getParameter("session").toString(),
                ctx.getParameter("token").toString());
    }

    /** The one answer to every URL that does not name a participant. */
    private void notFound(RouteContext ctx) {
        send(ctx, 404, pages.notice("notFound", null, language(ctx)));
    }

    private static void send(RouteContext ctx, int status, String html) {
        ctx.getResponse()
                .status(status)
                .header("Cache-Control", "no-store")
                .html()
                .send(html);
    }

    private void paused(RouteContext ctx, Experiment e) {
        send(ctx, 503, pages.notice("paused", e, language(ctx)));
    }

    private void unavailable(RouteContext ctx) {
        send(ctx, 503, pages.notice("unavailable", null, language(ctx)));
    }

    private static String language(RouteContext ctx) {
        return ctx.getHeader("Accept-Language");
    }

    /** The participant, their session and experiment, or null once an answer (404, paused, unavailable) was sent. */
    private ParticipantMoves.Context open(RouteContext ctx) {
        Optional<ParticipantMoves.Context> found = moves.byToken(
                ctx.getParameter("session").toString(),
                ctx.getParameter("token").toString());
        if (found.isEmpty()) {
            notFound(ctx);
            return null;
        }
        if (!found.get().session().active()) {
            paused(ctx, found.get().experiment());
            return null;
        }
        if (found.get().experiment() == null) {
            unavailable(ctx);
            return null;
        }
        return found.get();
    }

    private void show(RouteContext ctx) {
        ParticipantMoves.Context found = open(ctx);
        if (found == null) {
            return;
        }
        Optional<String> psiturkEntry;
        try {
            psiturkEntry = psiturk.entry(found.participant(), found.session());
        } catch (IllegalStateException notAtRoot) {
            unavailable(ctx);
            return;
        }
        if (psiturkEntry.isPresent()) {
            seeOther(ctx, psiturkEntry.get());
            return;
        }
        try {
            ParticipantMoves.Rendering arrived =
                    moves.arriveToRender(found.participant().id());
            render(ctx, 200, arrived.at(), null, arrived.load());
        } catch (RuntimeException e) {
            failed(ctx, found, e);
        }
    }

    /**
     * An experiment's hook or template threw while serving {@code at}: what it tried was undone; the error is kept
     * for the admin's session page, and the participant gets a calm page with a retry, never a bare 500.
     */
    private void failed(RouteContext ctx, ParticipantMoves.Context at, RuntimeException e) {
        errors.record(at.participant().id(), pageName(at).substring("page:".length()), e);
        send(ctx, 500, pages.calm(at.participant(), at.experiment(), language(ctx)));
    }

    private void render(RouteContext ctx, int status, ParticipantMoves.Context at, FormAnswers answers) {
        // Numbered for the quit beacon the page sends when left (ParticipantMoves.quit).
        render(ctx, status, at, answers, moves.rendering(at.participant().id()));
    }

    private void render(RouteContext ctx, int status, ParticipantMoves.Context at, FormAnswers answers, long load) {
        String html;
        try {
            html = pages.page(at, answers, load, language(ctx));
        } catch (PebbleException e) {
            failed(ctx, at, e);
            return;
        }
        send(ctx, status, html);
    }

    /** A form page's answers: checked, then stored and moved on (303, so a reload does not post again). */
    private void submit(RouteContext ctx) {
        int index;
        try {
            index = Integer.parseInt(first(ctx, "_page"));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (submitDirect(ctx, index)) {
            return;
        }
        ParticipantMoves.Context at = open(ctx);
        if (at == null) {
            return;
        }
        Participant p = at.participant();
        String here = ParticipantPages.base(p);
        // Not the page they are on (a second click, an old tab): nothing to store, show where they are.
        if (index != p.pageIndex()
                || index >= at.experiment().pages().size()
                || at.experiment().pages().get(index).kind() != PageKind.FORM) {
            seeOther(ctx, here);
            return;
        }
        Page page = at.experiment().pages().get(index);
        FormAnswers answers = FormAnswers.check(page, name -> first(ctx, name));
        if (!answers.ok()) {
            render(ctx, 422, at, answers);
            return;
        }
        try {
            moves.submit(p.id(), index, answers.values());
        } catch (RuntimeException e) {
            failed(ctx, at, e);
            return;
        }
        seeOther(ctx, here);
    }

    /**
     * The common case in one database round trip: the page the form names is checked against the session's
     * experiment and the answers stored by {@link ParticipantMoves#submitDirect}, whose statement only moves a
     * participant of an active session who is still on that page. Anything else (unknown, paused, stale, bad answers,
     * a wait page or the end next) goes the general way, which says what is wrong.
     */
    private boolean submitDirect(RouteContext ctx, int index) {
        String session = ctx.getParameter("session").toString();
        String token = ctx.getParameter("token").toString();
        Optional<Experiment> e = moves.experimentOf(session);
        if (e.isEmpty()
                || index < 0
                || index >= e.get().pages().size()
                || e.get().pages().get(index).kind() != PageKind.FORM) {
            return false;
        }
        FormAnswers answers = FormAnswers.check(e.get().pages().get(index), name -> first(ctx, name));
        if (!answers.ok() || !moves.submitDirect(session, token, e.get(), index, answers.values())) {
            return false;
        }
        seeOther(ctx, "/p/" + session + "/" + token + "/");
        return true;
    }

    /** 303: the browser GETs the page (Pippo's redirect(url, code) drops the Location header). */
    private static void seeOther(RouteContext ctx, String path) {
        ctx.getResponse()
                .status(303)
                .header("Location", path)
                .header("Cache-Control", "no-store")
                .commit();
    }

    private static String first(RouteContext ctx, String name) {
        ParameterValue v = ctx.getRequest().getParameters().get(name);
        return v == null || v.isEmpty() ? null : v.getValues()[0];
    }

    // ---- JSON for cohort.js

    /** A JSON call's body: it answers through {@link Layout#json}; a thrown IllegalArgumentException is a 400. */
    @FunctionalInterface
    private interface JsonCall {
        void handle(RouteContext ctx, ParticipantMoves.Context at) throws Exception;
    }

    private RouteHandler<RouteContext> json(JsonCall call) {
        return Tab.handler(ctx -> {
            Optional<Participant> p = who(ctx);
            if (p.isEmpty()) {
                notFound(ctx);
                return;
            }
            Session s = sessions.find(p.get().sessionId()).orElseThrow();
            Optional<Experiment> e = catalog.find(s.experiment());
            if (e.isEmpty()) {
                Layout.json(ctx, 503, Map.of("error", "the study is not available right now"));
                return;
            }
            ParticipantMoves.Context at = new ParticipantMoves.Context(s, e.get(), p.get());
            try {
                call.handle(ctx, at);
            } catch (IllegalArgumentException bad) {
                Layout.json(ctx, 400, Map.of("error", bad.getMessage()));
            } catch (RuntimeException failed) {
                errors.record(p.get().id(), pageName(at).substring("page:".length()), failed);
                Layout.json(ctx, 500, Map.of("error", "Something went wrong; the experimenter has been told."));
            }
        });
    }

    private static JsonNode body(RouteContext ctx) {
        String text = ctx.getRequest().getBody();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("body: expected JSON, got nothing");
        }
        if (text.length() > MAX_BODY) {
            throw new IllegalArgumentException("body: " + text.length() + " characters is more than " + MAX_BODY);
        }
        try {
            return ParticipantPages.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: not JSON: " + e.getOriginalMessage());
        }
    }

    private static String pageName(ParticipantMoves.Context at) {
        int i = at.participant().pageIndex();
        return "page:"
                + (i < at.experiment().pages().size()
                        ? at.experiment().pages().get(i).name()
                        : "end");
    }

    /** Fields the host itself writes: a page may not forge them. */
    private static void checkKey(String key) {
        FieldStore.checkNotHostOwned(key);
    }

    private void state(RouteContext ctx, ParticipantMoves.Context at) {
        Layout.json(
                ctx,
                200,
                Map.of(
                        "page",
                        at.participant().pageIndex(),
                        "status",
                        at.participant().status().name()));
    }

    /** {@code {"k": v, ...}}: each value stored as the field's new value, all or none. */
    private void save(RouteContext ctx, ParticipantMoves.Context at) {
        JsonNode body = body(ctx);
        if (!body.isObject() || body.isEmpty()) {
            throw new IllegalArgumentException("body: expected an object of fields to save, e.g. {\"score\": 3}");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            checkKey(e.getKey());
            values.put(e.getKey(), e.getValue().toString());
        }
        data.setAll(at.participant().id(), values, pageName(at));
        Layout.json(ctx, 200, Map.of("saved", values.size()));
    }

    /** {@code {"key": "trials", "record": {...}}}: one more row in that field's history. */
    private void append(RouteContext ctx, ParticipantMoves.Context at) {
        JsonNode body = body(ctx);
        JsonNode key = body.get("key");
        JsonNode record = body.get("record");
        if (key == null || !key.isTextual()) {
            throw new IllegalArgumentException("key: expected the name of the field to append to, e.g. \"trials\"");
        }
        if (record == null || record.isNull()) {
            throw new IllegalArgumentException("record: expected the record to append");
        }
        checkKey(key.asText());
        data.appendRecord(at.participant().id(), key.asText(), record.toString(), pageName(at));
        Layout.json(ctx, 200, Map.of("appended", key.asText()));
    }

    /** {@code {"page": index}}: leaves that page (nothing happens if the participant is no longer on it). */
    private void next(RouteContext ctx, ParticipantMoves.Context at) {
        JsonNode page = body(ctx).get("page");
        if (page == null || !page.canConvertToInt() || !page.isIntegralNumber()) {
            throw new IllegalArgumentException("page: expected the index of the page being left, e.g. {\"page\": 2}");
        }
        boolean moved;
        try {
            moved = moves.submit(at.participant().id(), page.asInt(), Map.of());
        } catch (IllegalArgumentException hook) {
            // An experiment's hook refusing is the experiment's error, not a bad request of the page's.
            throw new IllegalStateException(hook.getMessage(), hook);
        }
        Layout.json(ctx, 200, Map.of("moved", moved));
    }

    private void complete(RouteContext ctx, ParticipantMoves.Context at) {
        moves.move(at.participant().id(), ParticipantMoves.Move.END, pageName(at));
        Layout.json(ctx, 200, Map.of("completed", true));
    }

    /** The page was closed ({@code navigator.sendBeacon}); any body, optionally {@code {"load": n}}. */
    private void quit(RouteContext ctx, ParticipantMoves.Context at) {
        long load = -1;
        String text = ctx.getRequest().getBody();
        if (text != null && !text.isBlank() && text.length() < 1000) {
            try {
                JsonNode n = ParticipantPages.JSON.readTree(text).get("load");
                load = n != null && n.canConvertToLong() ? n.asLong() : -1;
            } catch (JsonProcessingException e) {
                load = -1;
            }
        }
        Layout.json(ctx, 200, Map.of("quit", moves.quit(at.participant().id(), load)));
    }

    // ---- experiments' static files

    private void staticFile(RouteContext ctx) throws Exception {
        String name = ctx.getParameter("name").toString();
        String path = ctx.getParameter("path").toString();
        Optional<URL> url = path.endsWith("/") ? Optional.empty() : catalog.resource(name, "static/" + path);
        if (url.isEmpty()) {
            ctx.getResponse()
                    .status(404)
                    .header("Cache-Control", "no-store")
                    .text()
                    .send("Not found");
            return;
        }
        String type = ctx.getApplication().getMimeTypes().getContentType(path);
        InputStream in;
        try {
            in = url.get().openStream();
        } catch (java.io.IOException e) {
            ctx.getResponse().status(404).text().send("Not found");
            return;
        }
        ctx.getResponse()
                .header("Cache-Control", "no-cache")
                .header("X-Content-Type-Options", "nosniff")
                .contentType(type == null ? "application/octet-stream" : type)
                .resource(in);
    }
}
