package io.cohort.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cohort.platform.Host;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.AbstractHandler;

/**
 * Page submits (HTTP POST of a five-field form → field rows committed) by N concurrent simulated participants,
 * against Cohort and, in the same run and on the same database server, against a bare Jetty handler that parses
 * the same form and inserts the same rows with plain JDBC in one transaction. Prints throughput, the ratio of the
 * two, and latency percentiles.
 *
 * <pre>bench/page-submit.sh [--clients 500] [--seconds 20] [--warmup 5] [--think-ms 1000]</pre>
 */
public final class PageSubmitBench {

    static final int PAGES = 400;
    static final String[] FIELDS = {"age", "score", "word", "pick", "agree"};

    public static void main(String[] args) throws Exception {
        int clients = intArg(args, "--clients", 500);
        int seconds = intArg(args, "--seconds", 20);
        int warmup = intArg(args, "--warmup", 5);
        int think = intArg(args, "--think-ms", 1000);
        Path home = Files.createTempDirectory("cohort-bench-submit");
        writeExperiment(home.resolve("experiments/submit-bench"));
        String db = TestDatabase.create();
        String token = "bench-token";
        InProcessNode node = InProcessNode.start(home, Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", token));
        Host host = node.host();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            List<String> urls = participantUrls(http, host.url(), token, clients);
            System.out.printf(
                    "%d participants, %d s warm-up, %d s measured, %d pages of 5 fields%n",
                    clients, warmup, seconds, PAGES);

            int[] cohortPages = new int[clients];
            int[] rawPages = new int[clients];
            int rawPort = freePort();
            HikariDataSource pool = rawPool(db);
            Server jetty = rawServer(rawPort, pool, firstParticipantIds(pool, clients));
            IntFunction<String> rawUrl = i -> "http://127.0.0.1:" + rawPort + "/raw/" + i;
            try {
                System.out.println("-- saturation: every participant submits again as soon as answered");
                Result cohort = run("cohort", http, clients, warmup, seconds, 0, cohortPages, i -> urls.get(i));
                Result raw = run("raw jetty+jdbc", http, clients, warmup, seconds, 0, rawPages, rawUrl);
                System.out.printf("-- paced: each participant submits a page every %d ms on average%n", think);
                Result cohortPaced =
                        run("cohort", http, clients, warmup, seconds, think, cohortPages, i -> urls.get(i));
                run("raw jetty+jdbc", http, clients, warmup, seconds, think, rawPages, rawUrl);
                long submitted = Arrays.stream(cohortPages).sum();
                long rows = count(pool, "SELECT count(*) FROM cohort.field_value WHERE set_by LIKE 'page:p%'");
                System.out.printf(
                        "%ncohort: %d submits answered 303, %d field rows committed (%d per submit)%n",
                        submitted, rows, submitted == 0 ? 0 : rows / submitted);
                System.out.printf(
                        "throughput ratio cohort / raw at saturation = %.2f (target >= 0.7)%n",
                        cohort.perSecond() / raw.perSecond());
                System.out.printf(
                        "cohort p99 paced = %.1f ms (target < 50 ms); at saturation %.1f ms%n",
                        cohortPaced.p(99), cohort.p(99));
            } finally {
                jetty.stop();
                pool.close();
            }
        } finally {
            node.close();
        }
    }

    static void writeExperiment(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder yaml = new StringBuilder("""
                name: submit-bench
                title: Page submit benchmark
                version: "1"
                groupSize: 1
                pages:
                """);
        for (int i = 0; i < PAGES; i++) {
            yaml.append("""
                      - name: p%d
                        kind: form
                        template: page.peb
                        fields:
                          - {name: age, type: int, label: Age, required: true, min: 18, max: 99}
                          - {name: score, type: decimal, label: Score, required: true}
                          - {name: word, type: text, label: Word, required: true}
                          - {name: pick, type: choice, label: Pick, choices: [a, b, c], required: true}
                          - {name: agree, type: boolean, label: Agree}
                    """.formatted(i));
        }
        Files.writeString(dir.resolve("experiment.yaml"), yaml);
        Files.writeString(
                dir.resolve("page.peb"),
                "{% extends \"participant.peb\" %}{% block content %}<p>Page</p>{% endblock %}");
    }

