/** UI extension points: admin pages, admin actions, participant page contributions, sockets. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.cohort.api.web;
