package io.cohort.platform.web;

import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.util.List;
import java.util.Map;

/**
 * {@code {{ cents | money }}}: the one money format of the admin pages, {@code $1.23} ({@code -$0.40} below zero), so
 * a batch page, a preview row and a total all read alike.
 */
public final class MoneyFilter extends AbstractExtension implements Filter {

    @Override
    public Map<String, Filter> getFilters() {
        return Map.of("money", this);
    }

    @Override
    public List<String> getArgumentNames() {
        return List.of();
    }

    @Override
    public Object apply(
            Object input, Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int lineNumber) {
        if (input == null) {
            return "";
        }
        long cents = input instanceof Number n
                ? n.longValue()
                : Long.parseLong(input.toString().strip());
        return format(cents);
    }

    public static String format(long cents) {
        long abs = Math.abs(cents);
        return (cents < 0 ? "-$" : "$") + abs / 100 + "." + String.format("%02d", abs % 100);
    }
}
