package io.cohort.platform.session;

import io.cohort.api.experiment.ConditionPolicy;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The services the stores call that may come and go: the experiments, a lab's hooks (by
 * {@value ExperimentHooks#EXPERIMENT}) and condition policies (by {@value ConditionPolicy#NAME}), found live.
 */
public final class RegisteredServices implements Experiments, AutoCloseable {

    private final ServiceTracker<Experiments, Experiments> experiments;
    private final ServiceTracker<ExperimentHooks, ExperimentHooks> hooks;
    private final ServiceTracker<ConditionPolicy, ConditionPolicy> policies;

    public RegisteredServices(BundleContext context) {
        experiments = new ServiceTracker<>(context, Experiments.class, null);
        hooks = new ServiceTracker<>(context, ExperimentHooks.class, null);
        policies = new ServiceTracker<>(context, ConditionPolicy.class, null);
        experiments.open(true);
        hooks.open(true);
        policies.open(true);
    }

    @Override
    public List<Experiment> list() {
        Experiments e = experiments.getService();
        return e == null ? List.of() : e.list();
    }

    @Override
    public Optional<Experiment> find(String name) {
        Experiments e = experiments.getService();
        return e == null ? Optional.empty() : e.find(name);
    }

    public Optional<ExperimentHooks> hooks(String experiment) {
        return named(hooks, ExperimentHooks.EXPERIMENT, experiment);
    }

    public Optional<ConditionPolicy> policy(String name) {
        return named(policies, ConditionPolicy.NAME, name);
    }

    private static <T> Optional<T> named(ServiceTracker<T, T> tracker, String property, String value) {
        ServiceReference<T>[] refs = tracker.getServiceReferences();
        if (refs == null) {
            return Optional.empty();
        }
        for (ServiceReference<T> ref : refs) {
            if (value.equals(String.valueOf(ref.getProperty(property)))) {
                return Optional.ofNullable(tracker.getService(ref));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        experiments.close();
        hooks.close();
        policies.close();
    }
}
