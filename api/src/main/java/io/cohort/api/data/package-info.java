/** A participant's data: append-only field history and page visits; tables plugins add to exports. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cohort.api.data;
