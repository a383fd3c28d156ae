package io.cohort.platform.web;

import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Map;

/**
 * {@code {{ instant | time }}}: a moment as {@code <time datetime="...Z">}, shown to the second in UTC until
 * {@code times.js} rewrites it in the admin's own time zone with "3 min ago" where it helps. Exports stay UTC
 * ISO-8601; only the pages are local.
 */
public final class TimeFilter extends AbstractExtension implements Filter {

    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    @Override
    public Map<String, Filter> getFilters() {
        return Map.of("time", this);
    }

    @Override
    public List<String> getArgumentNames() {
        return List.of();
    }

    @Override
    public Object apply(
            Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int lineNumber) {
        Instant at = instant(input);
        if (at == null) {
            return input == null ? "" : input;
        }
        at = at.truncatedTo(ChronoUnit.SECONDS);
        return new SafeString("<time datetime=\"" + at + "\">" + SHOWN.format(at.atOffset(ZoneOffset.UTC)) + "</time>");
    }

    private static Instant instant(Object input) {
        if (input instanceof Instant i) {
            return i;
        }
        if (input instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (input instanceof TemporalAccessor t && t.isSupported(java.time.temporal.ChronoField.INSTANT_SECONDS)) {
            return Instant.from(t);
        }
        if (input instanceof String s) {
            try {
                return Instant.parse(s);
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }
}
