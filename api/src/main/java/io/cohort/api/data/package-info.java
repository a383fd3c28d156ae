/** A participant's data: append-only field history and page visits. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cohort.api.data;
