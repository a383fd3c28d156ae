/** A plugin's own database schema: migrations and mappers loaded from its bundle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cohort.api.storage;
