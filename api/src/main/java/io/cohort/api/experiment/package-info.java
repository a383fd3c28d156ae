/** Experiments, their pages and fields, and the hooks a lab's code provides. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.cohort.api.experiment;
