package io.cohort.api.experiment;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: how a participant's condition is chosen, named by {@value #NAME} and picked by an
 * experiment's {@code conditionPolicy}. The host calls it while holding the lock that makes assignment atomic.
 */
@ConsumerType
public interface ConditionPolicy {

    String NAME = "cohort.condition.policy";

    /**
     * @param counts participants per condition among those of the same experiment version and mode who started
     *               recently or completed
     * @return one of {@code conditions}' names
     */
    String choose(List<Condition> conditions, Map<String, Integer> counts);
}
