package io.example.hooks;

import io.cohort.api.experiment.ExperimentHooks;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A test bundle's activator: registers {@link ExperimentHooks} for the experiment named in its manifest header
 * {@code Test-Experiment}, shipped in the bundle's folder {@code experiment/}.
 */
public final class HooksActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(
                ExperimentHooks.EXPERIMENT, context.getBundle().getHeaders().get("Test-Experiment"));
        properties.put(ExperimentHooks.RESOURCES, "experiment");
        context.registerService(ExperimentHooks.class, new ExperimentHooks() {}, properties);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
