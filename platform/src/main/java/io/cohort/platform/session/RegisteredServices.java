package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.ConditionPolicy;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.platform.osgi.Whiteboard;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;

/**
 * The services the stores call that may come and go, found live: the {@link Experiments} service (the host's
 * catalog, or one a test registers first) and condition policies (by {@value ConditionPolicy#NAME}). A lab's hooks
 * come from the catalog, which tracks them anyway.
 */
@Singleton
public final class RegisteredServices implements Experiments, AutoCloseable {

    private final Whiteboard<Experiments> experiments;
    private final Whiteboard<ConditionPolicy> policies;

    @Inject
    public RegisteredServices(BundleContext context) {
        experiments = new Whiteboard<>(context, Experiments.class);
        policies = new Whiteboard<>(context, ConditionPolicy.class);
    }

    @Override
    public List<Experiment> list() {
        return experiments.first().map(Experiments::list).orElse(List.of());
    }

    @Override
    public Optional<Experiment> find(String name) {
        return experiments.first().flatMap(e -> e.find(name));
    }

    public Optional<ConditionPolicy> policy(String name) {
        return policies.where(ConditionPolicy.NAME, name);
    }

    @Override
    public void close() {
        experiments.close();
        policies.close();
    }
}
