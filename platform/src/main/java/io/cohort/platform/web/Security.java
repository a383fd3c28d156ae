package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.servlet.http.Cookie;
import javax.sql.DataSource;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * Logins and the guard in front of {@code /admin} and {@code /api}: a login cookie (HttpOnly, SameSite=Strict)
 * or the API bearer token; a CSRF token on every cookie-borne POST; slowed-down guessing; one-time auto-login
 * links when no account is configured on a loopback address.
 */
@Singleton
public final class Security {

    static final String COOKIE = "cohort_admin";
    private static final String LOGIN_CSRF_COOKIE = "cohort_login_csrf";

    private final AdminAccounts accounts;
    private final AdminSessions sessions;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Layout layout;
    private final String apiToken;
    private final ClientAddress clients;
    /** Behind https the cookies never travel over plain http. */
    private final boolean secureCookies;

    private final Set<String> autoLoginTokens = ConcurrentHashMap.newKeySet();
    /** False on a participant-only node (admin.enabled=false). */
    private boolean adminEnabled = true;

    @Inject
    public Security(
            Config config,
            AdminSessions sessions,
            LoginThrottle throttle,
            AuditLog audit,
            Layout layout,
            ClientAddress clients,
            PublicUrl publicUrl,
            DataSource database) {
        this(
                new AdminAccounts(config.adminAccounts(), database),
                sessions,
                throttle,
                audit,
                layout,
                config.get("api.token"),
                clients,
                publicUrl);
        this.adminEnabled = config.adminEnabled();
    }

    public Security(
            AdminAccounts accounts,
            AdminSessions sessions,
            LoginThrottle throttle,
            AuditLog audit,
            Layout layout,
            String apiToken,
            ClientAddress clients,
            PublicUrl publicUrl) {
        this.clients = clients;
        this.secureCookies = publicUrl.https();
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
        this.layout = layout;
        this.apiToken = apiToken;
    }

    /** Whether no admin account exists yet (neither configured nor chosen). */
    public boolean noAccounts() {
        return accounts.none();
    }

    /** Whether this node serves the admin (admin.enabled). */
    public boolean adminEnabled() {
        return adminEnabled;
    }

    /** A link that lets the first admin choose the password once; offered at start-up when no account exists. */
    public String newAutoLoginToken() {
        String token = AdminSessions.token();
        autoLoginTokens.add(token);
        return token;
    }

    void routes(Application app) {
        if (!adminEnabled) {
            // A participant-only node (admin.enabled=false): the admin runs on a node only the lab can reach.
            for (String path : List.of("/admin.*", "/api/.*", "/login.*", "/logout")) {
                app.ANY(
                        path,
                        ctx -> ctx.getResponse()
                                .status(404)
                                .header("Cache-Control", "no-store")
                                .text()
                                .send("Not found: the admin is not served by this node."));
            }
            return;
        }
        app.ANY("/admin.*", Tab.handler(this::guardAdmin));
        app.ANY("/api/.*", Tab.handler(this::guardApi));
        app.GET("/login", Tab.handler(this::loginForm));
        app.POST("/login", Tab.handler(this::login));
        app.GET("/login/auto", Tab.handler(this::choosePasswordForm));
        app.POST("/login/auto", Tab.handler(this::choosePassword));
        app.POST("/logout", Tab.handler(this::logout));
    }

    private void loginForm(RouteContext ctx) {
        String csrf = AdminSessions.token();
        ctx.getResponse().cookie(cookie(LOGIN_CSRF_COOKIE, csrf, -1));
        String next = safeNext(ctx.getParameter("next").toString("/admin/"));
        layout.html(ctx, "login.peb", Map.of("loginCsrf", csrf, "next", next, "noAccounts", accounts.none()));
    }

