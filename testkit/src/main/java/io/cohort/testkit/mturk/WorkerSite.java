package io.cohort.testkit.mturk;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The worker's side of the emulator as plain HTML pages: sign in with a WorkerId, list HITs, preview, accept, return,
 * and {@code /mturk/externalSubmit} where an ExternalQuestion page posts its answers. Same rules as the in-code worker side.
 */
final class WorkerSite {
    private static final Pattern HIT = Pattern.compile("^/worker/hits/([A-Z0-9]{1,64})$");
    private static final Pattern ACCEPT = Pattern.compile("^/worker/hits/([A-Z0-9]{1,64})/accept$");
    private static final Pattern RETURN = Pattern.compile("^/worker/assignments/([A-Z0-9]{1,64})/return$");
    private static final Pattern WORKER_ID = Pattern.compile("^A[A-Z0-9]{1,63}$");
    private static final Pattern COOKIE = Pattern.compile("(?:^|;\\s*)workerId=([^;]*)");
    private static final String ANSWERS_NS =
            "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd";

    private final MTurkAccount account;
    private final Supplier<String> submitTo;

    WorkerSite(MTurkAccount account, Supplier<String> submitTo) {
        this.account = account;
        this.submitTo = submitTo;
    }

    void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Matcher m;
            try {
                if (path.equals("/mturk/externalSubmit") && (method.equals("GET") || method.equals("POST"))) {
                    externalSubmit(exchange);
                } else if (path.equals("/worker") && method.equals("GET")) {
                    redirect(exchange, "/worker/", null);
                } else if (path.equals("/worker/") && method.equals("GET")) {
                    home(exchange);
                } else if (path.equals("/worker/signin") && method.equals("POST")) {
                    signIn(exchange);
                } else if ((m = HIT.matcher(path)).matches() && method.equals("GET")) {
                    redirect(
                            exchange,
                            withParameters(
                                    account.previewUrlOf(m.group(1), cookieWorker(exchange)),
                                    "assignmentId",
                                    "ASSIGNMENT_ID_NOT_AVAILABLE",
                                    "hitId",
                                    m.group(1)),
                            null);
                } else if ((m = ACCEPT.matcher(path)).matches() && method.equals("POST")) {
                    accept(exchange, m.group(1));
                } else if ((m = RETURN.matcher(path)).matches() && method.equals("POST")) {
                    account.giveBack(m.group(1), signedIn(exchange));
                    redirect(exchange, "/worker/", null);
                } else {
                    page(
                            exchange,
                            404,
                            "Not found",
                            "<p>No page " + html(method + " " + path) + " on the worker site.</p>");
                }
            } catch (Refusal r) {
                page(exchange, r.status, "Refused", "<p>" + html(r.getMessage()) + "</p>");
            } catch (MTurkError e) {
                page(exchange, status(e), "Refused", "<p>" + html(reason(e)) + "</p>");
            }
        }
    }

    private void home(HttpExchange exchange) throws IOException {
        String workerId = cookieWorker(exchange);
        StringBuilder b = new StringBuilder();
        b.append("<form method=\"post\" action=\"/worker/signin\"><label>WorkerId <input name=\"workerId\" value=\"")
                .append(html(workerId == null ? "" : workerId))
                .append("\" pattern=\"A[A-Z0-9]+\" required></label> ")
                .append("<button>Sign in</button></form>\n");
        if (workerId == null) {
            page(
                    exchange,
                    200,
                    "MTurk emulator: worker site",
                    b.append("<p>Sign in with a WorkerId (A followed by capitals and digits).</p>")
                            .toString());
            return;
        }
        b.append(
                "<h2>HITs you can accept</h2>\n<table><tr><th>Title</th><th>Reward</th><th>Slots left</th><th></th></tr>\n");
        for (MTurkAccount.HitListing h : account.assignableHits(workerId)) {
            b.append("<tr><td>")
                    .append(html(h.title()))
                    .append("</td><td>$")
                    .append(html(h.reward()))
                    .append("</td><td>")
                    .append(h.slotsLeft())
                    .append("</td><td><a href=\"/worker/hits/")
                    .append(h.hitId())
                    .append("\">Preview</a> ")
                    .append(button("/worker/hits/" + h.hitId() + "/accept", "Accept"))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Your accepted assignments</h2>\n<table><tr><th>Title</th><th>Due</th><th></th></tr>\n");
        for (MTurkAccount.AcceptedAssignment a : account.acceptedBy(workerId)) {
            b.append("<tr><td>")
                    .append(html(a.title()))
                    .append("</td><td>")
                    .append(Instant.ofEpochMilli(a.deadlineMillis()))
                    .append("</td><td>")
                    .append(button("/worker/assignments/" + a.assignmentId() + "/return", "Return"))
                    .append("</td></tr>\n");
        }
        page(exchange, 200, "MTurk emulator: " + workerId, b.append("</table>").toString());
    }

    private void signIn(HttpExchange exchange) throws IOException {
        String workerId = first(form(exchange), "workerId");
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new Refusal(
                    400,
                    "WorkerId '" + (workerId == null ? "" : workerId)
                            + "' is not a worker ID (A followed by capitals and digits).");
        }
        redirect(exchange, "/worker/", "workerId=" + workerId + "; Path=/; HttpOnly; SameSite=Lax");
    }

    private void accept(HttpExchange exchange, String hitId) throws IOException {
        String workerId = signedIn(exchange);
        String url = account.externalUrlOf(hitId); // before taking a slot: a HIT without ExternalURL is refused whole
        String assignmentId = account.accept(hitId, workerId);
        redirect(
                exchange,
                withParameters(
                        url,
                        "assignmentId",
                        assignmentId,
                        "hitId",
                        hitId,
                        "workerId",
                        workerId,
                        "turkSubmitTo",
                        submitTo.get()),
                null);
    }

    private void externalSubmit(HttpExchange exchange) throws IOException {
        Map<String, List<String>> fields = parameters(exchange.getRequestURI().getRawQuery());
        if (exchange.getRequestMethod().equals("POST"))
            form(exchange)
                    .forEach((k, v) ->
                            fields.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        String assignmentId = first(fields, "assignmentId");
        if (assignmentId == null || assignmentId.isEmpty()) throw new Refusal(400, "assignmentId is missing.");
        fields.remove("assignmentId");
        if (fields.isEmpty()) {
            throw new Refusal(
                    400, "Only assignmentId was sent: an externalSubmit needs at least one answer field besides it.");
        }
        if (assignmentId.equals("ASSIGNMENT_ID_NOT_AVAILABLE")) {
            throw new Refusal(
                    400,
                    "assignmentId is ASSIGNMENT_ID_NOT_AVAILABLE: a previewed HIT cannot be submitted; accept it first.");
        }
        try {
            account.submit(assignmentId, answerXml(fields));
        } catch (MTurkError e) {
            throw new Refusal(400, reason(e));
        }
        page(
                exchange,
                200,
                "Submitted",
                "<p>Assignment " + html(assignmentId) + " is submitted. Thank you.</p>"
                        + "<p><a href=\"/worker/\">Back to the HITs</a></p>");
    }

    /** The fields as MTurk keeps them: one Answer per value, the field name as QuestionIdentifier. */
    static String answerXml(Map<String, List<String>> fields) {
        StringBuilder b = new StringBuilder(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<QuestionFormAnswers xmlns=\"")
                .append(ANSWERS_NS)
                .append("\">");
        fields.forEach((name, values) -> {
            for (String v : values) {
                b.append("<Answer><QuestionIdentifier>")
                        .append(html(name))
                        .append("</QuestionIdentifier><FreeText>")
                        .append(html(v))
                        .append("</FreeText></Answer>");
            }
        });
        return b.append("</QuestionFormAnswers>").toString();
    }

    private String signedIn(HttpExchange exchange) {
        String workerId = cookieWorker(exchange);
        if (workerId == null) throw new Refusal(403, "Sign in with a WorkerId first (on /worker/).");
        return workerId;
    }

    private static String cookieWorker(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            Matcher m = COOKIE.matcher(header);
            if (m.find() && WORKER_ID.matcher(m.group(1)).matches()) return m.group(1);
        }
        return null;
    }

    private static int status(MTurkError e) {
        String code = e.turkErrorCode == null ? "" : e.turkErrorCode.substring(e.turkErrorCode.lastIndexOf('.') + 1);
        return switch (code) {
            case "HITDoesNotExist" -> 404;
            case "QualificationRequirementNotMet", "WorkerBlocked" -> 403;
            case "WorkerAlreadyAccepted", "HITNotAssignable", "AssignmentNotAccepted" -> 409;
            default -> 400;
        };
    }

    /** The error's message without the service's trailing "(epochMillis)". */
    private static String reason(MTurkError e) {
        return e.getMessage().replaceFirst(" \\(\\d+\\)$", "");
    }

    static String withParameters(String url, String... namesAndValues) {
        StringBuilder b = new StringBuilder(url);
        char separator = url.contains("?") ? '&' : '?';
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.append(separator).append(encode(namesAndValues[i])).append('=').append(encode(namesAndValues[i + 1]));
            separator = '&';
        }
        return b.toString();
    }

    private static String button(String action, String label) {
        return "<form method=\"post\" action=\"" + html(action) + "\" style=\"display:inline\"><button>" + html(label)
                + "</button></form>";
    }

    private static Map<String, List<String>> form(HttpExchange exchange) throws IOException {
        return parameters(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Map<String, List<String>> parameters(String encoded) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) return out;
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> v = fields.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static void redirect(HttpExchange exchange, String location, String cookie) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        if (cookie != null) exchange.getResponseHeaders().set("Set-Cookie", cookie);
        exchange.sendResponseHeaders(303, -1);
    }

    private static void page(HttpExchange exchange, int status, String title, String body) throws IOException {
        byte[] bytes = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html(title)
                        + "</title></head><body>\n<h1>" + html(title) + "</h1>\n" + body + "\n</body></html>\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A worker-site refusal with its HTTP status. */
    private static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
