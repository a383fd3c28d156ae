package io.cohort.api.payment;

import java.util.List;

/** A plan with bad rows: nothing was written or sent. Each problem names its line, worker and value. */
public class PlanRefused extends IllegalArgumentException {

    private final List<String> problems;

    public PlanRefused(List<String> problems) {
        super(problems.size() + " row(s) refused: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
