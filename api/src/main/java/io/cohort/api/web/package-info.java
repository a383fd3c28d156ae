/**
 * UI extension points: admin pages, admin actions, session tabs, monitor columns, participant page contributions,
 * sockets.
 *
 * <p>A plugin that must reach its own node over HTTP (a simulation's server-side bots, which follow a participant's
 * links as a browser would) reads the framework property {@code cohort.node.url} with
 * {@code BundleContext.getProperty}: this node's web server as seen from this machine, e.g.
 * {@code http://127.0.0.1:8080} (no trailing slash). It is set once the port is known, before plugins in
 * {@code deploy/} start. The property {@code cohort.url} is instead where participants reach the node (the public
 * address), which may be a proxy in front of several nodes.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.cohort.api.web;
