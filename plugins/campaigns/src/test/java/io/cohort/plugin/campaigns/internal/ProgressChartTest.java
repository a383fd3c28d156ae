package io.cohort.plugin.campaigns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressChartTest {

    private static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

    @Test
    void completedAndGoalOverTimeOnThePlot() {
        ProgressChart chart = ProgressChart.of(
                List.of(
                        new Progress(1, START, 0, 12, 20, 576),
                        new Progress(1, START.plusSeconds(1800), 10, 8, 20, 960),
                        new Progress(1, START.plusSeconds(3600), 20, 0, 25, 1104)),
                25);
        // x: 0, half and all of 600 over the hour; y: 200 at 0, 0 at the top (the highest goal, 25).
        assertEquals("0.0,200.0 300.0,120.0 600.0,40.0", chart.completed());
        assertEquals("0.0,40.0 300.0,40.0 600.0,0.0", chart.goal());
        assertEquals(25, chart.top());
        assertEquals("60 minutes", chart.span());
        assertEquals("11.04", chart.spent());
        assertEquals(3, chart.rounds());
    }

    @Test
    void oneRoundIsAFlatLineAndNoneIsEmpty() {
        ProgressChart one = ProgressChart.of(List.of(new Progress(1, START, 5, 4, 10, 48)), 10);
        assertEquals("0.0,100.0 600.0,100.0", one.completed());
        assertEquals("0.48", one.spent());
        ProgressChart none = ProgressChart.of(List.of(), 10);
        assertEquals("", none.completed());
        assertEquals("no rounds yet", none.span());
    }
}
