package io.cohort.platform;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Dictionary;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the host started, in the order it started, closed in reverse: the parts Guice makes (as it makes them,
 * so a part closes before the parts it uses), each service registration right after the part it exposes, and the
 * web server last of all, so it is the first to stop.
 */
final class Lifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    synchronized void started(AutoCloseable part) {
        started.push(part);
    }

    /**
     * Registers {@code service} (an implementation of {@code type}, or a service factory for it) in the host's context;
     * it is unregistered before the parts made before it close.
     */
    void register(BundleContext context, Class<?> type, Object service, Dictionary<String, ?> properties) {
        register(context, new String[] {type.getName()}, service, properties);
    }

    void register(BundleContext context, String[] types, Object service, Dictionary<String, ?> properties) {
        ServiceRegistration<?> registration = context.registerService(types, service, properties);
        started(() -> {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework stopped first
            }
        });
    }

    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                // One part failing to close must not keep the others (and the database) open.
                LOG.warn("closing {} failed: {}", part, e.toString());
            }
        }
    }
}
