package io.cohort.platform.schedule;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.cohort.api.schedule.Schedule;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** Cron (Unix, five fields, via cron-utils) and interval schedules: checked, put in words, and their next time. */
final class Schedules {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    /** Bounds on an interval: under a second would hammer the database, over a year is surely a typo. */
    static final long MIN_INTERVAL_SECONDS = 1;

    static final long MAX_INTERVAL_SECONDS = 366L * 24 * 3600;

    private Schedules() {}

    /** @throws IllegalArgumentException naming the field and the value */
    static Schedule check(Schedule schedule) {
        if (schedule == null || (schedule.cron() == null) == (schedule.intervalSeconds() == null)) {
            throw new IllegalArgumentException(
                    "schedule: give either a cron expression or an interval, not both or neither");
        }
        if (schedule.cron() != null) {
            // A valid expression can still name a day that never comes (31 February): it would never run.
            if (ExecutionTime.forCron(cron(schedule.cron()))
                    .nextExecution(ZonedDateTime.now(ZoneOffset.UTC))
                    .isEmpty()) {
                throw new IllegalArgumentException("cron: '" + schedule.cron() + "' never fires (no such date comes)");
            }
        } else if (schedule.intervalSeconds() < MIN_INTERVAL_SECONDS
                || schedule.intervalSeconds() > MAX_INTERVAL_SECONDS) {
            throw new IllegalArgumentException("interval: " + schedule.intervalSeconds() + " seconds is outside "
                    + MIN_INTERVAL_SECONDS + " second … " + MAX_INTERVAL_SECONDS + " seconds (366 days)");
        }
        return schedule;
    }

    private static Cron cron(String expression) {
        try {
            return UNIX.parse(expression.trim()).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cron: '" + expression + "' is not a cron expression (minute hour day-of-month"
                            + " month day-of-week, e.g. */30 * * * *): " + e.getMessage());
        }
    }

    static String words(Schedule schedule) {
        if (schedule.cron() != null) {
            return CronDescriptor.instance(Locale.UK).describe(cron(schedule.cron())) + " (UTC)";
        }
        long s = schedule.intervalSeconds();
        if (s % 3600 == 0) {
            return s == 3600 ? "every hour" : "every " + s / 3600 + " hours";
        }
        if (s % 60 == 0) {
            return s == 60 ? "every minute" : "every " + s / 60 + " minutes";
        }
        return s == 1 ? "every second" : "every " + s + " seconds";
    }

    /**
     * The first due time after {@code after}, on the schedule's own grid: an interval counts from the last due time
     * (so ticks stay evenly spaced), skipping those already past when a node was down.
     */
    static Instant next(Schedule schedule, Instant lastDue, Instant now) {
        if (schedule.cron() != null) {
            Instant from = lastDue.isAfter(now) ? lastDue : now;
            return ExecutionTime.forCron(cron(schedule.cron()))
                    .nextExecution(ZonedDateTime.ofInstant(from, ZoneOffset.UTC))
                    .map(t -> t.toInstant().truncatedTo(ChronoUnit.SECONDS))
                    .orElseThrow(() -> new IllegalStateException("cron '" + schedule.cron() + "' has no next time"));
        }
        // Stored schedules were checked on the way in; clamping again keeps a hand-edited row from overflowing.
        long step = Math.multiplyExact(
                Math.min(Math.max(schedule.intervalSeconds(), MIN_INTERVAL_SECONDS), MAX_INTERVAL_SECONDS), 1000L);
        long behind = Math.max(0, now.toEpochMilli() - lastDue.toEpochMilli());
        return lastDue.plusMillis(Math.multiplyExact(behind / step + 1, step));
    }
}
