/** Scheduled tasks, safe on any number of nodes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cohort.api.schedule;
