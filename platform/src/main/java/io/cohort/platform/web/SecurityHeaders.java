package io.cohort.platform.web;

import java.io.IOException;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The headers every answer carries. Cohort's own pages (admin, login, rooms, plugins' pages) get a strict
 * Content-Security-Policy: scripts only from Cohort's origin (no inline script is left in them) and no framing.
 * Forms may still post elsewhere: a worker's end page posts to MTurk.
 * Experiment pages ({@code /p/...}, {@code /experiments/...}) are the lab's own HTML, often with inline scripts, so
 * they get no CSP, but do get {@code no-referrer}: their URL is the participant's credential. So do psiTurk
 * experiments' pages at the root ({@code /ad}, {@code /exp}, their {@code /static/...}).
 */
public final class SecurityHeaders implements Filter {

    static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

    private final PublicUrl publicUrl;

    public SecurityHeaders(PublicUrl publicUrl) {
        this.publicUrl = publicUrl;
    }

    @Override
    public void init(FilterConfig config) {}

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        String path = ((HttpServletRequest) req).getRequestURI();
        HttpServletResponse response = (HttpServletResponse) res;
        response.setHeader("X-Content-Type-Options", "nosniff");
        boolean experiment = path.startsWith("/p/")
                || path.startsWith("/experiments/")
                || io.cohort.platform.psiturk.PsiturkWeb.servesPage(path);
        if (experiment) {
            response.setHeader("Referrer-Policy", "no-referrer");
        } else {
            response.setHeader("Referrer-Policy", "same-origin");
            response.setHeader("Content-Security-Policy", POLICY);
            response.setHeader("X-Frame-Options", "DENY");
        }
        if (publicUrl.https()) {
            response.setHeader("Strict-Transport-Security", "max-age=31536000");
        }
        chain.doFilter(req, res);
    }

    @Override
    public void destroy() {}
}
