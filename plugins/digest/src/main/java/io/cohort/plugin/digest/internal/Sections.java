package io.cohort.plugin.digest.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A digest's entries as the page draws them, in the digest's order (see {@code ExperimentHooks.digest}): a number,
 * string or boolean is a figure; a list of numbers or a map of labels to numbers a bar chart (SVG drawn here); a list
 * of maps a table. Anything else is shown as text.
 */
final class Sections {

    /**
     * One entry of the digest, drawn.
     *
     * @param kind    figure, chart or table
     * @param text    a figure's value
     * @param svg     a chart's markup (every label escaped)
     * @param columns a table's column names
     * @param rows    a table's cells, as text
     */
    record Section(
            String heading, String kind, String text, String svg, List<String> columns, List<List<String>> rows) {}

    private Sections() {}

    static List<Section> of(Map<String, Object> digest) {
        List<Section> sections = new ArrayList<>();
        digest.forEach((heading, value) -> sections.add(section(heading, value)));
        return sections;
    }

    private static Section section(String heading, Object value) {
        if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Sections::numberOrNull)) {
            Map<String, Number> bars = new LinkedHashMap<>();
            for (int i = 0; i < list.size(); i++) {
                bars.put(Integer.toString(i + 1), (Number) list.get(i));
            }
            return chart(heading, bars);
        }
        if (value instanceof Map<?, ?> map
                && !map.isEmpty()
                && map.values().stream().allMatch(Sections::numberOrNull)) {
            Map<String, Number> bars = new LinkedHashMap<>();
            map.forEach((k, v) -> bars.put(String.valueOf(k), (Number) v));
            return chart(heading, bars);
        }
        if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(r -> r instanceof Map<?, ?>)) {
            Set<String> columns = new LinkedHashSet<>();
            list.forEach(r -> ((Map<?, ?>) r).keySet().forEach(k -> columns.add(String.valueOf(k))));
            List<List<String>> rows = new ArrayList<>();
            for (Object r : list) {
                Map<?, ?> row = (Map<?, ?>) r;
                rows.add(columns.stream().map(c -> text(row.get(c))).toList());
            }
            return new Section(heading, "table", null, null, List.copyOf(columns), rows);
        }
        return new Section(heading, "figure", text(value), null, List.of(), List.of());
    }

    private static boolean numberOrNull(Object o) {
        return o == null || o instanceof Number;
    }

    private static Section chart(String heading, Map<String, Number> bars) {
        return new Section(heading, "chart", null, svg(heading, bars), List.of(), List.of());
    }

    /** A value as text: numbers with at most two decimals (a decimal amount as it is, e.g. 3.00), nothing for null. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal exact && exact.scale() >= 0 && exact.scale() <= 2) {
            return exact.toPlainString(); // an amount keeps its cents: 3.00
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            BigDecimal d = new BigDecimal(value.toString())
                    .setScale(2, RoundingMode.HALF_UP)
                    .stripTrailingZeros();
            return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return value.toString();
        }
        return String.valueOf(value);
    }

    private static final int BAR = 48;
    private static final int GAP = 16;
    private static final int HEIGHT = 160;
    private static final int LEFT = 48;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    /**
     * A bar chart: one bar per label, its value above it, the label below, the largest value on the y axis. Bars of
     * negative values hang below the axis; a missing value (null) has no bar and shows "–".
     */
    static String svg(String title, Map<String, Number> bars) {
        double max = 0;
        double min = 0;
        for (Number n : bars.values()) {
            if (n != null) {
                max = Math.max(max, n.doubleValue());
                min = Math.min(min, n.doubleValue());
            }
        }
        double span = max - min == 0 ? 1 : max - min;
        int width = LEFT + bars.size() * (BAR + GAP) + GAP;
        double zero = TOP + HEIGHT * (max / span);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"digest-chart\" role=\"img\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(TOP + HEIGHT + BOTTOM)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(TOP + HEIGHT + BOTTOM)
                .append("\"><title>")
                .append(escape(title))
                .append("</title>");
        // axes: y from top to bottom of the plot, x at zero
        svg.append(line(LEFT, TOP, LEFT, TOP + HEIGHT)).append(line(LEFT, zero, width - GAP / 2.0, zero));
        svg.append(label(LEFT - 6, TOP + 4, "end", "axis-max", text(max)));
        svg.append(label(LEFT - 6, zero + 4, "end", "axis-zero", "0"));
        int i = 0;
        for (Map.Entry<String, Number> bar : bars.entrySet()) {
            double x = LEFT + GAP + i * (BAR + GAP);
            double middle = x + BAR / 2.0;
            Number value = bar.getValue();
            if (value != null) {
                double v = value.doubleValue();
                double h = HEIGHT * Math.abs(v) / span;
                double y = v >= 0 ? zero - h : zero;
                svg.append("<rect class=\"bar\" fill=\"#4a78b5\" x=\"")
                        .append(num(x))
                        .append("\" y=\"")
                        .append(num(y))
                        .append("\" width=\"")
                        .append(BAR)
                        .append("\" height=\"")
                        .append(num(h))
                        .append("\"><title>")
                        .append(escape(bar.getKey() + ": " + text(value)))
                        .append("</title></rect>");
                svg.append(label(middle, (v >= 0 ? y : y + h + 12) - 4, "middle", "value", text(value)));
            } else {
                svg.append(label(middle, zero - 4, "middle", "value", "–"));
            }
            svg.append(label(middle, TOP + HEIGHT + 16, "middle", "label", bar.getKey()));
            i++;
        }
        return svg.append("</svg>").toString();
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line class=\"axis\" x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\""
                + num(y2) + "\" stroke=\"currentColor\"/>";
    }

    private static String label(double x, double y, String anchor, String kind, String text) {
        return "<text class=\"" + kind + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">"
                + escape(text) + "</text>";
    }

    private static String num(double d) {
        return BigDecimal.valueOf(d).setScale(1, RoundingMode.HALF_UP).toPlainString();
    }

    /** Text for XML: the five special characters as entities. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
