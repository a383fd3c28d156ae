package io.cohort.testkit.prolific;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The participant's side of the emulator as plain HTML pages: the studies a participant id can take, take (a 302 to
 * the study URL with the placeholders filled in), return, and {@code /submissions/complete?cc=CODE}, the page Prolific
 * serves at {@code https://app.prolific.com/submissions/complete}. Same rules as the in-code participant side.
 */
final class ParticipantSite {
    private static final Pattern COOKIE = Pattern.compile("(?:^|;\\s*)prolific_pid=([^;]*)");

    private final ProlificWorkspace workspace;
    private final AtomicLong requests;

    ParticipantSite(ProlificWorkspace workspace, AtomicLong requests) {
        this.workspace = workspace;
        this.requests = requests;
    }

    void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            try {
                if (path.equals("/participant") && method.equals("GET")) {
                    redirect(exchange, 303, "/participant/", null);
                } else if (path.equals("/participant/") && method.equals("GET")) {
                    home(exchange);
                } else if (path.equals("/participant/take") && method.equals("POST")) {
                    take(exchange);
                } else if (path.equals("/participant/return") && method.equals("POST")) {
                    giveBack(exchange);
                } else if (path.equals("/submissions/complete") && method.equals("GET")) {
                    complete(exchange);
                } else {
                    page(exchange, 404, "Not found", "<p>No page " + html(method + " " + path) + " here.</p>");
                }
            } catch (ProlificError e) {
                page(exchange, e.status, "Refused", "<p>" + html(e.getMessage()) + "</p>" + back(null));
            }
        }
    }

    private void home(HttpExchange exchange) throws IOException {
        Map<String, List<String>> query = parameters(exchange.getRequestURI().getRawQuery());
        String pid = first(query, "pid");
        if (pid == null || pid.isBlank()) pid = cookiePid(exchange);
        StringBuilder b = new StringBuilder();
        b.append("<form method=\"get\" action=\"/participant/\"><label>Participant id <input name=\"pid\" value=\"")
                .append(html(pid == null ? "" : pid))
                .append("\" required></label> <button>Show my studies</button></form>\n");
        if (pid == null || pid.isBlank()) {
            page(
                    exchange,
                    200,
                    "Prolific emulator: participants",
                    b.append("<p>Enter a participant id (letters, digits, - and _).</p>")
                            .toString());
            return;
        }
        b.append("<h2>Studies you can take</h2>\n<table><tr><th>Study</th><th>Reward</th><th>Minutes</th>"
                + "<th>Places left</th><th></th></tr>\n");
        for (ProlificEmulator.StudyListing s : workspace.openStudies(pid)) {
            b.append("<tr><td>")
                    .append(html(s.name()))
                    .append("</td><td>")
                    .append(money(s.rewardCents()))
                    .append("</td><td>")
                    .append(s.estimatedMinutes())
                    .append("</td><td>")
                    .append(s.placesLeft())
                    .append("</td><td>")
                    .append(button("/participant/take", pid, s.id(), "Take part"))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Your submissions</h2>\n<table><tr><th>Study</th><th>Submission</th><th>Status</th>"
                + "<th>Code</th><th></th></tr>\n");
        for (ProlificEmulator.SubmissionView s : workspace.submissionsOf(pid)) {
            b.append("<tr><td>")
                    .append(html(workspace.studyName(s.studyId())))
                    .append("</td><td>")
                    .append(html(s.id()))
                    .append("</td><td>")
                    .append(html(s.status()))
                    .append("</td><td>")
                    .append(html(s.enteredCode() == null ? "" : s.enteredCode()))
                    .append("</td><td>")
                    .append(
                            s.status().equals("ACTIVE")
                                    ? button("/participant/return", pid, s.studyId(), "Return")
                                    : "")
                    .append("</td></tr>\n");
        }
        page(exchange, 200, "Prolific emulator: " + pid, b.append("</table>").toString());
    }

    private void take(HttpExchange exchange) throws IOException {
        Map<String, List<String>> form = form(exchange);
        String pid = first(form, "pid");
        String url = workspace.take(pid, required(form, "study_id"));
        redirect(exchange, 302, url, "prolific_pid=" + encode(pid) + "; Path=/; HttpOnly; SameSite=Lax");
    }

    private void giveBack(HttpExchange exchange) throws IOException {
        Map<String, List<String>> form = form(exchange);
        String pid = required(form, "pid");
        workspace.giveBack(pid, required(form, "study_id"));
        redirect(exchange, 303, "/participant/?pid=" + encode(pid), null);
    }

    private void complete(HttpExchange exchange) throws IOException {
        Map<String, List<String>> query = parameters(exchange.getRequestURI().getRawQuery());
        String pid = first(query, "pid");
        if (pid == null || pid.isBlank()) pid = cookiePid(exchange);
        if (pid == null)
            throw ProlificError.badRequest(
                    "Who are you? Take the study from /participant/ first (a cookie says who you are) or add &pid=.");
        String studyId = first(query, "study_id");
        ProlificEmulator.SubmissionView s =
                workspace.complete(pid, studyId == null || studyId.isBlank() ? null : studyId, first(query, "cc"));
        String next = switch (s.status()) {
            case "APPROVED" -> "It was approved at once: the reward is on its way.";
            case "SCREENED OUT" -> "You were screened out and paid the fixed screen-out reward.";
            default -> "The researcher will review it.";
        };
        page(
                exchange,
                200,
                "Submission completed",
                "<p>You completed study <b>" + html(workspace.studyName(s.studyId())) + "</b> (" + html(s.studyId())
                        + ") with code <code>" + html(s.enteredCode()) + "</code>. Submission " + html(s.id())
                        + " is now <b>" + html(s.status()) + "</b>. " + html(next) + "</p>" + back(pid));
    }

    private static String back(String pid) {
        return "<p><a href=\"/participant/" + (pid == null ? "" : "?pid=" + html(encode(pid)))
                + "\">Back to the studies</a></p>";
    }

    private static String required(Map<String, List<String>> fields, String name) {
        String v = first(fields, name);
        if (v == null || v.isBlank()) throw ProlificError.badRequest(name + " is missing.");
        return v;
    }

    private static String cookiePid(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            Matcher m = COOKIE.matcher(header);
            if (m.find()) return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private static String button(String action, String pid, String studyId, String label) {
        return "<form method=\"post\" action=\"" + html(action) + "\" style=\"display:inline\">"
                + "<input type=\"hidden\" name=\"pid\" value=\"" + html(pid) + "\">"
                + "<input type=\"hidden\" name=\"study_id\" value=\"" + html(studyId) + "\"><button>" + html(label)
                + "</button></form>";
    }

    private static String money(long cents) {
        return cents / 100 + "." + String.format("%02d", cents % 100);
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

    private static void redirect(HttpExchange exchange, int status, String location, String cookie) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        if (cookie != null) exchange.getResponseHeaders().set("Set-Cookie", cookie);
        exchange.sendResponseHeaders(status, -1);
    }

    private static void page(HttpExchange exchange, int status, String title, String body) throws IOException {
        byte[] bytes = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html(title)
                        + "</title></head><body>\n<h1>" + html(title) + "</h1>\n" + body + "\n</body></html>\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
