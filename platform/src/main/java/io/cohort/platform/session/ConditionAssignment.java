package io.cohort.platform.session;

import io.cohort.api.experiment.Condition;
import io.cohort.api.experiment.ConditionPolicy;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.session.Participant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * psiTurk's rule without its race (docs/architecture.md): count, per condition, the participants of the same experiment
 * version and mode who completed or started within the last {@value #RECENT_MINUTES} minutes, and give the
 * newcomer the least-filled one. An advisory lock per (experiment, version, mode) makes count-then-write atomic
 * across threads and nodes. Group members share their group's condition.
 */
public final class ConditionAssignment {

    /** Who started longer ago and has not finished has most likely left: psiTurk's cutoff. */
    static final int RECENT_MINUTES = 30;

    public static final String DEFAULT_POLICY = "least-filled";

    private final Function<String, Optional<ConditionPolicy>> policies;

    public ConditionAssignment(Function<String, Optional<ConditionPolicy>> policies) {
        this.policies = policies;
    }

    /** The least-filled condition by weight; ties at random. */
    public static final ConditionPolicy LEAST_FILLED = (conditions, counts) -> {
        double best = Double.MAX_VALUE;
        List<String> tied = new ArrayList<>();
        for (Condition c : conditions) {
            double fill = counts.getOrDefault(c.name(), 0) / (double) Math.max(1, c.weight());
            if (fill < best) {
                best = fill;
                tied.clear();
            }
            if (fill == best) {
                tied.add(c.name());
            }
        }
        return tied.get(ThreadLocalRandom.current().nextInt(tied.size()));
    };

    /** Chooses {@code p}'s condition inside the caller's transaction; null when the experiment has none. */
    String assign(Connection c, Experiment experiment, Participant p, String policyName) throws SQLException {
        if (experiment.conditions() == null || experiment.conditions().isEmpty()) {
            return null;
        }
        if (experiment.conditions().size() == 1) {
            // Nothing to balance: no lock, so a burst of arrivals (a HIT just posted) does not queue up behind it.
            return experiment.conditions().get(0).name();
        }
        if (experiment.groupSize() > 1 && p.group() != null) {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT condition FROM cohort.participant WHERE session_id = ?"
                            + " AND group_name = ? AND condition IS NOT NULL LIMIT 1")) {
                ps.setString(1, p.sessionId());
                ps.setString(2, p.group());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getString("condition");
                    }
                }
            }
        }
        String mode = p.mode() == null ? null : p.mode().name();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, "condition/" + experiment.name() + "/" + p.codeVersion() + "/" + mode);
            ps.execute();
        }
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT condition, count(*) AS n FROM cohort.participant"
                + " WHERE experiment = ? AND code_version = ? AND mode IS NOT DISTINCT FROM ? AND condition IS NOT NULL"
                + " AND (status IN ('COMPLETED', 'SUBMITTED', 'APPROVED', 'REJECTED', 'BONUSED')"
                + "      OR (status IN ('STARTED', 'QUIT_EARLY') AND started_at > now() - make_interval(mins => ?)))"
                + " GROUP BY condition")) {
            ps.setString(1, experiment.name());
            ps.setString(2, p.codeVersion());
            ps.setString(3, mode);
            ps.setInt(4, RECENT_MINUTES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString("condition"), rs.getInt("n"));
                }
            }
        }
        String name = policyName == null || policyName.isBlank() ? DEFAULT_POLICY : policyName;
        ConditionPolicy policy = DEFAULT_POLICY.equals(name)
                ? LEAST_FILLED
                : policies.apply(name)
                        .orElseThrow(() -> new IllegalStateException(
                                "settings.condition_policy: no condition policy '" + name + "' is installed"));
        String chosen = policy.choose(experiment.conditions(), Map.copyOf(counts));
        if (experiment.conditions().stream().noneMatch(cond -> cond.name().equals(chosen))) {
            throw new IllegalStateException(
                    "condition policy '" + name + "' chose '" + chosen + "', which is not a condition");
        }
        return chosen;
    }
}
