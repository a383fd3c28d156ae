/** UI extension points: admin pages, admin actions, session tabs, monitor columns, participant page contributions, sockets. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.cohort.api.web;
