package io.cohort.platform.psiturk;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.session.ParticipantErrors;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.session.SessionStore;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.PublicUrl;
import io.cohort.platform.web.Tab;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * psiTurk's routes at the site root, with psiTurk's behaviour, for the psiTurk session served there
 * ({@link PsiturkRoot}): {@code /ad} ({@code /pub}), {@code /consent}, {@code /exp}, {@code /inexp},
 * {@code /sync/<uniqueId>}, {@code /quitter}, {@code /complete}, {@code /worker_complete},
 * {@code /worker_submitted}, {@code /check_worker_status}, {@code /ppid}, {@code /compute_bonus} (from Cohort's bonus
 * rule), the project's {@code /static/...} (with Cohort's own {@code /static/js/psiturk.js}) and any template by
 * name. With no psiTurk session at the root these routes do not answer, and the request goes on to the rest of
 * Cohort.
 * <p>
 * psiTurk's uniqueId ({@code workerId:assignmentId}) is all psiTurk asks of a page that saves data. Cohort also
 * asks for the cookie {@code /exp} sets (the participant's own token), so knowing someone's worker and assignment
 * ids is not enough to write their data or finish for them.
 */
@Singleton
public final class PsiturkWeb implements Tab {

    static final String PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE";
    static final String BY = "psiturk";
    /** MTurk's ids and psiTurk's debug ids: letters, digits, '_' and '-'. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private static final Set<ParticipantStatus> FINISHED = EnumSet.of(
            ParticipantStatus.COMPLETED,
            ParticipantStatus.SUBMITTED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.REJECTED,
            ParticipantStatus.BONUSED);

    private final PsiturkRoot root;
    private final ExperimentCatalog catalog;
    private final ParticipantStore participants;
    private final ParticipantMoves moves;
    private final SessionStore sessions;
    private final ParticipantErrors errors;
    private final PsiturkSync sync;
    private final Transactions tx;
    private final PublicUrl publicUrl;

    @Inject
    public PsiturkWeb(
            PsiturkRoot root,
            ExperimentCatalog catalog,
            ParticipantStore participants,
            ParticipantMoves moves,
            SessionStore sessions,
            ParticipantErrors errors,
            PsiturkSync sync,
            Transactions tx,
            PublicUrl publicUrl) {
        this.publicUrl = publicUrl;
        this.root = root;
        this.catalog = catalog;
        this.participants = participants;
        this.moves = moves;
        this.sessions = sessions;
        this.errors = errors;
        this.sync = sync;
        this.tx = tx;
    }

    private static final Set<String> PAGES = Set.of("/ad", "/pub", "/consent", "/exp", "/complete");

    /**
     * Whether {@code path} may be a psiTurk page or file: the lab's own HTML, with inline scripts (so no CSP) and shown
     * in MTurk's frame (so no frame ban).
     */
    public static boolean servesPage(String path) {
        return PAGES.contains(path)
                || (path.startsWith("/static/")
                        && !path.startsWith("/static/cohort/")
                        && !path.startsWith("/static/plugins/"))
                || (path.endsWith(".html") && !path.startsWith("/admin/") && !path.startsWith("/api/"));
    }

    /** One psiTurk request: the root session, its project and the parameters. */
    private record At(RouteContext ctx, Session session, PsiturkProject project) {
        String param(String name) {
            String v = ctx.getParameter(name).toString();
            return v == null || v.isEmpty() ? null : v;
        }
    }

    private interface Handler {
        void handle(At at) throws Exception;
    }

    /**
     * Runs {@code handler} when a psiTurk session is at the root and nothing answered yet; when it does not answer
     * either, the next matching route runs.
     */
    private Tab.Body psiturk(Handler handler) {
        return ctx -> {
            if (ctx.getResponse().isCommitted()) {
                return;
            }
            Optional<PsiturkRoot.Served> served = root.served();
            if (served.isEmpty()) {
                ctx.next(); // not ours: Pippo runs the next matching route only when asked
                return;
            }
            At at = new At(ctx, served.get().session(), served.get().project());
            try {
                handler.handle(at);
                if (!ctx.getResponse().isCommitted()) {
                    ctx.next();
                }
            } catch (Refused r) {
                error(at, r.errornum, r.status);
            } catch (PsiturkTemplates.Failure f) {
                // The admin sees it at the status page and in the log; the participant sees psiTurk's error page.
                org.slf4j.LoggerFactory.getLogger(PsiturkWeb.class).error("psiTurk template: {}", f.getMessage());
                error(at, 9999, 500);
            }
        };
    }

    @Override
    public void routes(Application app) {
        app.GET("/static/js/psiturk.js", Tab.handler(psiturk(this::psiturkJs)));
        app.GET("/static/{path: .+}", Tab.handler(psiturk(this::staticFile)));
        app.GET("/ad", Tab.handler(psiturk(this::ad)));
        app.GET("/pub", Tab.handler(psiturk(this::ad)));
        app.GET("/consent", Tab.handler(psiturk(this::consent)));
        app.GET("/exp", Tab.handler(psiturk(this::exp)));
        app.POST("/inexp", Tab.handler(psiturk(this::inexp)));
        app.GET("/sync/{uid}", Tab.handler(psiturk(this::load)));
        app.PUT("/sync/{uid}", Tab.handler(psiturk(this::save)));
        app.POST("/quitter", Tab.handler(psiturk(this::quitter)));
        app.GET("/complete", Tab.handler(psiturk(this::complete)));
        app.GET("/worker_complete", Tab.handler(psiturk(at -> workerStatus(at, ParticipantStatus.COMPLETED))));
        app.GET("/worker_submitted", Tab.handler(psiturk(at -> workerStatus(at, ParticipantStatus.SUBMITTED))));
        app.GET("/check_worker_status", Tab.handler(psiturk(this::checkWorkerStatus)));
        app.GET(
                "/ppid",
                Tab.handler(psiturk(at -> at.ctx()
                        .getResponse()
                        .text()
                        .send(Long.toString(ProcessHandle.current().pid())))));
        app.GET("/compute_bonus", Tab.handler(psiturk(this::computeBonus)));
        // Any template by name (psiTurk's regular pages, e.g. instructions/instruct-1.html), and custom.py's routes.
        app.ANY("/{page: [A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?}", Tab.handler(psiturk(this::page)));
    }

    /** psiTurk's ExperimentError: its error page with the error's number. */
    private static final class Refused extends RuntimeException {
        final int errornum;
        final int status;

        Refused(int errornum, int status) {
            super("psiTurk error " + errornum);
            this.errornum = errornum;
            this.status = status;
        }
    }

    private void error(At at, int errornum, int status) {
        Map<String, Object> model = new HashMap<>();
        // psiTurk hands the request's parameters to error.html; Flask escaped them, Jinjava does not: escape here.
        at.ctx().getRequest().getParameters().forEach((k, v) -> model.put(k, escape(v.toString())));
        model.put("errornum", errornum);
        model.put("errordesc", PsiturkErrors.describe(errornum));
        String html = at.project().templates().has("error.html")
                ? at.project().templates().render("error.html", model, t -> t)
                : PsiturkErrors.page(errornum);
        send(at.ctx(), status, html);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static void send(RouteContext ctx, int status, String html) {
        ctx.getResponse()
                .status(status)
                .header("Cache-Control", "no-store")
                .html()
                .send(html);
    }

    private static void json(RouteContext ctx, int status, Object body) {
        ctx.getResponse().header("Cache-Control", "no-store");
        Layout.json(ctx, status, body);
    }

    private static String id(At at, String name, int errornum) {
        String v = at.param(name);
        if (v == null || !(ID.matcher(v).matches() || (name.equals("assignmentId") && PREVIEW.equals(v)))) {
            throw new Refused(errornum, 400);
        }
        return v;
    }

    /** psiTurk knows debug, sandbox and live: a market's test set-up pays no money, as its sandbox; a bot debugs. */
    static String psiturkMode(CrowdMode mode) {
        if (mode == null || mode == CrowdMode.BOT) {
            return "debug";
        }
        return switch (mode) {
            case SANDBOX, TEST -> "sandbox";
            case LIVE -> "live";
            case BOT -> "debug";
        };
    }

    /** psiTurk's mode; a debug hitId means debug, else the participant's market mode. */
    private static String mode(At at, String hitId) {
        String mode = at.param("mode");
        if (mode == null) {
            return hitId != null && hitId.startsWith("debug") ? "debug" : null;
        }
        if (!Set.of("debug", "sandbox", "live").contains(mode)) {
            throw new Refused(1013, 400);
        }
        return mode;
    }

    /** Inserts {@code &mode=} after psiTurk's link parameters, as psiTurk does server-side for old templates. */
    static String insertMode(String html, String mode) {
        String mark = "workerId={{ workerid }}";
        int at = html.lastIndexOf(mark);
        return at < 0 || mode == null
                ? html
                : html.substring(0, at + mark.length()) + "&mode=" + mode + html.substring(at + mark.length());
    }

    private Map<String, Object> base(At at) {
        Map<String, Object> model = new HashMap<>();
        PsiturkConfig config = at.project().config();
        model.put("server_location", "");
        model.put("contact_address", config.contact());
        model.put("codeversion", at.session().codeVersion());
        model.put("title", config.title(at.project().name()));
        model.put("description", config.get("description"));
        model.put("organization_name", config.get("organization_name"));
        return model;
    }

    private void psiturkJs(At at) throws IOException {
        try (InputStream in = PsiturkWeb.class.getResourceAsStream("psiturk.js")) {
            at.ctx()
                    .getResponse()
                    .header("Cache-Control", "no-cache")
                    .contentType("text/javascript; charset=utf-8")
                    .send(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private void staticFile(At at) throws IOException {
        String path = at.ctx().getParameter("path").toString();
        Optional<URL> url = catalog.resource(at.project().name(), "static/" + path);
        if (url.isEmpty()) {
            return; // not the project's: the rest of Cohort answers (or 404)
        }
        String type = at.ctx().getApplication().getMimeTypes().getContentType(path);
        at.ctx()
                .getResponse()
                .header("Cache-Control", "no-cache")
                .contentType(type == null ? "application/octet-stream" : type)
                .resource(url.get().openStream());
    }

    /** The ad: the preview on MTurk, or the "begin" button once the worker accepted. */
    private void ad(At at) {
        String hitId = id(at, "hitId", 1001);
        String assignmentId = id(at, "assignmentId", 1001);
        String mode = mode(at, hitId);
        String workerId = at.param("workerId");
        boolean debug = "debug".equals(mode);
        Map<String, Object> model = base(at);
        model.put("hitid", hitId);
        model.put("assignmentid", assignmentId);
        model.put("mode", mode);
        if (workerId != null && !PREVIEW.equals(assignmentId)) {
            workerId = id(at, "workerId", 1001);
            PsiturkMapper.Row row = tx.mapper(PsiturkMapper.class, m -> m.byUniqueId(uniqueId(at)));
            Optional<Participant> p = row == null ? Optional.empty() : participants.find(row.participantId());
            if (p.isPresent() && FINISHED.contains(p.get().status())) {
                thanks(at, p.get(), row);
                return;
            }
            if (p.isPresent() && p.get().pageIndex() >= PsiturkProject.TASK && !debug) {
                throw new Refused(1009, 403);
            }
            if (p.isEmpty() && !debug && takenBefore(at, workerId, assignmentId)) {
                throw new Refused(1010, 403);
            }
        }
        model.put("workerid", workerId);
        String m = mode;
        send(at.ctx(), 200, at.project().templates().render("ad.html", model, t -> insertMode(t, m)));
    }

    /** A worker who finished comes back to the ad: psiTurk's thanks page, or Cohort's end page (submit to MTurk). */
    private void thanks(At at, Participant p, PsiturkMapper.Row row) {
        if (at.project().templates().has("thanks.html")) {
            Map<String, Object> model = base(at);
            model.put("hitid", row.hitId());
            model.put("assignmentid", row.assignmentId());
            model.put("workerid", row.workerId());
            model.put("is_sandbox", "sandbox".equals(row.mode()));
            send(at.ctx(), 200, at.project().templates().render("thanks.html", model, t -> t));
        } else {
            at.ctx().redirect("/p/" + p.sessionId() + "/" + p.token() + "/");
        }
    }

    private boolean takenBefore(At at, String workerId, String assignmentId) {
        if (at.project().config().allowRepeats()) {
            return false;
        }
        return tx
                .mapper(
                        PsiturkMapper.class,
                        m -> m.ofWorker(workerId, at.project().name()))
                .stream()
                .anyMatch(r -> !r.assignmentId().equals(assignmentId));
    }

    private static String uniqueId(At at) {
        return at.param("workerId") + ":" + at.param("assignmentId");
    }

    private void consent(At at) {
        String hitId = id(at, "hitId", 1002);
        String assignmentId = id(at, "assignmentId", 1002);
        String workerId = id(at, "workerId", 1002);
        String mode = mode(at, hitId);
        Map<String, Object> model = base(at);
        model.put("hitid", hitId);
        model.put("assignmentid", assignmentId);
        model.put("workerid", workerId);
        model.put("mode", mode);
        send(at.ctx(), 200, at.project().templates().render("consent.html", model, t -> insertMode(t, mode)));
    }

    /** The task's page: the participant is found (or made), given a condition, and handed the cookie. */
    private void exp(At at) {
        String hitId = id(at, "hitId", 1003);
        String assignmentId = id(at, "assignmentId", 1003);
        String workerId = id(at, "workerId", 1003);
        String uniqueId = workerId + ":" + assignmentId;
        PsiturkMapper.Row row = tx.mapper(PsiturkMapper.class, m -> m.byUniqueId(uniqueId));
        String mode = row != null ? row.mode() : mode(at, hitId);
        boolean debug = "debug".equals(mode);
        Participant p;
        if (row == null) {
            if (mode == null) {
                throw new Refused(1013, 400);
            }
            if (takenBefore(at, workerId, assignmentId)) {
                throw new Refused(1010, 403);
            }
            if (!debug) {
                // Sandbox and live workers come through Cohort's MTurk route, which makes their participant.
                p = participants.ofWorker("mturk", workerId).stream()
                        .filter(x -> assignmentId.equals(x.assignmentId())
                                && x.sessionId().equals(at.session().id()))
                        .findFirst()
                        .orElseThrow(() -> new Refused(1003, 404));
            } else if (!at.session().testing()) {
                // Anyone can make up debug ids: only a session the admin marked as testing takes them.
                throw new Refused(2005, 403);
            } else {
                try {
                    p = participants.add(at.session().id(), workerId + ":" + assignmentId, null, BY);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new Refused(1004, 409);
                }
            }
            Participant made = p;
            tx.mapper(
                    PsiturkMapper.class,
                    m -> m.add(new PsiturkMapper.Row(
                            uniqueId, made.id(), workerId, assignmentId, hitId, mode, null, 0, 0)));
        } else {
            p = participants.find(row.participantId()).orElseThrow(() -> new Refused(1003, 404));
            if (!p.sessionId().equals(at.session().id())) {
                throw new Refused(1004, 409);
            }
            if ((p.pageIndex() >= PsiturkProject.TASK
                            || FINISHED.contains(p.status())
                            || p.status() == ParticipantStatus.QUIT_EARLY)
                    && !debug) {
                throw new Refused(1008, 403);
            }
        }
        Participant started = moves.arrive(p.id()).participant();
        grant(at.ctx(), started);
        int[] condition = PsiturkProject.condition(started.condition());
        Map<String, Object> model = base(at);
        model.put("uniqueId", uniqueId);
        model.put("condition", condition[0]);
        model.put("counterbalance", condition[1]);
        model.put("adServerLoc", "/complete");
        model.put("mode", mode);
        model.put("hitid", hitId);
        model.put("assignmentid", assignmentId);
        model.put("workerid", workerId);
        send(at.ctx(), 200, at.project().templates().render("exp.html", model, t -> t));
    }

    static String cookieName(Participant p) {
        return "cohort_psiturk_" + p.id();
    }

    /** The participant's own token, as a cookie for the calls that follow. */
    private static void grant(RouteContext ctx, Participant p) {
        ctx.getResponse().header("Set-Cookie", cookieName(p) + "=" + p.token() + "; Path=/; HttpOnly; SameSite=Lax");
    }

    /** The participant named by uniqueId, if this browser holds their cookie. */
    private Optional<Known> known(At at, String uniqueId) {
        if (uniqueId == null) {
            return Optional.empty();
        }
        PsiturkMapper.Row row = tx.mapper(PsiturkMapper.class, m -> m.byUniqueId(uniqueId));
        if (row == null) {
            return Optional.empty();
        }
        Optional<Participant> p = participants.find(row.participantId());
        if (p.isEmpty()) {
            return Optional.empty();
        }
        javax.servlet.http.Cookie sent = at.ctx().getRequest().getCookie(cookieName(p.get()));
        String cookie = sent == null ? null : sent.getValue();
        if (cookie == null
                || !java.security.MessageDigest.isEqual(
                        cookie.getBytes(StandardCharsets.UTF_8), p.get().token().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(new Known(row, p.get()));
    }

    private record Known(PsiturkMapper.Row row, Participant participant) {}

    private Known require(At at, String uniqueId) {
        return known(at, uniqueId).orElseThrow(() -> new Refused(1013, 403));
    }

    private void inexp(At at) {
        Optional<Known> k = known(at, at.param("uniqueId"));
        if (k.isEmpty()) {
            json(at.ctx(), 403, Map.of("status", "error, uniqueId not found"));
            return;
        }
        if (k.get().participant().pageIndex() == PsiturkProject.INSTRUCTIONS) {
            moves.move(k.get().participant().id(), ParticipantMoves.Move.ADVANCE, BY);
        }
        json(at.ctx(), 200, Map.of("status", "success"));
    }

    private void load(At at) {
        Optional<Known> k = known(at, at.ctx().getParameter("uid").toString());
        if (k.isEmpty()) {
            json(at.ctx(), 403, Map.of("status", "error, uniqueId not found"));
            return;
        }
        at.ctx().getResponse().header("Cache-Control", "no-store").contentType("application/json");
        at.ctx().getResponse().send(sync.load(k.get().row(), k.get().participant()));
    }

    private void save(At at) throws IOException {
        Optional<Known> k = known(at, at.ctx().getParameter("uid").toString());
        if (k.isEmpty()) {
            json(at.ctx(), 403, Map.of("status", "error, uniqueId not found"));
            return;
        }
        byte[] body =
                at.ctx().getRequest().getHttpServletRequest().getInputStream().readNBytes(PsiturkSync.MAX + 1);
        if (body.length > PsiturkSync.MAX) {
            json(at.ctx(), 413, Map.of("status", "too large: at most " + PsiturkSync.MAX + " bytes"));
            return;
        }
        try {
            sync.save(k.get().row(), k.get().participant(), new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            json(at.ctx(), 400, Map.of("status", e.getMessage()));
            return;
        }
        json(at.ctx(), 200, Map.of("status", "user data saved"));
    }

    private void quitter(At at) {
        String uniqueId = at.param("uniqueId");
        Optional<Known> k = known(at, uniqueId);
        if (k.isPresent() && "debug".equals(k.get().row().mode())) {
            json(at.ctx(), 200, Map.of("status", "didn't mark as quitter since this is debugging"));
            return;
        }
        if (k.isEmpty()) {
            error(at, 1011, 403);
            return;
        }
        moves.quit(k.get().participant().id());
        json(at.ctx(), 200, Map.of("status", "marked as quitter"));
    }

    /** completeHIT lands here: completed, the bonus rule applied; debug shows complete.html, MTurk the submit. */
    private void complete(At at) {
        Known k = require(at, at.param("uniqueId"));
        Participant p = k.participant();
        if (!FINISHED.contains(p.status())) {
            sync.applyBonus(at.project(), p);
            if (p.status() == ParticipantStatus.QUIT_EARLY) {
                moves.arrive(p.id());
            }
            moves.move(p.id(), ParticipantMoves.Move.END, BY);
        }
        if ("debug".equals(k.row().mode())) {
            Map<String, Object> model = base(at);
            model.put("mode", k.row().mode());
            model.put("uniqueId", k.row().uniqueId());
            model.put("workerid", k.row().workerId());
            model.put("allow_repeats", at.project().config().allowRepeats());
            send(at.ctx(), 200, at.project().templates().render("complete.html", model, t -> t));
        } else {
            // Cohort's end page: the MTurk plugin's button submits the assignment from there.
            at.ctx().redirect("/p/" + p.sessionId() + "/" + p.token() + "/");
        }
    }

    private void workerStatus(At at, ParticipantStatus status) {
        Optional<Known> k = known(at, at.param("uniqueId"));
        if (k.isEmpty()) {
            json(at.ctx(), 403, Map.of("status", "bad request"));
            return;
        }
        Participant p = k.get().participant();
        if (status == ParticipantStatus.COMPLETED && !FINISHED.contains(p.status())) {
            sync.applyBonus(at.project(), p);
            moves.move(p.id(), ParticipantMoves.Move.END, BY);
        } else if (status == ParticipantStatus.SUBMITTED && p.status() == ParticipantStatus.COMPLETED) {
            participants.setStatus(p.id(), ParticipantStatus.SUBMITTED, BY);
        }
        json(at.ctx(), 200, Map.of("status", "success"));
    }

    private void checkWorkerStatus(At at) {
        String workerId = at.param("workerId");
        if (workerId == null || !ID.matcher(workerId).matches()) {
            json(at.ctx(), 400, Map.of("status", "bad request"));
            return;
        }
        List<PsiturkMapper.Row> rows = tx.mapper(
                PsiturkMapper.class, m -> m.ofWorker(workerId, at.project().name()));
        if (rows.isEmpty()) {
            json(at.ctx(), 200, Map.of("status", PsiturkStatus.NOT_ACCEPTED.code()));
            return;
        }
        PsiturkMapper.Row last = rows.get(rows.size() - 1);
        PsiturkStatus status =
                participants.find(last.participantId()).map(PsiturkStatus::of).orElse(PsiturkStatus.NOT_ACCEPTED);
        json(at.ctx(), 200, Map.of("status", status.code()));
    }

    /**
     * psiTurk's example computes the bonus in custom.py's {@code /compute_bonus}. Here Cohort's bonus rule does; with
     * none, the page is told it failed (our psiturk.js calls the task's callback either way) and the admin sees that
     * the experiment asked for a route Cohort lacks.
     */
    private void computeBonus(At at) {
        Optional<Known> k = known(at, at.param("uniqueId"));
        if (k.isEmpty()) {
            json(at.ctx(), 403, Map.of("bonusComputed", "failed", "reason", "unknown participant"));
            return;
        }
        if (at.project().bonus() == null) {
            missingRoute(at, k.get().participant(), "/compute_bonus");
            return;
        }
        long cents = sync.applyBonus(at.project(), k.get().participant());
        json(at.ctx(), 200, Map.of("bonusComputed", "success", "bonus", cents / 100.0));
    }

    /** A custom.py route a page called: what the admin sees at the participant's row (its type names it). */
    static final class UnservedRoute extends RuntimeException {
        UnservedRoute(String route) {
            super("the experiment asked for " + route + ", a custom.py route Cohort does not run"
                    + (route.equals("/compute_bonus") ? "; add " + PsiturkProject.BONUS + " for a bonus rule" : ""));
        }
    }

    private void missingRoute(At at, Participant p, String route) {
        errors.record(p.id(), p.pageIndex() >= PsiturkProject.TASK ? "task" : "instructions", new UnservedRoute(route));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", route + " is not served by Cohort");
        if (route.equals("/compute_bonus")) {
            answer.put("bonusComputed", "failed");
        }
        json(at.ctx(), 404, answer);
    }

    /** A template by name, or one of custom.py's routes (recorded as missing), or nothing (the request goes on). */
    private void page(At at) {
        String path = at.ctx().getRequest().getPath();
        String name = path.substring(1);
        if (at.project().customRoutes().contains(path)) {
            Optional<Known> k = known(at, at.param("uniqueId"));
            if (k.isPresent()) {
                missingRoute(at, k.get().participant(), path);
            } else {
                json(at.ctx(), 404, Map.of("status", path + " is not served by Cohort"));
            }
            return;
        }
        if (!at.ctx().getRequestMethod().equals("GET")
                || !at.project().templates().has(name)) {
            return;
        }
        send(at.ctx(), 200, at.project().templates().render(name, base(at), t -> t));
    }

    /**
     * Where a participant of a psiTurk session who opens their Cohort link goes: psiTurk's ad with their ids, or, once
     * finished, null (Cohort's own end page shows).
     */
    public Optional<String> entry(Participant p, Session s) {
        if (catalog.psiturk(s.experiment()).isEmpty() || FINISHED.contains(p.status())) {
            return Optional.empty();
        }
        if (root.served().map(r -> !r.session().id().equals(s.id())).orElse(true)) {
            throw new IllegalStateException("psiTurk session " + s.id() + " is not the one served at the site root");
        }
        PsiturkMapper.Row row = tx.mapper(PsiturkMapper.class, m -> m.byParticipant(p.id()));
        if (row == null) {
            String mode = psiturkMode(p.mode());
            String workerId = p.workerId() != null ? p.workerId() : "cohort" + p.id();
            String assignmentId = p.assignmentId() != null ? p.assignmentId() : p.id();
            String hitId = p.hitId() != null ? p.hitId() : (mode.equals("debug") ? "debug" : "") + "cohort" + s.id();
            PsiturkMapper.Row made = new PsiturkMapper.Row(
                    workerId + ":" + assignmentId, p.id(), workerId, assignmentId, hitId, mode, null, 0, 0);
            tx.mapper(PsiturkMapper.class, m -> m.add(made));
            row = tx.mapper(PsiturkMapper.class, m -> m.byParticipant(p.id()));
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("hitId", row.hitId());
        q.put("assignmentId", row.assignmentId());
        q.put("workerId", row.workerId());
        q.put("mode", row.mode());
        StringBuilder url = new StringBuilder("/ad");
        q.forEach((k, v) -> url.append(url.length() == 3 ? '?' : '&')
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return Optional.of(url.toString());
    }
}
