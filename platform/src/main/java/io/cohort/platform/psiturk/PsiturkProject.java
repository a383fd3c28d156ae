package io.cohort.platform.psiturk;

import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A psiTurk project folder under {@code experiments/}: {@code config.txt}, {@code templates/}, {@code static/}, and
 * perhaps a {@code custom.py} (Flask, which cannot run here: its routes are listed as unsupported) and Cohort's own
 * {@code cohort-bonus.txt} (the bonus rule that takes the place of a {@code /compute_bonus} route).
 * <p>
 * To Cohort it is an experiment of two script pages, {@code instructions} (psiTurk's ALLOCATED: consent given, task
 * not begun) and {@code task} (psiTurk's STARTED, after {@code /inexp}), with one condition per psiTurk
 * (condition, counterbalance) pair, named {@code "<condition>-<counterbalance>"}.
 *
 * @param label       the folder as the admin sees it, e.g. {@code experiments/stroop}
 * @param customRoutes the routes {@code custom.py} declares, which Cohort does not serve
 * @param notes       what the admin should know and need not fix (unused keys, custom routes)
 */
public record PsiturkProject(
        String name,
        Path dir,
        String label,
        PsiturkConfig config,
        PsiturkTemplates templates,
        List<String> customRoutes,
        BonusRule bonus,
        List<String> notes) {

    public static final String CONFIG = "config.txt";
    public static final String BONUS = "cohort-bonus.txt";
    /** Cohort's pages of a psiTurk experiment, by index. */
    public static final int INSTRUCTIONS = 0;

    public static final int TASK = 1;

    private static final Pattern ROUTE = Pattern.compile("@\\w+\\.route\\(\\s*['\"]([^'\"]+)['\"]");

    /**
     * Cohort's bonus for a psiTurk participant: {@code perTrialCents} for each trial record whose trial data has
     * {@code field} equal to {@code equals} (every trial when {@code field} is null), at most {@code maxCents}.
     */
    public record BonusRule(long perTrialCents, String field, String equals, long maxCents) {}

    /** A folder that cannot be used. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Reads the folder: config.txt, every template, custom.py's routes, the bonus rule.
     *
     * @throws Invalid with every problem, each naming file and line
     */
    public static PsiturkProject read(Path dir, String name, String label) throws Invalid, IOException {
        List<String> problems = new ArrayList<>();
        PsiturkConfig config = null;
        try {
            config = PsiturkConfig.read(
                    Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8), label + "/" + CONFIG);
        } catch (PsiturkConfig.Invalid e) {
            problems.addAll(e.problems());
        }
        PsiturkTemplates templates = new PsiturkTemplates(dir.resolve("templates"), label + "/templates");
        problems.addAll(templates.check());
        for (String needed : List.of("exp.html")) {
            if (!templates.has(needed)) {
                problems.add(label + "/templates/" + needed + ": does not exist; psiTurk's /exp renders it");
            }
        }
        BonusRule bonus = null;
        Path bonusFile = dir.resolve(BONUS);
        if (Files.isRegularFile(bonusFile)) {
            try {
                bonus = bonusRule(Files.readString(bonusFile), label + "/" + BONUS);
            } catch (PsiturkConfig.Invalid e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        List<String> notes = new ArrayList<>(config.notes());
        List<String> routes = new ArrayList<>();
        Path custom = dir.resolve("custom.py");
        if (Files.isRegularFile(custom)) {
            Matcher m = ROUTE.matcher(Files.readString(custom, StandardCharsets.UTF_8));
            while (m.find()) {
                routes.add(m.group(1));
            }
            notes.add(label + "/custom.py: Flask code cannot run on Cohort; its routes are not served: "
                    + (routes.isEmpty() ? "(none found)" : String.join(", ", routes))
                    + (bonus == null ? "" : "; " + BONUS + " computes the bonus"));
        }
        return new PsiturkProject(name, dir, label, config, templates, List.copyOf(routes), bonus, List.copyOf(notes));
    }

    /** The experiment the rest of Cohort sees. */
    public Experiment experiment() {
        List<Condition> conditions = new ArrayList<>();
        for (int c = 0; c < config.conditions(); c++) {
            for (int b = 0; b < config.counterbalances(); b++) {
                conditions.add(new Condition(conditionName(c, b), 1));
            }
        }
        return new Experiment(
                name,
                config.title(name),
                config.codeVersion(),
                List.of(
                        new Page("instructions", PageKind.SCRIPT, "exp.html", List.of()),
                        new Page("task", PageKind.SCRIPT, "exp.html", List.of())),
                List.copyOf(conditions),
                1,
                "{}",
                null,
                null,
                List.of(),
                null,
                "/ad");
    }

    public static String conditionName(int condition, int counterbalance) {
        return condition + "-" + counterbalance;
    }

    /** psiTurk's (condition, counterbalance) from Cohort's condition name; (0, 0) when there is none. */
    public static int[] condition(String name) {
        if (name == null || !name.matches("\\d+-\\d+")) {
            return new int[] {0, 0};
        }
        String[] parts = name.split("-");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    /** {@code per_trial}, {@code field}, {@code equals}, {@code max}: one {@code key = value} a line. */
    static BonusRule bonusRule(String text, String source) throws PsiturkConfig.Invalid {
        PsiturkConfig rule = PsiturkConfig.read(text, source, "Bonus");
        List<String> problems = new ArrayList<>();
        long perTrial = cents(rule, "per_trial", source, problems);
        String field =
                rule.values().containsKey("field") ? rule.values().get("field").text() : null;
        String equals = rule.values().containsKey("equals")
                ? rule.values().get("equals").text()
                : "true";
        long max = rule.values().containsKey("max") ? cents(rule, "max", source, problems) : Long.MAX_VALUE;
        if (!rule.values().containsKey("per_trial")) {
            problems.add(source + ": per_trial: missing (the amount in dollars each matching trial earns)");
        }
        if (!problems.isEmpty()) {
            throw new PsiturkConfig.Invalid(problems);
        }
        return new BonusRule(perTrial, field == null || field.isBlank() ? null : field, equals, max);
    }

    private static long cents(PsiturkConfig rule, String key, String source, List<String> problems) {
        PsiturkConfig.Value v = rule.values().get(key);
        if (v == null) {
            return 0;
        }
        if (!v.text().matches("\\d{1,4}(\\.\\d{1,2})?")) {
            problems.add(source + ":" + v.line() + ": " + key + ": '" + v.text()
                    + "' is not an amount in dollars such as 0.05");
            return 0;
        }
        return new BigDecimal(v.text()).movePointRight(2).longValueExact();
    }
}