    /** Opens a session over the JSON API and loads each participant's first page (which starts them). */
    static List<String> participantUrls(HttpClient http, String base, String token, int n) throws Exception {
        String body = "{\"experiment\": \"submit-bench\", \"participants\": " + n + "}";
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base + "api/sessions"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException(
                    "cannot create the session: " + created.statusCode() + " " + created.body());
        }
        List<String> urls = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"(/p/[^\"]+/)\"").matcher(created.body());
        while (m.find()) {
            String url = base + m.group(1).substring(1);
            http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding());
            urls.add(url);
        }
        if (urls.size() != n) {
            throw new IllegalStateException(
                    "expected " + n + " participant URLs, got " + urls.size() + ": " + created.body());
        }
        return urls;
    }

    static String form(int page) {
        return "_page=" + page + "&age=" + (18 + page % 80) + "&score=" + (page * 0.25) + "&word="
                + URLEncoder.encode("mot-" + page + " é", StandardCharsets.UTF_8) + "&pick=" + "abc".charAt(page % 3)
                + "&agree=true";
    }

    record Result(String name, long requests, double seconds, long[] latenciesMicros) {
        double perSecond() {
            return requests / seconds;
        }

        double p(double percentile) {
            if (latenciesMicros.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(percentile / 100.0 * latenciesMicros.length) - 1;
            return latenciesMicros[Math.max(0, Math.min(latenciesMicros.length - 1, i))] / 1000.0;
        }
    }

    /** Each client posts its pages in order, as fast as answers come; only requests begun after the warm-up count. */
    static Result run(
            String name,
            HttpClient http,
            int clients,
            int warmup,
            int seconds,
            int thinkMs,
            int[] pages,
            IntFunction<String> url)
            throws InterruptedException {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> perClient = new ArrayList<>();
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[200_000];
            perClient.add(lat);
            int client = c;
            Thread t = new Thread(() -> {
                int page = pages[client];
                java.util.Random random = new java.util.Random(client);
                try {
                    while (!stop.get() && page < PAGES) {
                        if (thinkMs > 0) {
                            Thread.sleep((long) (thinkMs * (0.5 + random.nextDouble())));
                        }
                        boolean counted = measuring.get();
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(URI.create(url.apply(client)))
                                        .timeout(Duration.ofSeconds(30))
                                        .header("Content-Type", "application/x-www-form-urlencoded")
                                        .POST(HttpRequest.BodyPublishers.ofString(form(page)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        long micros = (System.nanoTime() - t0) / 1000;
                        if (r.statusCode() != 303 && errors.incrementAndGet() == 1) {
                            System.out.println("first error: page " + page + " → " + r.statusCode() + " "
                                    + r.body().replaceAll("(?s).*?(class=\"cohort-error[^>]*>[^<]*).*", "$1"));
                        }
                        if (r.statusCode() == 303) {
                            page++;
                        }
                        if (counted && !stop.get() && counts[client] < lat.length) {
                            lat[counts[client]++] = micros;
                        }
                    }
                } catch (Exception e) {
                    if (errors.incrementAndGet() == 1) {
                        System.out.println("first error: " + e);
                    }
                } finally {
                    pages[client] = page;
                    done.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        double elapsed = (System.nanoTime() - start) / 1e9;
        done.await();
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(perClient.get(c), 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        Result r = new Result(name, total, elapsed, all);
        System.out.printf(
                "%-16s %8.0f submits/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %7.1f ms  errors %d%n",
                name, r.perSecond(), r.p(50), r.p(95), r.p(99), r.p(100), errors.get());
        return r;
    }

    static long count(HikariDataSource pool, String sql) throws Exception {
        try (Connection c = pool.getConnection();
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static HikariDataSource rawPool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(10);
        return new HikariDataSource(config);
    }

    static String[] firstParticipantIds(HikariDataSource pool, int n) throws Exception {
        String[] ids = new String[n];
        try (Connection c = pool.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT id FROM cohort.participant ORDER BY created_at, id LIMIT ?")) {
            ps.setInt(1, n);
            try (var rs = ps.executeQuery()) {
                for (int i = 0; rs.next(); i++) {
                    ids[i] = rs.getString(1);
                }
            }
        }
        return ids;
    }

    /** The floor: parse the form, insert the five rows in one transaction, answer 303. */
    static Server rawServer(int port, HikariDataSource pool, String[] participants) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new AbstractHandler() {
            @Override
            public void handle(String target, Request base, HttpServletRequest request, HttpServletResponse response) {
                base.setHandled(true);
                String participant = participants[Integer.parseInt(target.substring("/raw/".length()))];
                try (Connection c = pool.getConnection()) {
                    c.setAutoCommit(false);
                    try (PreparedStatement ps =
                            c.prepareStatement("INSERT INTO cohort.field_value (participant_id, key, value, set_by)"
                                    + " VALUES (?, ?, ?::jsonb, ?)")) {
                        String page = "raw:p" + request.getParameter("_page");
                        for (String f : FIELDS) {
                            ps.setString(1, participant);
                            ps.setString(2, f);
                            ps.setString(
                                    3,
                                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                                            .textNode(String.valueOf(request.getParameter(f)))
                                            .toString());
                            ps.setString(4, page);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    c.commit();
                    response.setStatus(303);
                    response.setHeader("Location", target);
                } catch (Exception e) {
                    response.setStatus(500);
                }
            }
        });
        server.start();
        return server;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
