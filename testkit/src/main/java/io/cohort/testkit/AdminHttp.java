package io.cohort.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An HTTP client for tests of a node's admin pages and API. It keeps its own cookies, follows no redirects, and
 * remembers the CSRF token of the last admin page it fetched so {@link #postForm} can send it like a browser
 * would. {@link #bearer(String)} makes a client that sends the API token instead of cookies.
 */
public final class AdminHttp {

    private static final Pattern CSRF_FIELD =
            Pattern.compile("<input type=\"hidden\" name=\"_csrf\" value=\"([^\"]*)\">");
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final URI base;
    private final HttpClient client;
    private final String bearer;
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final Map<String, String> extraHeaders = new LinkedHashMap<>();
    private String csrf;

    public AdminHttp(URI base) {
        this(base, null);
    }

    private AdminHttp(URI base, String bearer) {
        this.base = base;
        this.bearer = bearer;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** The address this client sends to. */
    public URI base() {
        return base;
    }

    /** An answer: status, body and headers (names in lower case). */
    public record Response(int status, String body, Map<String, List<String>> headers) {

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase());
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of());
        }

        /** The {@code Location} header, or null. */
        public String location() {
            return header("location");
        }

        /** The path and query of the {@code Location} header (Jetty makes it absolute), or null. */
        public String redirectPath() {
            String location = location();
            if (location == null) {
                return null;
            }
            URI uri = URI.create(location);
            return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        }

        /** The {@code Set-Cookie} header that sets {@code name}, if any. */
        public Optional<String> setCookie(String name) {
            return headers("set-cookie").stream()
                    .filter(c -> c.startsWith(name + "="))
                    .findFirst();
        }

        @Override
        public String toString() {
            return status + " " + headers + "\n" + body;
        }
    }

    /** Sends this header with every request from now on (e.g. {@code X-Forwarded-For} as a proxy would). */
    public AdminHttp header(String name, String value) {
        extraHeaders.put(name, value);
        return this;
    }

    /** A client that sends {@code Authorization: Bearer <token>} and no cookies or CSRF tokens. */
    public AdminHttp bearer(String token) {
        return new AdminHttp(base, token);
    }

    /**
     * Logs in like the form does: {@code GET /login} for its CSRF cookie and field, then {@code POST /login}.
     * Returns the POST's answer (302 on success).
     */
    public Response login(String user, String password) {
        csrf = null;
        Response form = get("/login");
        String token =
                csrfField(form.body()).orElseThrow(() -> new AssertionError("GET /login has no _csrf field: " + form));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", token);
        fields.put("username", user);
        fields.put("password", password);
        fields.put("next", "/admin/");
        return postFormAsIs("/login", fields);
    }

    /**
     * Follows the one-time start-up link ({@code /login/auto?token=...}) and chooses the admin password on the page
     * it shows, like the first admin does. Returns the POST's answer (302 to the dashboard on success); the link's
     * own page is refused (403) when the link was used.
     */
    public Response choosePassword(String link, String password, String repeat) {
        csrf = null;
        Response form = get(link);
        if (form.status() != 200) {
            return form;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", csrfField(form.body()).orElseThrow(() -> new AssertionError("no _csrf field: " + form)));
        fields.put("token", link.replaceAll(".*[?&]token=([^&]*).*", "$1"));
        fields.put("password", password);
        fields.put("repeat", repeat);
        return postFormAsIs("/login/auto", fields);
    }

    /** Sends the logout form (with the current CSRF token). */
    public Response logout() {
        return postForm("/logout", Map.of());
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    /**
     * POSTs a form with the CSRF token of the last admin page fetched (fetching {@code /admin/} first if none
     * was), as the page's own form would. A bearer client sends no token.
     */
    public Response postForm(String path, Map<String, String> fields) {
        Map<String, String> all = new LinkedHashMap<>(fields);
        if (bearer == null) {
            all.putIfAbsent("_csrf", csrf());
        }
        return postFormAsIs(path, all);
    }

    /** POSTs exactly these fields, with no CSRF token added. */
    public Response postFormAsIs(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return send(request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Any method (HEAD, PUT, DELETE, ...) with an empty body and no CSRF token, as a crafted request would be. */
    public Response call(String method, String path) {
        return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** A POST with an empty body and no CSRF token (for the API with a bearer token). */
    public Response post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * A {@code multipart/form-data} POST of {@code fields} (plus the current CSRF token) and one file in the
     * field {@code fileField}.
     */
    public Response postMultipart(
            String path, Map<String, String> fields, String fileField, String fileName, byte[] content) {
        Map<String, String> all = new LinkedHashMap<>(fields);
        if (bearer == null) {
            all.putIfAbsent("_csrf", csrf());
        }
        String boundary = "cohort-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        all.forEach((name, value) -> write(
                body,
                "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                        + "\r\n"));
        write(
                body,
                "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fileField + "\"; filename=\""
                        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.writeBytes(content);
        write(body, "\r\n--" + boundary + "--\r\n");
        return send(request(path)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** The CSRF token of the last admin page fetched; fetches {@code /admin/} if there was none. */
    public String csrf() {
        if (csrf == null) {
            Response page = get("/admin/");
            if (csrf == null) {
                throw new AssertionError("GET /admin/ shows no _csrf field (not logged in?): " + page.status());
            }
        }
        return csrf;
    }

    /** The value of a cookie this client holds, or null. */
    public String cookie(String name) {
        return cookies.get(name);
    }

    /** Sets a cookie as if the server had (e.g. an old login cookie). */
    public AdminHttp cookie(String name, String value) {
        cookies.put(name, value);
        return this;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT);
        extraHeaders.forEach(builder::header);
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        } else if (!cookies.isEmpty()) {
            builder.header(
                    "Cookie",
                    cookies.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("; ")));
        }
        return builder;
    }

    /** A GET whose answer is a file (a dump, an archive): its bytes, whatever the status. */
    public byte[] getBytes(String path) {
        try {
            return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Response send(HttpRequest.Builder builder) {
        HttpResponse<String> answer;
        try {
            answer = client.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        answer.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
        Response response = new Response(answer.statusCode(), answer.body(), headers);
        if (bearer == null) {
            response.headers("set-cookie").forEach(this::keepCookie);
            csrfField(response.body()).ifPresent(token -> {
                if (!answer.request().uri().getPath().equals("/login")) {
                    csrf = token;
                }
            });
        }
        return response;
    }

    private void keepCookie(String header) {
        String[] parts = header.split(";");
        int eq = parts[0].indexOf('=');
        if (eq < 0) {
            return;
        }
        String name = parts[0].substring(0, eq).trim();
        String value = parts[0].substring(eq + 1).trim();
        boolean expired = value.isEmpty();
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim().toLowerCase();
            if (attribute.equals("max-age=0")
                    || attribute.startsWith("expires=thu, 01-jan-1970")
                    || attribute.startsWith("expires=thu, 01 jan 1970")) {
                expired = true;
            }
        }
        if (expired) {
            cookies.remove(name);
        } else {
            cookies.put(name, value);
        }
    }

    private static Optional<String> csrfField(String html) {
        Matcher m = CSRF_FIELD.matcher(html == null ? "" : html);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
