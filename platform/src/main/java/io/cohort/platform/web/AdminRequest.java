package io.cohort.platform.web;

/**
 * Who is behind an admin or API request, set by {@link Security}'s filter.
 *
 * @param user  the admin's name ({@code api} for the bearer token)
 * @param csrf  the token a form must carry; null for bearer requests, which carry no cookie to forge
 * @param login the login's id (for "revoke"), or null
 */
public record AdminRequest(String user, String csrf, String login) {

    public static final String LOCAL = "cohort.admin";

    /** The admin behind a request that passed {@link Security}'s guard. */
    public static AdminRequest of(ro.pippo.core.route.RouteContext ctx) {
        return ctx.getLocal(LOCAL);
    }
}
