package io.cohort.api.experiment;

import org.osgi.annotation.versioning.ProviderType;
import java.util.List;
import java.util.Optional;

/** Service: the experiments this installation knows, from {@code experiments/} and from bundles. */
@ProviderType
public interface Experiments {

    List<Experiment> list();

    Optional<Experiment> find(String name);
}
