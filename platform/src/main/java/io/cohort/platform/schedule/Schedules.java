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

    private Schedules() {
    }

    /** @throws IllegalArgumentException naming the field and the value */
    static Schedule check(Schedule schedule) {
        if (schedule == null || (schedule.cron() == null) == (schedule.intervalSeconds() == null)) {
            throw new IllegalArgumentException("schedule: give either a cron expression or an interval, not both or neither");
        }
        if (schedule.cron() != null) {
            cron(schedule.cron());
        } else if (schedule.intervalSeconds() < 1) {
            throw new IllegalArgumentException("interval: " + schedule.intervalSeconds() + " seconds is under 1 second");
        }
        return schedule;
    }

    private static Cron cron(String expression) {
        try {
            return UNIX.parse(expression.trim()).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cron: '" + expression + "' is not a cron expression (minute hour day-of-month"
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
            return ExecutionTime.forCron(cron(schedule.cron())).nextExecution(ZonedDateTime.ofInstant(from, ZoneOffset.UTC))
                    .map(t -> t.toInstant().truncatedTo(ChronoUnit.SECONDS))
                    .orElseThrow(() -> new IllegalStateException("cron '" + schedule.cron() + "' has no next time"));
        }
        long step = schedule.intervalSeconds() * 1000;
        long behind = Math.max(0, now.toEpochMilli() - lastDue.toEpochMilli());
        return lastDue.plusMillis((behind / step + 1) * step);
    }
}
