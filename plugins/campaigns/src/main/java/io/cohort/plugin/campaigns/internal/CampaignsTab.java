package io.cohort.plugin.campaigns.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Campaigns tab at {@code /admin/campaigns}: the campaigns (state, completed of goal, in flight, spent) and the
 * form to start one; {@code /{id}}: its rounds and HITs, a chart of its progress (the fragment {@code /{id}/chart}
 * is polled), and the forms to change its goal, run a round now, or cancel it.
 */
@Component(
        service = AdminPage.class,
        property = {AdminPage.PATH + "=/campaigns", AdminPage.MENU + "=Campaigns", AdminPage.MENU_ORDER + "=410"})
public final class CampaignsTab implements AdminPage {

    static final String BASE = "/admin/campaigns";
    private static final Pattern CAMPAIGN_PATH = Pattern.compile("/(\\d{1,18})(/[a-z]+)?");

    private final Recruitment recruitment;
    /** What the last change of each admin did, shown once on the page after the redirect. */
    private final Map<String, Flash> flashes = new ConcurrentHashMap<>();

    @Activate
    public CampaignsTab(@Reference Recruitment recruitment) {
        this.recruitment = recruitment;
    }

    /** Public: the templates read it. Not ok: something asked for was not done. */
    public record Flash(boolean ok, String message) {}

    @Override
    public View handle(PageRequest request) throws Exception {
        Form form = new Form(request.parameters());
        String path = request.subPath();
        Matcher campaignPath = CAMPAIGN_PATH.matcher(path);
        long id = campaignPath.matches() ? Long.parseLong(campaignPath.group(1)) : 0;
        String action = campaignPath.matches() && campaignPath.group(2) != null ? campaignPath.group(2) : "";
        if (request.method().equals("GET")) {
            if (path.isEmpty() || path.equals("/")) {
                return list(request.user(), form.typed(), null);
            }
            if (id > 0 && recruitment.campaign(id).isPresent() && (action.isEmpty() || action.equals("/chart"))) {
                return action.isEmpty()
                        ? campaignPage(request.user(), id)
                        : View.of("templates/chart.peb", chartModel(recruitment.require(id)));
            }
            return View.of("templates/missing.peb", Map.of("path", BASE + path));
        }
        try {
            if (path.equals("/create")) {
                Campaign created = create(form, request.user());
                return View.redirect(BASE + "/" + created.id());
            }
            if (id == 0) {
                throw new IllegalArgumentException("There is no action at " + BASE + path);
            }
            Flash done = switch (action) {
                case "/goal" -> {
                    Campaign c = recruitment.changeGoal(id, form.integer("goal", 1, 1_000_000), request.user());
                    yield new Flash(true, "Goal of campaign " + id + " is now " + c.goal() + ".");
                }
                case "/cancel" -> {
                    List<String> left = recruitment.cancel(id, request.user());
                    yield new Flash(
                            left.isEmpty(),
                            "Cancelled campaign " + id + "."
                                    + (left.isEmpty() ? "" : " Not expired: " + String.join("; ", left) + "."));
                }
                case "/round" -> new Flash(true, runRound(recruitment.require(id), request.user()));
                default -> throw new IllegalArgumentException("There is no action at " + BASE + path);
            };
            flashes.put(request.user(), done);
            return View.redirect(BASE + "/" + id);
        } catch (IllegalArgumentException | IllegalStateException | CrowdException e) {
            String what = e instanceof CrowdException c
                    ? "The provider refused: " + e.getMessage() + " (" + c.code() + ")"
                    : e.getMessage();
            if (path.equals("/create")) {
                // Show the form again with what was typed, so nothing has to be entered twice.
                return list(request.user(), form.typed(), what);
            }
            flashes.put(request.user(), new Flash(false, what));
            return View.redirect(id > 0 ? BASE + "/" + id : BASE);
        }
    }

    private Campaign create(Form form, String user) throws Exception {
        String mode = form.required("mode").toUpperCase(Locale.ROOT);
        if (!List.of("SANDBOX", "TEST", "LIVE").contains(mode)) {
            throw new IllegalArgumentException("mode: '" + form.required("mode") + "' is not sandbox, test or live");
        }
        Recruitment.Draft draft = new Recruitment.Draft(
                form.optional("provider"),
                form.required("experiment"),
                CrowdMode.valueOf(mode),
                form.integer("goal", 1, 1_000_000),
                form.cents("reward"),
                60L * form.integer("durationMinutes", 1, 365 * 24 * 60),
                3600L * form.integer("lifetimeHours", 1, 365 * 24),
                form.integer("perRound", 1, 1_000_000),
                form.integer("minutesBetweenRounds", 1, 365 * 24 * 60),
                form.integer("batchSize", 1, 100),
                form.required("title"),
                form.required("description"),
                form.optional("keywords"),
                form.optional("settings"),
                form.optional("codeVersion"));
        Campaign campaign = recruitment.create(draft, user);
        String started = "Started campaign " + campaign.id() + ". ";
        if (recruitment.scheduler() != null) {
            flashes.put(
                    user,
                    new Flash(
                            true,
                            started + "Its rounds run every " + campaign.minutesBetweenRounds()
                                    + " minutes; the first one now."));
            return campaign;
        }
        try {
            flashes.put(user, new Flash(true, started + runRound(campaign, user)));
        } catch (IllegalStateException | CrowdException e) {
            // The campaign is stored: say why its first round failed on its own page, not on the create form.
            flashes.put(user, new Flash(false, started + "Its first round failed: " + e.getMessage()));
        }
        return campaign;
    }

