package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.RunningCohort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * What a lab rehearsing on a crowd market's emulator does the same way whatever the market: the built distribution
 * in a home with its demos (and test experiments), one provider's plugin set up by the subclass, a session opened
 * through the API, and the Payments API and tab, every call naming the lab's provider (several may run at once).
 */
abstract class CrowdLab implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Someone a market pays: their id there (MTurk's WorkerId, Prolific's PROLIFIC_PID) and what they did there. */
    interface Paid {
        /** The worker_id column of a payment file. */
        String workerId();

        /** The assignment_id column of a payment file: an MTurk assignment, a Prolific submission. */
        String assignmentId();
    }

    /** The provider's name, as the Payments API's {@code provider} takes it: "mturk", "prolific". */
    final String provider;
    /** The market as a person names it, for session names. */
    final String market;

    final RunningCohort.Builder builder;
    /** The port of the address the plugin gives the market (publicUrl): the node's, or a proxy's in front of several. */
    final int port;

    RunningCohort cohort;

    /**
     * @param experiments experiments/ folders to copy beside the distribution's (fixtures under src/test/resources)
     */
    CrowdLab(String provider, String market, String... experiments) throws IOException {
        this.provider = provider;
        this.market = market;
        Path distribution = distribution();
        port = RunningCohort.freePort();
        Path home = Players.homeWithDemos(distribution);
        for (String experiment : experiments) {
            Players.copyTree(
                    Path.of("src/test/resources/experiments", experiment),
                    home.resolve("experiments").resolve(experiment));
        }
        builder = RunningCohort.in(distribution).home(home).env("COHORT_PORT", Integer.toString(port));
    }

    static Path distribution() {
        return Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
    }

    /** What the admin banner shows once the provider runs, e.g. {@code mturk: SANDBOX}. */
    abstract String banner();

    /** Starts (or starts again, same home, port and database) and waits until the provider is running. */
    CrowdLab start() {
        cohort = builder.start();
        // Generous: with other ITs running beside it, a plugin has been seen to take over 30 s to start.
        Eventually.within(
                Duration.ofSeconds(90),
                "the " + provider + " plugin shows its mode in the admin banner",
                () -> cohort.admin().get("/admin/").body(),
                page -> page.contains(banner()));
        return this;
    }

    AdminHttp api() {
        return cohort.api();
    }

    /** A session of {@code experiment} opened through the API, with no participants yet: the market's add themselves. */
    String session(String experiment, String settings) {
        AdminHttp.Response r = cohort.api()
                .postForm(
                        "/api/sessions",
                        Map.of(
                                "experiment",
                                experiment,
                                "participants",
                                "0",
                                "name",
                                experiment + " on " + market,
                                "settings",
                                settings));
        assertEquals(201, r.status(), r.toString());
        return read(r).path("session").path("id").asText();
    }

    /** The participant a worker became (named by their worker id), from the session's JSON. */
    JsonNode participant(String session, String workerId) {
        for (JsonNode p : read(cohort.api().get("/api/sessions/" + session)).path("participants")) {
            if (p.path("name").asText().equals(workerId)) {
                return p;
            }
        }
        throw new AssertionError("no participant " + workerId + " in session " + session);
    }

    /** The form with this lab's provider named, unless it names one. */
    Map<String, String> forProvider(Map<String, String> form) {
        Map<String, String> named = new LinkedHashMap<>(form);
        named.putIfAbsent("provider", provider);
        return named;
    }

    /** Commits a plan for this lab's provider through the Payments API and returns the batch. */
    JsonNode commit(Map<String, String> form) {
        AdminHttp.Response r = cohort.api().postForm("/api/payments/commit", forProvider(form));
        assertEquals(201, r.status(), "commit " + form.get("action") + ": " + r);
        return read(r);
    }

    JsonNode batch(long id) {
        AdminHttp.Response r = cohort.api().get("/api/payments/batches/" + id);
        assertEquals(200, r.status(), r.toString());
        return read(r);
    }

    JsonNode awaitFinished(long id, Duration within) {
        return Eventually.within(
                        within,
                        "payment batch " + id + " finishes",
                        () -> batch(id),
                        b -> !b.path("batch").path("finished").isNull())
                .value();
    }

    /**
     * As an admin on the Payments tab: previews a batch action for this lab's provider, checks its row count,
     * confirms it and waits for it to finish, every row confirmed. Returns the preview page.
     */
    String payOnTab(AdminHttp admin, Map<String, String> action, String rows) {
        Map<String, String> form = forProvider(action);
        AdminHttp.Response preview = admin.postForm("/admin/payments/preview", form);
        assertEquals(200, preview.status(), preview.body());
        assertTrue(preview.body().contains("<td class=\"count\">" + rows + "</td>"), preview.body());
        AdminHttp.Response confirmed = admin.postForm("/admin/payments/commit", form);
        assertEquals(3, confirmed.status() / 100, confirmed.toString());
        String batch = confirmed.redirectPath().replaceAll(".*/", "");
        JsonNode done =
                awaitFinished(Long.parseLong(batch), Duration.ofSeconds(30)).path("batch");
        assertEquals(Integer.parseInt(rows), done.path("confirmed").asInt(), done.toString());
        AdminHttp.Response batchPage = admin.get(confirmed.redirectPath());
        String page = batchPage.body();
        assertTrue(
                page.contains("<span class=\"confirmed\">" + rows + "</span> confirmed") && page.contains("Finished "),
                "the batch page shows it done: " + batchPage + " " + page);
        return preview.body();
    }

    /** A bonus file for the Payments API's commit: each one paid, {@code amount.apply(i)} dollars, 0.01 to 5.00. */
    static Map<String, String> bonusFile(List<? extends Paid> paid, IntFunction<String> amount) {
        return Map.of("action", "file", "kind", "bonus", "min", "0.01", "max", "5.00", "rows", csv(paid, amount));
    }

    static String csv(List<? extends Paid> paid, IntFunction<String> amount) {
        StringBuilder rows = new StringBuilder("worker_id,assignment_id,amount,reason\n");
        for (int i = 0; i < paid.size(); i++) {
            rows.append(paid.get(i).workerId())
                    .append(',')
                    .append(paid.get(i).assignmentId())
                    .append(',')
                    .append(amount.apply(i))
                    .append(",Thank you\n");
        }
        return rows.toString();
    }

    static JsonNode read(AdminHttp.Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Stops the node; a subclass stops its emulator after it. */
    @Override
    public void close() {
        if (cohort != null) {
            cohort.close();
        }
    }

    /**
     * {@code count} people, each taken through {@code one} (given their index from 0 and a client of their own
     * thread, sending to {@code base}), eight at a time as people arrive at once; in index order. One at a time,
     * a thousand of them took half a minute of a test.
     */
    static <T> List<T> inParallel(URI base, int count, java.util.function.BiFunction<Integer, AdminHttp, T> one) {
        int threads = Math.min(8, Math.max(1, count));
        List<T> done = new ArrayList<>(java.util.Collections.nCopies(count, null));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> stripes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                stripes.add(pool.submit(() -> {
                    AdminHttp http = new AdminHttp(base);
                    for (int i = first; i < count; i += threads) {
                        T made = one.apply(i, http);
                        synchronized (done) {
                            done.set(i, made);
                        }
                    }
                }));
            }
            for (Future<?> stripe : stripes) {
                try {
                    stripe.get();
                } catch (ExecutionException e) {
                    // An assertion in one stripe fails the test as it would have one at a time.
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return done;
    }
}
