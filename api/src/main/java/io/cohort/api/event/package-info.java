/** Publish/subscribe between the host, plugins and other nodes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cohort.api.event;