    /** Through the scheduler when there is one (so two rounds never overlap across nodes); here otherwise. */
    private String runRound(Campaign campaign, String user) throws Exception {
        Scheduler tasks = recruitment.scheduler();
        if (tasks != null && campaign.state() == CampaignState.ACTIVE) {
            if (tasks.find(campaign.task()).isEmpty()) {
                // Started while the host had no scheduler: it gets its task now.
                recruitment.schedule(tasks, campaign, user);
            } else {
                tasks.runNow(campaign.task(), user);
            }
            return "A round of campaign " + campaign.id() + " runs now.";
        }
        return "No scheduler runs its rounds: ran one here. " + recruitment.round(campaign.id(), user) + ".";
    }

    private View list(String user, Map<String, String> typed, String error) {
        Map<String, Object> model = common(user);
        Map<Long, Progress> latest = recruitment.latestProgress().stream()
                .collect(Collectors.toMap(Progress::campaignId, Function.identity()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Campaign c : recruitment.campaigns()) {
            Map<String, Object> row = new HashMap<>();
            row.put("campaign", c);
            row.put("state", c.state().name().toLowerCase(Locale.ROOT));
            row.put("progress", latest.get(c.id()));
            row.put(
                    "spent",
                    ProgressChart.money(
                            latest.containsKey(c.id()) ? latest.get(c.id()).spentCents() : 0));
            rows.add(row);
        }
        model.put("rows", rows);
        // What the form offers: name, title and version (not the experiments' pages and settings).
        model.put(
                "experiments",
                recruitment.experiments().stream()
                        .map(e -> {
                            Map<String, Object> shown = new LinkedHashMap<>();
                            shown.put("name", e.name());
                            shown.put("title", e.title());
                            shown.put("version", e.version());
                            return shown;
                        })
                        .toList());
        List<CrowdProvider> running = recruitment.providers();
        model.put("providers", running.stream().map(CrowdProvider::name).toList());
        Map<String, String> form = new HashMap<>(typed);
        CrowdProvider first = running.isEmpty() ? null : running.get(0);
        form.putIfAbsent("mode", first == null ? "SANDBOX" : first.mode().name());
        // The market's own limit, where it has one (MTurk's 9: its fee doubles from 10); without one, unused.
        int places = first == null ? 0 : first.placesPerPosting();
        form.putIfAbsent("batchSize", String.valueOf(places > 0 ? Math.min(places, 100) : 100));
        model.put("form", form);
        if (error != null) {
            model.put("flash", new Flash(false, error));
        }
        return View.of("templates/campaigns.peb", model);
    }

    private View campaignPage(String user, long id) {
        Campaign c = recruitment.require(id);
        Map<String, Object> model = common(user);
        model.putAll(chartModel(c));
        model.put("reward", ProgressChart.money(c.rewardCents()));
        Map<Integer, List<RoundHit>> byRound = new LinkedHashMap<>();
        for (RoundHit h : recruitment.hits(id)) {
            byRound.computeIfAbsent(h.round(), r -> new ArrayList<>()).add(h);
        }
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (Round r : recruitment.rounds(id)) {
            rounds.add(Map.of("round", r, "hits", byRound.getOrDefault(r.number(), List.of())));
        }
        model.put("rounds", rounds);
        Scheduler tasks = recruitment.scheduler();
        model.put(
                "task",
                tasks == null
                        ? "no scheduler is running"
                        : tasks.find(c.task())
                                .map(t -> t.waiting() != null
                                        ? t.waiting()
                                        : t.nextRun() == null ? "paused" : "next round " + t.nextRun())
                                .orElse("none"));
        return View.of("templates/campaign.peb", model);
    }

    private Map<String, Object> chartModel(Campaign c) {
        List<Progress> rows = recruitment.progress(c.id());
        Map<String, Object> model = new HashMap<>();
        model.put("campaign", c);
        model.put("state", c.state().name().toLowerCase(Locale.ROOT));
        ProgressChart chart = ProgressChart.of(rows, c.goal());
        model.put("progress", rows);
        model.put("latest", rows.isEmpty() ? null : rows.get(rows.size() - 1));
        model.put("spent", chart.spent());
        // The drawing, for the page alone (its JSON twin has the rows it is drawn from).
        model.put("_chart", chart);
        model.put("_width", ProgressChart.WIDTH);
        model.put("_height", ProgressChart.HEIGHT);
        return model;
    }

    private Map<String, Object> common(String user) {
        Map<String, Object> model = new HashMap<>();
        Flash flash = flashes.remove(user);
        if (flash != null) {
            model.put("flash", flash);
        }
        return model;
    }
}
