package io.cohort.api.experiment;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Service: the experiments this installation knows, from {@code experiments/} and from bundles. */
@ProviderType
public interface Experiments {

    List<Experiment> list();

    Optional<Experiment> find(String name);
}
