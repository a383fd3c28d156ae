package io.cohort.plugin.campaigns.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The campaign's progress as SVG coordinates (drawn on the server, so the page needs no chart library): completed
 * and the goal over time, on a {@value #WIDTH} × {@value #HEIGHT} plot; the money spent as its last value.
 * Public: the templates read it.
 *
 * @param completed "x,y x,y …" of the completed line; {@code goal} likewise; {@code top} the count at the top edge
 */
public record ProgressChart(String completed, String goal, int top, String span, String spent, int rounds) {

    static final int WIDTH = 600;
    static final int HEIGHT = 200;

    static ProgressChart of(List<Progress> rows, int currentGoal) {
        if (rows.isEmpty()) {
            return new ProgressChart("", "", currentGoal, "no rounds yet", money(0), 0);
        }
        Instant first = rows.get(0).at();
        long millis = Math.max(
                1, Duration.between(first, rows.get(rows.size() - 1).at()).toMillis());
        int top = currentGoal;
        for (Progress p : rows) {
            top = Math.max(top, Math.max(p.goal(), p.completed()));
        }
        StringBuilder completed = new StringBuilder();
        StringBuilder goal = new StringBuilder();
        for (Progress p : rows) {
            double x = rows.size() == 1
                    ? 0
                    : WIDTH * Duration.between(first, p.at()).toMillis() / (double) millis;
            completed.append(point(x, p.completed(), top));
            goal.append(point(x, p.goal(), top));
        }
        if (rows.size() == 1) { // one round: a flat line across
            Progress p = rows.get(0);
            completed.append(point(WIDTH, p.completed(), top));
            goal.append(point(WIDTH, p.goal(), top));
        }
        return new ProgressChart(
                completed.toString().strip(),
                goal.toString().strip(),
                top,
                describe(Duration.ofMillis(rows.size() == 1 ? 0 : millis)),
                money(rows.get(rows.size() - 1).spentCents()),
                rows.size());
    }

    private static String point(double x, int value, int top) {
        double y = HEIGHT - HEIGHT * value / (double) Math.max(1, top);
        return String.format(Locale.ROOT, "%.1f,%.1f ", x, y);
    }

    private static String describe(Duration d) {
        return d.toHours() >= 48
                ? d.toDays() + " days"
                : d.toMinutes() >= 120 ? d.toHours() + " hours" : d.toMinutes() + " minutes";
    }

    static String money(long cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }
}
