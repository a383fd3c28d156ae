package io.cohort.distribution;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.schedule.TaskRun;
import io.cohort.testkit.AdminHttp;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One node's {@code /api/tasks}, with its API token. */
final class Tasks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminHttp api;

    Tasks(AdminHttp api) {
        this.api = api;
    }

    /** {@code POST /api/tasks} with these form fields; the Task JSON (fails unless 201). */
    JsonNode create(Map<String, String> fields) {
        return read(expect(201, "POST /api/tasks " + fields, api.postForm("/api/tasks", fields)));
    }

    /** {@code POST /api/tasks/{name}/{action}} (pause, resume, run, delete); fails unless 2xx. */
    void act(String name, String action) {
        AdminHttp.Response r = api.post("/api/tasks/" + name + "/" + action);
        if (r.status() / 100 != 2) {
            throw new AssertionError("POST /api/tasks/" + name + "/" + action + ": " + r);
        }
    }

    /** The status of {@code GET /api/tasks/{name}} (404 once deleted). */
    int status(String name) {
        return api.get("/api/tasks/" + name).status();
    }

    /** Waits (up to {@code within}) for a run of {@code name} that is RUNNING, and returns it. */
    TaskRun awaitRunning(String name, java.time.Duration within) {
        return Eventually.within(
                        within,
                        "a RUNNING run of " + name,
                        () -> runs(name, 10),
                        runs -> runs.stream().anyMatch(r -> r.outcome().equals("RUNNING")))
                .value()
                .stream()
                .filter(r -> r.outcome().equals("RUNNING"))
                .findFirst()
                .orElseThrow();
    }

    /** Its latest {@code limit} runs, newest first. */
    List<TaskRun> runs(String name, int limit) {
        String path = "/api/tasks/" + name + "?runs=" + limit;
        List<TaskRun> runs = new ArrayList<>();
        for (JsonNode run : read(expect(200, "GET " + path, api.get(path))).path("runs")) {
            runs.add(new TaskRun(
                    run.path("id").asLong(),
                    run.path("task").asText(),
                    instant(run, "due"),
                    instant(run, "started"),
                    instant(run, "ended"),
                    run.path("node").asText(),
                    run.path("outcome").asText(),
                    run.path("message").asText(null)));
        }
        return runs;
    }

    private static Instant instant(JsonNode run, String field) {
        JsonNode value = run.path(field);
        return value.isTextual() ? Instant.parse(value.asText()) : null;
    }

    private static AdminHttp.Response expect(int status, String what, AdminHttp.Response r) {
        if (r.status() != status) {
            throw new AssertionError(what + ": expected " + status + ", got " + r);
        }
        return r;
    }

    private static JsonNode read(AdminHttp.Response r) {
        try {
            return JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
