package io.cohort.plugin.digest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each kind of digest value becomes on the page, and a chart's escaping. */
class SectionsTest {

    @Test
    void eachKindOfValueBecomesAFigureAChartOrATable() {
        Map<String, Object> digest = new LinkedHashMap<>();
        digest.put("Players", 12);
        digest.put("Bonus total", new java.math.BigDecimal("3.00"));
        digest.put("Rate per round", Arrays.asList(0.5, null, 0.25));
        Map<String, Object> byStatus = new LinkedHashMap<>();
        byStatus.put("STARTED", 3);
        byStatus.put("COMPLETED", 9);
        digest.put("By status", byStatus);
        List<Map<String, Object>> table = new ArrayList<>();
        table.add(new LinkedHashMap<>(Map.of("pair", "g1")));
        table.get(0).put("points", 12.345);
        digest.put("Pairs", table);

        List<Sections.Section> sections = Sections.of(digest);
        assertEquals(
                List.of("Players", "Bonus total", "Rate per round", "By status", "Pairs"),
                sections.stream().map(Sections.Section::heading).toList());
        assertEquals(
                List.of("figure", "figure", "chart", "chart", "table"),
                sections.stream().map(Sections.Section::kind).toList());
        assertEquals("12", sections.get(0).text());
        assertEquals("3.00", sections.get(1).text());
        String rate = sections.get(2).svg();
        // bars labelled 1, 2, 3; the missing round has no bar and shows a dash
        assertEquals(2, rate.split("<rect ", -1).length - 1, rate);
        assertTrue(rate.contains(">3</text>") && rate.contains(">–</text>") && rate.contains(">0.25</text>"), rate);
        assertTrue(sections.get(3).svg().contains("text-anchor=\"middle\">COMPLETED</text>"));
        assertEquals(List.of("pair", "points"), sections.get(4).columns());
        assertEquals(List.of(List.of("g1", "12.35")), sections.get(4).rows());
    }

    @Test
    void everyLabelOfAChartIsEscaped() {
        Map<String, Object> bars = new LinkedHashMap<>();
        bars.put("<script>alert('x')</script>", 2);
        bars.put("a & \"b\"", 1);
        String svg = Sections.of(Map.of("<b>title</b>", bars)).get(0).svg();
        assertFalse(svg.contains("<script>") || svg.contains("<b>"), svg);
        assertTrue(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), svg);
        assertTrue(svg.contains("a &amp; &quot;b&quot;"), svg);
        assertTrue(svg.contains("<title>&lt;b&gt;title&lt;/b&gt;</title>"), svg);
    }
}
