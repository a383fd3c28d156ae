package io.cohort.bench;

import io.cohort.testkit.RunningCohort;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node holding many participants with their page's socket open — half on a form page, half on a wait page
 * their partner never reaches — while other participants submit form pages at a steady pace. Prints the paced
 * submit latency, how many sockets closed on their own (none should), and the node's heap after a full GC and RSS.
 *
 * <pre>bench/connected-participants.sh [--connected 10000] [--clients 500] [--seconds 30] [--warmup 10]
 *     [--think-ms 1000] [--dist DIR]</pre>
 */
public final class ConnectedParticipantsBench {

    static final String TOKEN = "bench-token";

    public static void main(String[] args) throws Exception {
        int connected = PageSubmitBench.intArg(args, "--connected", 10_000);
        int clients = PageSubmitBench.intArg(args, "--clients", 500);
        int seconds = PageSubmitBench.intArg(args, "--seconds", 30);
        int warmup = PageSubmitBench.intArg(args, "--warmup", 10);
        int think = PageSubmitBench.intArg(args, "--think-ms", 1000);
        Path dist = null;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--dist")) {
                dist = Path.of(args[i + 1]);
            }
        }
        if (dist == null) {
            dist = PaymentBench.distribution();
        }
        Path home = Files.createTempDirectory("cohort-bench-connected");
        PageSubmitBench.writeExperiment(home.resolve("experiments/submit-bench"));
        writeWaitingExperiment(home.resolve("experiments/connected-bench"));
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (RunningCohort node = RunningCohort.in(dist)
                .home(home)
                .env("COHORT_DB_URL", TestDatabase.create())
                .env("COHORT_API_TOKEN", TOKEN)
                .env("JAVA_OPTS", System.getProperty("node.java.opts", "-Xmx2g"))
                .start()) {
            String base = node.url().toString().replaceAll("/?$", "/");
            long pid = ClusterSubmitBench.javaPid(node);
            System.out.printf(
                    "Connected participants: %d sockets open on one node (pid %d), %d participants submitting a page"
                            + " every %d ms on average, %d s warm-up, %d s measured, %d cores shared by node,"
                            + " PostgreSQL and this load generator%n",
                    connected,
                    pid,
                    clients,
                    think,
                    warmup,
                    seconds,
                    Runtime.getRuntime().availableProcessors());
            Memory idle = Memory.of(pid);
            System.out.printf("node before: heap after full GC %d MB, RSS %d MB%n", idle.heapMb(), idle.rssMb());

            long t0 = System.nanoTime();
            List<String> waiting = sessionUrls(http, base, "connected-bench", connected);
            Sockets sockets = new Sockets();
            openAll(http, base, waiting, sockets);
            System.out.printf(
                    "%d sockets open (%d on the wait page, %d on the form page) in %.1f s%n",
                    sockets.opened.get(),
                    count(node, "page_index = 1"),
                    count(node, "page_index = 0"),
                    (System.nanoTime() - t0) / 1e9);

            List<String> urls = PageSubmitBench.participantUrls(http, base, TOKEN, clients);
            int[] pages = new int[clients];
            PageSubmitBench.Result paced =
                    PageSubmitBench.run("paced submits", http, clients, warmup, seconds, think, pages, urls::get);

            int answered = sockets.pingAll();
            Memory loaded = Memory.of(pid);
            System.out.printf(
                    "%nsockets: %d opened, %d closed or failed on their own, %d of %d answered a ping after the run%n",
                    sockets.opened.get(), sockets.dropped.get(), answered, connected);
            System.out.printf(
                    "paced: %.0f submits/s, p50 %.1f ms, p99 %.1f ms (target < 100 ms)%n",
                    paced.perSecond(), paced.p(50), paced.p(99));
            System.out.printf(
                    "node after: heap after full GC %d MB, RSS %d MB (%.1f KB of heap per open participant)%n",
                    loaded.heapMb(), loaded.rssMb(), (loaded.heapKb - idle.heapKb) / (double) connected);
            sockets.closeAll();
        }
    }

    /** Pairs: the second of each pair submits the first page and waits for a partner who stays on it. */
    static void writeWaitingExperiment(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("experiment.yaml"), """
                name: connected-bench
                title: Participants who stay connected
                version: "1"
                groupSize: 2
                pages:
                  - name: ready
                    kind: form
                    template: page.peb
                    fields:
                      - {name: ready, type: boolean, label: Ready}
                  - {name: wait, kind: wait, template: page.peb}
                  - {name: done, kind: form, template: page.peb}
                """);
        Files.writeString(
                dir.resolve("page.peb"),
                "{% extends \"participant.peb\" %}{% block content %}<p>Page</p>{% endblock %}");
    }

    static List<String> sessionUrls(HttpClient http, String base, String experiment, int n) throws Exception {
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create(base + "api/sessions"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"experiment\": \"" + experiment + "\", \"participants\": " + n + "}"))
                        .timeout(Duration.ofMinutes(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException(
                    "cannot create the session: " + created.statusCode() + " " + created.body());
        }
        List<String> paths = new ArrayList<>();
        Matcher m = Pattern.compile("\"(/p/[^\"]+/)\"").matcher(created.body());
        while (m.find()) {
            paths.add(m.group(1));
        }
        if (paths.size() != n) {
            throw new IllegalStateException("expected " + n + " participant URLs, got " + paths.size());
        }
        return paths;
    }

    /**
     * Each participant loads their page (the second of a pair also submits it and lands on the wait page), then
     * opens the page's socket and says hello as cohort.js does; at most 16 at a time (the first load assigns a condition under a lock).
     */
    static void openAll(HttpClient http, String base, List<String> paths, Sockets sockets) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            boolean waits = i % 2 == 1;
            inFlight.acquire();
            URI page = URI.create(base + path.substring(1));
            CompletableFuture<?> f = http.sendAsync(
                            HttpRequest.newBuilder(page).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .thenCompose(r -> !waits
                            ? CompletableFuture.completedFuture(r)
                            : http.sendAsync(
                                    HttpRequest.newBuilder(page)
                                            .header("Content-Type", "application/x-www-form-urlencoded")
                                            .POST(HttpRequest.BodyPublishers.ofString("_page=0&ready=true"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()))
                    .thenCompose(r -> {
                        if (waits && r.statusCode() != 303) {
                            throw new IllegalStateException(
                                    path + ": the first page's submit answered " + r.statusCode());
                        }
                        String socket = "ws://" + page.getAuthority() + "/ws" + path.substring(0, path.length() - 1);
                        return http.newWebSocketBuilder().buildAsync(URI.create(socket), sockets.listener());
                    })
                    .thenAccept(ws -> {
                        sockets.add(ws);
                        ws.sendText("{\"hello\": null}", true);
                    })
                    .whenComplete((ok, e) -> inFlight.release());
            all.add(f);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    }

    static long count(RunningCohort node, String where) {
        return Long.parseLong(
                node.sql("SELECT count(*) FROM cohort.participant p JOIN cohort.session s ON s.id = p.session_id"
                                + " WHERE s.experiment = 'connected-bench' AND " + where)
                        .strip());
    }

    /** The open sockets, and those that closed or failed without being asked to. */
    static final class Sockets {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger dropped = new AtomicInteger();
        final AtomicInteger pongs = new AtomicInteger();
        final List<WebSocket> open = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean closing;

        void add(WebSocket ws) {
            open.add(ws);
            opened.incrementAndGet();
        }

        WebSocket.Listener listener() {
            return new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
                    pongs.incrementAndGet();
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                    if (!closing) {
                        dropped.incrementAndGet();
                    }
                    return null;
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    if (!closing) {
                        dropped.incrementAndGet();
                    }
                }
            };
        }

        /** How many open sockets answer a ping within 30 s. */
        int pingAll() throws InterruptedException {
            pongs.set(0);
            List<WebSocket> copy;
            synchronized (open) {
                copy = List.copyOf(open);
            }
            for (WebSocket ws : copy) {
                ws.sendPing(ByteBuffer.wrap(new byte[] {1}));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pongs.get() < copy.size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            return pongs.get();
        }

        void closeAll() {
            closing = true;
            synchronized (open) {
                open.forEach(ws -> ws.abort());
            }
        }
    }

    /** A JVM's heap in use right after a full GC it was asked for, and its resident set. */
    record Memory(long heapKb, long rssKb) {
        long heapMb() {
            return heapKb / 1024;
        }

        long rssMb() {
            return rssKb / 1024;
        }

        static Memory of(long pid) throws Exception {
            jcmd(pid, "GC.run");
            String info = jcmd(pid, "GC.heap_info");
            Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
            long heap = 0;
            while (used.find()) {
                heap += Long.parseLong(used.group(1));
            }
            Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB")
                    .matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
            return new Memory(heap, rss.find() ? Long.parseLong(rss.group(1)) : -1);
        }

        static String jcmd(long pid, String command) throws Exception {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + command + " failed: " + out);
            }
            return out;
        }
    }
}