    private void login(RouteContext ctx) throws SQLException {
        Cookie expected = ctx.getRequest().getCookie(LOGIN_CSRF_COOKIE);
        String given = ctx.getParameter("_csrf").toString("");
        if (expected == null || !same(expected.getValue(), given)) {
            layout.message(
                    ctx,
                    403,
                    "Refused",
                    "The login form was missing its CSRF token or it was wrong. Reload the login page and try again.");
            return;
        }
        String user = ctx.getParameter("username").toString("").trim();
        String ip = clients.of(ctx);
        long wait = throttle.waitSeconds(user, ip);
        if (wait > 0) {
            ctx.getResponse().header("Retry-After", String.valueOf(wait));
            layout.message(ctx, 429, "Too many tries", "Too many wrong passwords. Try again in " + wait + " s.");
            return;
        }
        if (!accounts.check(user, ctx.getParameter("password").toString(""))) {
            throttle.failed(user, ip);
            audit.record(user.isEmpty() ? "?" : user, "login.failed", ip, Map.of());
            ctx.getResponse().status(401);
            String csrf = AdminSessions.token();
            ctx.getResponse().cookie(cookie(LOGIN_CSRF_COOKIE, csrf, -1));
            layout.html(
                    ctx,
                    "login.peb",
                    Map.of(
                            "loginCsrf",
                            csrf,
                            "error",
                            "Wrong user name or password.",
                            "next",
                            safeNext(ctx.getParameter("next").toString("/admin/")),
                            "noAccounts",
                            accounts.none()));
            return;
        }
        throttle.succeeded(user, ip);
        startLogin(ctx, user, safeNext(ctx.getParameter("next").toString("/admin/")));
    }

    private void linkUsed(RouteContext ctx) {
        layout.message(
                ctx,
                403,
                "Link used",
                "This one-time link was already used or is unknown. Log in with the admin password, or restart"
                        + " Cohort for a new link while no password is set.");
    }

    /** The one-time link's page: the first admin chooses the password, kept hashed in the database. */
    private void choosePasswordForm(RouteContext ctx) {
        String token = ctx.getParameter("token").toString("");
        if (!autoLoginTokens.contains(token) || !accounts.none()) {
            linkUsed(ctx);
            return;
        }
        showChoosePassword(ctx, 200, token, null);
    }

    private void showChoosePassword(RouteContext ctx, int status, String token, String error) {
        String csrf = AdminSessions.token();
        ctx.getResponse().cookie(cookie(LOGIN_CSRF_COOKIE, csrf, -1));
        Map<String, Object> model = new java.util.HashMap<>();
        model.put("loginCsrf", csrf);
        model.put("token", token);
        model.put("min", AdminAccounts.MIN_PASSWORD);
        model.put("error", error);
        ctx.getResponse().status(status);
        layout.html(ctx, "choose-password.peb", model);
    }

    private void choosePassword(RouteContext ctx) throws SQLException {
        Cookie expected = ctx.getRequest().getCookie(LOGIN_CSRF_COOKIE);
        String token = ctx.getParameter("token").toString("");
        if (expected == null
                || !same(expected.getValue(), ctx.getParameter("_csrf").toString(""))) {
            layout.message(ctx, 403, "Refused", "The form was missing its CSRF token. Open the one-time link again.");
            return;
        }
        if (!autoLoginTokens.contains(token)) {
            linkUsed(ctx);
            return;
        }
        boolean chosen;
        try {
            chosen = accounts.choose(
                    "admin",
                    ctx.getParameter("password").toString(""),
                    ctx.getParameter("repeat").toString(""));
        } catch (IllegalArgumentException e) {
            showChoosePassword(ctx, 422, token, e.getMessage());
            return;
        }
        autoLoginTokens.remove(token);
        if (!chosen) {
            linkUsed(ctx);
            return;
        }
        audit.record("admin", "password.chosen", clients.of(ctx), Map.of());
        startLogin(ctx, "admin", "/admin/");
    }

    private void startLogin(RouteContext ctx, String user, String next) throws SQLException {
        String token = sessions.create(user, clients.of(ctx), ctx.getHeader("User-Agent"));
        audit.record(user, "login", clients.of(ctx), Map.of());
        ctx.getResponse().cookie(cookie(COOKIE, token, -1));
        ctx.getResponse().cookie(cookie(LOGIN_CSRF_COOKIE, "", 0));
        ctx.redirect(next);
    }

    private void logout(RouteContext ctx) throws SQLException {
        Optional<AdminSessions.Login> login = sessions.find(cookieValue(ctx));
        if (login.isPresent()
                && !same(login.get().csrf(), ctx.getParameter("_csrf").toString(""))) {
            // Clearing the cookie while the login stays valid would only hide it: do nothing at all.
            layout.message(
                    ctx,
                    403,
                    "Refused",
                    "This logout was sent without its CSRF token, or with a wrong one."
                            + " Use the Log out button of an admin page.");
            return;
        }
        if (login.isPresent()) {
            sessions.revoke(login.get().id(), login.get().user());
            audit.record(login.get().user(), "logout", null, Map.of());
        }
        ctx.getResponse().cookie(cookie(COOKIE, "", 0));
        ctx.redirect("/login");
    }

