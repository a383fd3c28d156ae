package io.cohort.platform.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

/**
 * The Tasks tab and its API on a host with its scheduler on: tasks made, described in words, refused with a clear
 * message when malformed, run on their schedule and on demand, paused, resumed, deleted; a task whose handler's plugin
 * is gone waits and says so, and runs again when the handler is back.
 */
class TasksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tasks-token";

    @TempDir
    static Path home;

    static InProcessNode node;
    static AdminHttp api;
    static AdminHttp admin;

    @BeforeAll
    static void start() throws Exception {
        node = InProcessNode.start(
                home,
                Map.of(
                        "COHORT_DB_URL",
                        TestDatabase.create(),
                        "COHORT_API_TOKEN",
                        TOKEN,
                        "COHORT_ADMIN_PASSWORD",
                        "tasks-password",
                        "COHORT_NODE_NAME",
                        "solo"));
        api = new AdminHttp(URI.create(node.url())).bearer(TOKEN);
        admin = new AdminHttp(URI.create(node.url()));
        admin.login("admin", "tasks-password");
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    private static ServiceRegistration<TaskHandler> handler(String type, TaskHandler handler) {
        return node.context()
                .registerService(TaskHandler.class, handler, new Hashtable<>(Map.of(TaskHandler.TYPE, type)));
    }

    private static JsonNode read(AdminHttp.Response r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static JsonNode detail(String name) throws Exception {
        return read(api.get("/api/tasks/" + name + "?runs=1000"));
    }

    private static <T> T await(String what, Supplier<T> probe, Predicate<T> done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        T value = probe.get();
        while (!done.test(value)) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + ": not within 20 s; last " + value);
            }
            Thread.sleep(100);
            value = probe.get();
        }
        return value;
    }

    private static JsonNode detailQuietly(String name) {
        try {
            return detail(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badSchedulesAndNamesAreRefusedNamingTheField() throws Exception {
        AdminHttp.Response cron =
                api.postForm("/api/tasks", Map.of("name", "bad-cron", "type", "x", "cron", "61 * * * *"));
        assertEquals(400, cron.status());
        assertTrue(
                read(cron).path("error").asText().startsWith("cron: '61 * * * *' is not a cron expression"),
                cron.body());
        AdminHttp.Response both =
                api.postForm("/api/tasks", Map.of("name", "both", "type", "x", "cron", "* * * * *", "interval", "5"));
        assertEquals(
                "schedule: fill in either cron or interval (seconds), not both or neither",
                read(both).path("error").asText());
        AdminHttp.Response zero = api.postForm("/api/tasks", Map.of("name", "zero", "type", "x", "interval", "0"));
        assertEquals(
                "interval: 0 seconds is outside 1 second … 31622400 seconds (366 days)",
                read(zero).path("error").asText());
        AdminHttp.Response name = api.postForm("/api/tasks", Map.of("name", "no spaces", "type", "x", "interval", "5"));
        assertTrue(read(name).path("error").asText().startsWith("name: 'no spaces' must be"), name.body());
        AdminHttp.Response data =
                api.postForm("/api/tasks", Map.of("name", "data", "type", "x", "interval", "5", "data", "[1]"));
        assertTrue(read(data).path("error").asText().startsWith("data: must be a JSON object"), data.body());
        for (String refused : new String[] {"bad-cron", "both", "zero", "data"}) {
            assertEquals(404, api.get("/api/tasks/" + refused).status(), refused + " was not stored");
        }
        // The admin's form says the same on the page, keeping what was typed.
        AdminHttp.Response page =
                admin.postForm("/admin/tasks", Map.of("name", "bad-cron", "type", "x", "cron", "61 * * * *"));
        assertEquals(400, page.status());
        assertTrue(
                page.body().contains("cron: &#39;61 * * * *&#39; is not a cron expression")
                        || page.body().contains("cron: '61 * * * *' is not a cron expression"),
                page.body());
    }

    @Test
    void runawayIntervalsCronsThatNeverFireAndUnknownTypesAreRefused() throws Exception {
        // Long.MAX_VALUE seconds once overflowed into a task that ran hundreds of times a second.
        AdminHttp.Response huge = api.postForm(
                "/api/tasks",
                Map.of("name", "huge", "type", "payments.approve-all", "interval", Long.toString(Long.MAX_VALUE)));
        assertEquals(400, huge.status());
        assertEquals(
                "interval: 9223372036854775807 seconds is outside 1 second … 31622400 seconds (366 days)",
                read(huge).path("error").asText());
        AdminHttp.Response year = api.postForm(
                "/api/tasks", Map.of("name", "year", "type", "payments.approve-all", "interval", "31622401"));
        assertEquals(400, year.status(), year.body());
        // Valid syntax, but 31 February never comes: once a 500, with the task stored anyway.
        AdminHttp.Response never = api.postForm(
                "/api/tasks", Map.of("name", "never", "type", "payments.approve-all", "cron", "0 0 31 2 *"));
        assertEquals(400, never.status(), never.body());
        assertEquals(
                "cron: '0 0 31 2 *' never fires (no such date comes)",
                read(never).path("error").asText());
        AdminHttp.Response unknown =
                api.postForm("/api/tasks", Map.of("name", "unknown", "type", "payments.aprove-all", "interval", "60"));
        assertEquals(400, unknown.status(), unknown.body());
        assertTrue(
                read(unknown)
                        .path("error")
                        .asText()
                        .startsWith(
                                "type: no running handler has the type" + " 'payments.aprove-all'; the types are: "),
                unknown.body());
        assertTrue(read(unknown).path("error").asText().contains("payments.approve-all"), unknown.body());
        for (String refused : new String[] {"huge", "year", "never", "unknown"}) {
            assertEquals(404, api.get("/api/tasks/" + refused).status(), refused + " was not stored");
        }
        assertTrue(read(api.get("/api/tasks")).findValues("name").stream()
                .noneMatch(n -> n.asText().equals("huge")));
    }

    @Test
    void schedulesAreShownInWords() throws Exception {
        JsonNode every = read(api.postForm(
                "/api/tasks", Map.of("name", "words-interval", "type", "payments.approve-all", "interval", "1800")));
        assertEquals("every 30 minutes", every.path("words").asText());
        JsonNode cron = read(api.postForm(
                "/api/tasks", Map.of("name", "words-cron", "type", "payments.approve-all", "cron", "0 9 * * 1")));
        assertTrue(
                cron.path("words").asText().toLowerCase().contains("9"),
                cron.path("words").asText());
        assertTrue(
                cron.path("words").asText().toLowerCase().contains("monday"),
                cron.path("words").asText());
        String list = admin.get("/admin/tasks").body();
        assertTrue(list.contains("every 30 minutes"), list);
        api.post("/api/tasks/words-interval/delete");
        api.post("/api/tasks/words-cron/delete");
    }

    @Test
    void aTaskRunsOnItsScheduleAndOnDemandPausesAndComesBack() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ServiceRegistration<TaskHandler> reg =
                handler("test.count", (task, data) -> "call " + calls.incrementAndGet() + " " + data);
        try {
            AdminHttp.Response made = admin.postForm(
                    "/admin/tasks",
                    Map.of("name", "counter", "type", "test.count", "interval", "1", "data", "{\"n\": 7}"));
            assertEquals(302, made.status(), made.toString());
            JsonNode ran = await(
                    "three runs",
                    () -> detailQuietly("counter"),
                    d -> d.path("runs").size() >= 3);
            JsonNode last = ran.path("runs").get(0);
            assertEquals("OK", last.path("outcome").asText());
            assertEquals("solo", last.path("node").asText());
            assertTrue(last.path("message").asText().matches("call \\d+ \\{\"n\": ?7\\}"), last.toString());

            api.post("/api/tasks/counter/pause");
            JsonNode paused = detail("counter");
            assertTrue(paused.path("task").path("paused").asBoolean());
            assertEquals("paused", paused.path("task").path("waiting").asText());
            Thread.sleep(1500); // one run may have been under way at the pause
            int atPause = calls.get();
            Thread.sleep(2500);
            assertEquals(atPause, calls.get(), "a paused task does not run");

            api.post("/api/tasks/counter/resume");
            await("runs again", calls::get, n -> n > atPause);

            // Its plugin goes: the task waits and says so, once; back, it runs again.
            reg.unregister();
            reg = null;
            JsonNode waiting = await(
                    "waits for its handler",
                    () -> detailQuietly("counter"),
                    d -> d.path("runs").get(0).path("outcome").asText().equals("WAITING"));
            assertTrue(waiting.path("task")
                    .path("waiting")
                    .asText()
                    .startsWith("waiting: no handler for type 'test.count'"));
            int before = calls.get();
            Thread.sleep(6000);
            JsonNode still = detail("counter");
            assertEquals(1, countWaiting(still), "waiting is said once, not every few seconds");
            reg = handler("test.count", (task, data) -> "back " + calls.incrementAndGet());
            await("runs when its handler is back", calls::get, n -> n > before);
            assertTrue(detail("counter").path("task").path("waiting").isNull());

            api.post("/api/tasks/counter/delete");
            assertEquals(404, api.get("/api/tasks/counter").status());
        } finally {
            if (reg != null) {
                reg.unregister();
            }
        }
    }

    private static int countWaiting(JsonNode detail) {
        int n = 0;
        for (JsonNode r : detail.path("runs")) {
            n += r.path("outcome").asText().equals("WAITING") ? 1 : 0;
        }
        return n;
    }

    @Test
    void runNowFiresAnHourlyTaskAtOnceAndAFailureIsRecorded() throws Exception {
        ServiceRegistration<TaskHandler> reg = handler("test.fail", (task, data) -> {
            throw new IllegalStateException("the provider is down");
        });
        try {
            api.postForm("/api/tasks", Map.of("name", "hourly", "type", "test.fail", "interval", "3600"));
            assertEquals(0, detail("hourly").path("runs").size());
            assertEquals(200, api.post("/api/tasks/hourly/run").status());
            JsonNode run = await(
                            "the run now",
                            () -> detailQuietly("hourly"),
                            d -> d.path("runs").size() == 1
                                    && !d.path("runs").get(0).path("ended").isNull())
                    .path("runs")
                    .get(0);
            assertEquals("FAILED", run.path("outcome").asText());
            assertEquals(
                    "java.lang.IllegalStateException: the provider is down",
                    run.path("message").asText());
            JsonNode task = detail("hourly").path("task");
            assertEquals(
                    run.path("id").asLong(),
                    task.path("lastRun").path("id").asLong(),
                    "the list's last run is that one");
            assertEquals("FAILED", task.path("lastRun").path("outcome").asText());
            assertFalse(task.path("nextRun").isNull(), "still scheduled after a failure");
            assertTrue(java.time.Instant.parse(task.path("nextRun").asText())
                    .isAfter(java.time.Instant.now().plusSeconds(3000)));
            String page = admin.get("/admin/tasks/hourly").body();
            assertTrue(page.contains("the provider is down"), page);
            AdminHttp.Response list = admin.get("/admin/tasks");
            assertEquals(200, list.status(), "the list shows tasks that have run");
            assertTrue(
                    list.body()
                            .contains("<td>FAILED <time datetime=\""
                                    + run.path("started").asText().substring(0, 10)),
                    list.body());
            api.post("/api/tasks/hourly/delete");
        } finally {
            reg.unregister();
        }
    }

    @Test
    void approveAllOnAScheduleIsATypeTheHostOffers() throws Exception {
        String page = admin.get("/admin/tasks").body();
        assertTrue(page.contains("<option value=\"payments.approve-all\">"), page);
        api.postForm("/api/tasks", Map.of("name", "approve-all", "type", "payments.approve-all", "interval", "1800"));
        api.post("/api/tasks/approve-all/run");
        JsonNode run = await(
                        "the approval run",
                        () -> detailQuietly("approve-all"),
                        d -> d.path("runs").size() == 1
                                && !d.path("runs").get(0).path("ended").isNull())
                .path("runs")
                .get(0);
        // No crowd provider runs on this host: the run fails saying so, and nothing is written to the ledger.
        assertEquals("FAILED", run.path("outcome").asText());
        assertTrue(run.path("message").asText().contains("provider: no crowd provider is running"), run.toString());
        assertEquals("[]", api.get("/api/payments/batches").body());
        api.post("/api/tasks/approve-all/delete");
    }

    @Test
    void aTaskMadeAgainUnderADeletedOnesNameKeepsNoneOfItsTiming() throws Exception {
        ServiceRegistration<TaskHandler> reg = handler("test.again", (task, data) -> "ran");
        try {
            api.postForm("/api/tasks", Map.of("name", "again", "type", "test.again", "interval", "1"));
            await(
                    "a run",
                    () -> detailQuietly("again"),
                    d -> d.path("runs").size() >= 1
                            && !d.path("runs").get(0).path("ended").isNull());
            api.post("/api/tasks/again/delete");
            Thread.sleep(300); // a run under way at the deletion ends
            AdminHttp.Response made =
                    api.postForm("/api/tasks", Map.of("name", "again", "type", "test.again", "interval", "3600"));
            assertEquals(201, made.status(), made.body());
            int runs = detail("again").path("runs").size();
            Thread.sleep(2500);
            JsonNode again = detail("again");
            // A task's history is by name: the earlier one's runs are still listed, and no new run came on its 1 s
            // grid.
            assertEquals(runs, again.path("runs").size(), "no run on the deleted task's 1 s grid: " + again);
            assertTrue(
                    java.time.Instant.parse(again.path("task").path("nextRun").asText())
                            .isAfter(java.time.Instant.now().plusSeconds(3000)),
                    again.toString());
            api.post("/api/tasks/again/delete");
        } finally {
            reg.unregister();
        }
    }
}
