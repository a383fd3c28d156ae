package io.cohort.plugin.resultsimport.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nodegame-mturk's "show Summary" of what an import will do: approvals, rejections, the bonuses' count, total,
 * mean, standard deviation (of the population, as the ledger's preview), min and max, qualifications, and the
 * balance before and after. Money is dollars as text ("1.25"), so the JSON twin carries no float.
 */
final class Summary {

    private Summary() {}

    /** @param rows the rows still to do (those already done left out) */
    static Map<String, Object> of(
            List<ImportRow> approve,
            List<ImportRow> reject,
            List<ImportRow> bonus,
            List<ImportRow> qualify,
            Long balanceBefore,
            Long balanceAfter) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("approve", approve.size());
        summary.put("reject", reject.size());
        summary.put(
                "bonus", spread(bonus.stream().mapToLong(ImportRow::bonusCents).toArray()));
        summary.put("qualify", qualify.size());
        summary.put("balanceBefore", balanceBefore == null ? "" : Settings.dollars(balanceBefore));
        summary.put("balanceAfter", balanceAfter == null ? "" : Settings.dollars(balanceAfter));
        return summary;
    }

    static Map<String, Object> spread(long[] cents) {
        Map<String, Object> out = new LinkedHashMap<>();
        long total = 0;
        long min = cents.length == 0 ? 0 : Long.MAX_VALUE;
        long max = 0;
        for (long c : cents) {
            total += c;
            min = Math.min(min, c);
            max = Math.max(max, c);
        }
        double mean = cents.length == 0 ? 0 : (double) total / cents.length;
        double squares = 0;
        for (long c : cents) {
            squares += (c - mean) * (c - mean);
        }
        double std = cents.length == 0 ? 0 : Math.sqrt(squares / cents.length);
        out.put("count", cents.length);
        out.put("total", Settings.dollars(total));
        out.put("mean", money(mean));
        out.put("std", money(std));
        out.put("min", Settings.dollars(min));
        out.put("max", Settings.dollars(max));
        return out;
    }

    private static String money(double cents) {
        return BigDecimal.valueOf(cents)
                .movePointLeft(2)
                .setScale(2, RoundingMode.HALF_UP)
                .toPlainString();
    }

    /** Flat text for the database: {@code approve=3}, {@code bonus.total=4.50}, ... */
    static String text(Map<String, Object> summary) {
        StringBuilder out = new StringBuilder();
        summary.forEach((k, v) -> {
            if (v instanceof Map<?, ?> inner) {
                inner.forEach((ik, iv) -> out.append(k)
                        .append('.')
                        .append(ik)
                        .append('=')
                        .append(iv)
                        .append('\n'));
            } else {
                out.append(k).append('=').append(v).append('\n');
            }
        });
        return out.toString();
    }

    static Map<String, Object> parse(String text) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            Object value = line.substring(eq + 1);
            if (!key.startsWith("balance") && ((String) value).matches("-?\\d+") && !key.contains(".")) {
                value = Integer.valueOf((String) value);
            }
            int dot = key.indexOf('.');
            if (dot > 0) {
                @SuppressWarnings("unchecked")
                Map<String, Object> inner = (Map<String, Object>)
                        out.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<String, Object>());
                String ik = key.substring(dot + 1);
                inner.put(ik, ik.equals("count") ? Integer.valueOf((String) value) : value);
            } else {
                out.put(key, value);
            }
        }
        return out;
    }
}