    private enum Outcome {
        ALLOWED,
        ANONYMOUS,
        REFUSED
    }

    private void guardAdmin(RouteContext ctx) throws SQLException {
        Outcome outcome = authenticate(ctx);
        if (outcome == Outcome.ALLOWED) {
            ctx.next();
        } else if (outcome == Outcome.REFUSED) {
            return;
        } else if (ctx.getRequestMethod().equals("GET")) {
            String uri = ctx.getRequest().getPath()
                    + (ctx.getRequest().getQuery() == null
                            ? ""
                            : "?" + ctx.getRequest().getQuery());
            ctx.redirect("/login?next=" + java.net.URLEncoder.encode(uri, StandardCharsets.UTF_8));
        } else {
            layout.message(ctx, 401, "Not logged in", "Log in first.");
        }
    }

    private void guardApi(RouteContext ctx) throws SQLException {
        Outcome outcome = authenticate(ctx);
        if (outcome == Outcome.ALLOWED) {
            ctx.next();
        } else if (outcome == Outcome.ANONYMOUS) {
            ctx.getResponse().header("WWW-Authenticate", "Bearer");
            Layout.json(ctx, 401, Map.of("error", "log in or send Authorization: Bearer <api.token>"));
        }
    }

    /** Sets {@link AdminRequest} and checks CSRF; a refusal is answered here. */
    private Outcome authenticate(RouteContext ctx) throws SQLException {
        String auth = ctx.getHeader("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            if (!apiToken.isEmpty()
                    && same(apiToken, auth.substring("Bearer ".length()).trim())) {
                ctx.setLocal(AdminRequest.LOCAL, new AdminRequest("api", null, null));
                return Outcome.ALLOWED;
            }
            return Outcome.ANONYMOUS;
        }
        Optional<AdminSessions.Login> login = sessions.find(cookieValue(ctx));
        if (login.isEmpty()) {
            return Outcome.ANONYMOUS;
        }
        AdminSessions.Login l = login.get();
        if (!ctx.getRequestMethod().equals("GET") && !ctx.getRequestMethod().equals("HEAD")) {
            String given = ctx.getRequest().getParameter("_csrf").toString(ctx.getHeader("X-CSRF-Token"));
            if (given == null || !same(l.csrf(), given)) {
                layout.message(
                        ctx,
                        403,
                        "Refused",
                        "This form was sent without its CSRF token, or with a wrong one. Reload the page and try again.");
                return Outcome.REFUSED;
            }
        }
        ctx.setLocal(AdminRequest.LOCAL, new AdminRequest(l.user(), l.csrf(), l.id()));
        return Outcome.ALLOWED;
    }

    private static String cookieValue(RouteContext ctx) {
        Cookie c = ctx.getRequest().getCookie(COOKIE);
        return c == null ? null : c.getValue();
    }

    private Cookie cookie(String name, String value, int maxAge) {
        Cookie c = new Cookie(name, value);
        c.setSecure(secureCookies);
        c.setHttpOnly(true);
        c.setPath("/");
        c.setMaxAge(maxAge);
        // Servlet 3.1 has no SameSite attribute; Jetty 9.4 reads it from the comment.
        c.setComment("__SAME_SITE_STRICT__");
        return c;
    }

    /** Only local paths, so the login form cannot be turned into an open redirect. */
    static String safeNext(String next) {
        try {
            URI uri = URI.create(next);
            // A path that climbs above the root (/admin/../../x, or %2e%2e spelled out) is no local page either.
            boolean climbs = uri.getPath() == null
                    || java.util.Arrays.asList(uri.getPath().split("/")).contains("..");
            if (uri.getScheme() == null
                    && uri.getHost() == null
                    && next.startsWith("/")
                    && !next.startsWith("//")
                    && !next.startsWith("/\\")
                    && !climbs) {
                return next;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through
        }
        return "/admin/";
    }

    private static boolean same(String a, String b) {
        return a != null
                && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
