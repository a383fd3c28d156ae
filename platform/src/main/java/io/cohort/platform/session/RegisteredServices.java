package io.cohort.platform.session;

import io.cohort.api.experiment.ConditionPolicy;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The services the stores call that may come and go, found live: the {@link Experiments} service (the host's
 * catalog, or one a test registers first) and condition policies (by {@value ConditionPolicy#NAME}). A lab's hooks
 * come from the catalog, which tracks them anyway.
 */
public final class RegisteredServices implements Experiments, AutoCloseable {

    private final ServiceTracker<Experiments, Experiments> experiments;
    private final ServiceTracker<ConditionPolicy, ConditionPolicy> policies;

    public RegisteredServices(BundleContext context) {
        experiments = new ServiceTracker<>(context, Experiments.class, null);
        policies = new ServiceTracker<>(context, ConditionPolicy.class, null);
        experiments.open(true);
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
        policies.close();
    }
}
