package io.cohort.platform.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ro.pippo.core.ExceptionHandler;
import ro.pippo.core.route.RouteContext;

/**
 * Cohort's own answer to every error, whoever meets it first: Jetty (a request it cannot parse), the filter in
 * front of the application (a form too big, with too many keys, bad UTF-8 or a NUL character) or a route (an
 * exception). Each answer is HTML or JSON as the client's {@code Accept} asks, carries an id that is also in the
 * log next to the stack trace, and never shows internals. Malformed input is a 4xx; only our own faults are 500.
 */
public final class ErrorPages {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorPages() {}

    /** What went wrong, as the client is told. */
    record Answer(int status, String title, String text) {}

    /** How an exception is answered: the client's fault (4xx, with a reason that names the value) or ours (500). */
    static Answer classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RequestError r) {
                return new Answer(r.status(), r.title(), r.getMessage());
            }
            if (t instanceof BadMessageException bad) {
                int code = bad.getCode() >= 400 && bad.getCode() < 500 ? bad.getCode() : 400;
                String reason = bad.getCause() != null && bad.getCause().getMessage() != null
                        ? bad.getCause().getMessage()
                        : bad.getReason();
                return new Answer(code, "Bad request", "The request could not be read: " + reason + ".");
            }
            if (t instanceof NumberFormatException n) {
                return new Answer(400, "Bad request", "A whole number was expected: " + n.getMessage() + ".");
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().equals("22P05") || sql.getSQLState().equals("22021"))) {
                return new Answer(
                        400,
                        "Bad request",
                        "The text sent contains a character that cannot be stored" + " (a NUL, \\u0000).");
            }
            if (t.getClass().getName().endsWith("NotUtf8Exception")) {
                return new Answer(400, "Bad request", "The request is not valid UTF-8.");
            }
        }
        return new Answer(500, "Something went wrong", "Cohort could not answer this request.");
    }

    /** Writes the answer; logs the cause with a new id (its stack for our own faults). */
    static void answer(HttpServletRequest request, HttpServletResponse response, Answer a, Throwable cause)
            throws IOException {
        String id = io.cohort.platform.session.RandomIds.id(10);
        if (a.status() >= 500) {
            LOG.error("error {} on {} {}", id, request.getMethod(), request.getRequestURI(), cause);
        } else {
            LOG.info(
                    "error {} on {} {}: {} {}",
                    id,
                    request.getMethod(),
                    request.getRequestURI(),
                    a.status(),
                    cause == null ? a.text() : cause.toString());
        }
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        response.setStatus(a.status());
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        String accept = request.getHeader("Accept");
        boolean json = accept != null && accept.contains("application/json") && !accept.contains("text/html")
                || request.getRequestURI().startsWith("/api/");
        String body;
        if (json) {
            response.setContentType("application/json; charset=utf-8");
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("error", a.text());
            fields.put("id", id);
            body = JSON.writeValueAsString(fields);
        } else {
            response.setContentType("text/html; charset=utf-8");
            body = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                    + escape(a.title()) + "</title><link rel=\"stylesheet\" href=\"/static/cohort/cohort.css\"></head>"
                    + "<body><main><h1>" + escape(a.title()) + "</h1><p>" + escape(a.text()) + "</p>"
                    + "<p class=\"muted\">Error id <code>" + id + "</code> (the log has the details).</p>"
                    + "<p><a href=\"/\">Start page</a></p></main></body></html>");
        }
        // A whole, sized answer: the client may still be sending a body we will not read, and the connection closes.
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        if (a.status() == 400 || a.status() == 413) {
            response.setHeader("Connection", "close");
        }
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** In front of the application: reads the parameters first, so a malformed form is refused here, as 4xx. */
    public static final class Guard implements Filter {
        @Override
        public void init(javax.servlet.FilterConfig config) {}

        @Override
        public void destroy() {}

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            HttpServletResponse response = (HttpServletResponse) res;
            try {
                for (Map.Entry<String, String[]> e : request.getParameterMap().entrySet()) {
                    for (String value : e.getValue()) {
                        if (value.indexOf('\0') >= 0 || e.getKey().indexOf('\0') >= 0) {
                            answer(
                                    request,
                                    response,
                                    new Answer(
                                            400,
                                            "Bad request",
                                            "The field '" + e.getKey().replace('\0', '?')
                                                    + "' contains a NUL character (\\u0000)."),
                                    null);
                            return;
                        }
                    }
                }
            } catch (RuntimeException e) {
                answer(request, response, classify(e), e);
                return;
            }
            try {
                chain.doFilter(req, res);
            } catch (IOException | ServletException | RuntimeException e) {
                Answer a = classify(e);
                answer(request, response, a, e);
            }
        }
    }

    /** The route errors Pippo would otherwise answer with its own page. */
    public static ExceptionHandler routes() {
        return (Exception e, RouteContext ctx) -> {
            try {
                answer(
                        ctx.getRequest().getHttpServletRequest(),
                        ctx.getResponse().getHttpServletResponse(),
                        classify(e),
                        e);
            } catch (IOException io) {
                LOG.warn("cannot send an error answer: {}", io.getMessage());
            }
        };
    }

    /** Jetty's own errors (a request line or header it cannot parse, a 404 outside the application). */
    public static final class Jetty extends ErrorHandler {
        public Jetty() {
            setShowStacks(false);
            setShowServlet(false);
        }

        @Override
        protected void generateAcceptableResponse(
                Request baseRequest, HttpServletRequest request, HttpServletResponse response, int code, String message)
                throws IOException {
            Throwable cause = (Throwable) request.getAttribute("javax.servlet.error.exception");
            Answer a = cause == null
                    ? new Answer(
                            code,
                            code >= 500 ? "Something went wrong" : "Bad request",
                            code >= 500 ? "Cohort could not answer this request." : "The request could not be read.")
                    : classify(cause);
            answer(request, response, a, cause);
            baseRequest.setHandled(true);
        }
    }
}
