package io.cohort.platform.schedule;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.schedule.NewTask;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.Task;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * The Tasks tab ({@code /admin/tasks}) and its JSON twin ({@code /api/tasks}): the tasks with their schedule in
 * words, next run and last outcome; a New-task form (e.g. "approve all submitted" every 30 minutes); pause, resume,
 * run now, reschedule, delete; each task's run history. The scheduler audits every change.
 */
@Singleton
public final class TasksTab implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/tasks", "Tasks", 500);
    }

    private static final String NAME = "{name: [A-Za-z0-9][A-Za-z0-9._-]*}";
    private static final List<String> ACTIONS = List.of("pause", "resume", "run", "delete", "reschedule");

    private final TaskScheduler scheduler;
    private final Layout layout;

    @Inject
    public TasksTab(TaskScheduler scheduler, Layout layout) {
        this.scheduler = scheduler;
        this.layout = layout;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/tasks", Tab.handler(ctx -> list(ctx, 200, null, Map.of())));
        app.GET("/api/tasks", Tab.handler(ctx -> Layout.json(ctx, 200, scheduler.list())));
        app.POST("/admin/tasks", Tab.handler(ctx -> {
            try {
                ctx.redirect("/admin/tasks/" + create(ctx).name());
            } catch (IllegalArgumentException e) {
                list(ctx, 400, e.getMessage(), form(ctx));
            }
        }));
        app.POST("/api/tasks", Tab.handler(ctx -> {
            try {
                Layout.json(ctx, 201, create(ctx));
            } catch (IllegalArgumentException e) {
                Layout.json(ctx, 400, Map.of("error", e.getMessage()));
            }
        }));
        app.GET("/admin/tasks/" + NAME, Tab.handler(ctx -> show(ctx, 200, null)));
        app.GET("/api/tasks/" + NAME, Tab.handler(ctx -> {
            Optional<Task> task = scheduler.find(name(ctx));
            if (task.isEmpty()) {
                Layout.json(ctx, 404, Map.of("error", "task: there is no task '" + name(ctx) + "'"));
            } else {
                Layout.json(
                        ctx,
                        200,
                        Map.of(
                                "task",
                                task.get(),
                                "runs",
                                scheduler.history(
                                        task.get().name(),
                                        ctx.getParameter("runs").toInt(100))));
            }
        }));
        for (String action : ACTIONS) {
            for (boolean api : new boolean[] {false, true}) {
                app.POST(
                        (api ? "/api" : "/admin") + "/tasks/" + NAME + "/" + action,
                        Tab.handler(ctx -> act(ctx, action, api)));
            }
        }
    }

    private Task create(RouteContext ctx) {
        Map<String, String> form = form(ctx);
        return scheduler.create(
                new NewTask(form.get("name"), form.get("type"), schedule(form), form.get("data")),
                AdminRequest.of(ctx).user(),
                true);
    }

    /** Exactly one of the form's cron and interval (seconds) fields. */
    private static Schedule schedule(Map<String, String> form) {
        String cron = form.getOrDefault("cron", "").trim();
        String interval = form.getOrDefault("interval", "").trim();
        if (cron.isEmpty() == interval.isEmpty()) {
            throw new IllegalArgumentException(
                    "schedule: fill in either cron or interval (seconds), not both or neither");
        }
        if (!cron.isEmpty()) {
            return new Schedule(cron, null);
        }
        try {
            return new Schedule(null, Long.parseLong(interval));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("interval: '" + interval + "' is not a whole number of seconds");
        }
    }

    private void act(RouteContext ctx, String action, boolean api) {
        String name = name(ctx);
        String user = AdminRequest.of(ctx).user();
        try {
            switch (action) {
                case "pause" -> scheduler.pause(name, user);
                case "resume" -> scheduler.resume(name, user);
                case "run" -> scheduler.runNow(name, user);
                case "delete" -> scheduler.delete(name, user);
                default -> scheduler.reschedule(name, schedule(form(ctx)), user);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            int status = scheduler.find(name).isEmpty() ? 404 : e instanceof IllegalStateException ? 409 : 400;
            if (api) {
                Layout.json(ctx, status, Map.of("error", e.getMessage()));
            } else if (status == 404) {
                layout.message(ctx, 404, "Not found", e.getMessage());
            } else {
                show(ctx, status, e.getMessage());
            }
            return;
        }
        if (api) {
            Layout.json(
                    ctx,
                    200,
                    action.equals("delete")
                            ? Map.of("deleted", name)
                            : scheduler.find(name).orElseThrow());
        } else {
            ctx.redirect(action.equals("delete") ? "/admin/tasks" : "/admin/tasks/" + name);
        }
    }

    private void list(RouteContext ctx, int status, String error, Map<String, String> form) {
        Map<String, Object> model = new HashMap<>();
        model.put("tasks", scheduler.list());
        model.put("types", scheduler.handlerTypes());
        model.put("error", error);
        model.put("form", form);
        ctx.getResponse().status(status);
        layout.html(ctx, "tasks.peb", model);
    }

    private void show(RouteContext ctx, int status, String error) {
        Optional<Task> task = scheduler.find(name(ctx));
        if (task.isEmpty()) {
            layout.message(ctx, 404, "Not found", "There is no task '" + name(ctx) + "'.");
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("task", task.get());
        model.put("runs", scheduler.history(task.get().name(), 200));
        model.put("error", error);
        ctx.getResponse().status(status);
        layout.html(ctx, "task.peb", model);
    }

    private static String name(RouteContext ctx) {
        return ctx.getParameter("name").toString();
    }

    private static Map<String, String> form(RouteContext ctx) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String field : List.of("name", "type", "cron", "interval", "data")) {
            String value = ctx.getParameter(field).toString();
            if (value != null) {
                form.put(field, value);
            }
        }
        return form;
    }
}
