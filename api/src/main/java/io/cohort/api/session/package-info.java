/** Sessions, participants and rooms. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cohort.api.session;
