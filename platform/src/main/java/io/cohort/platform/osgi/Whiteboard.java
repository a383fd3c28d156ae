package io.cohort.platform.osgi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The services of one type that bundles register right now: how the host finds every extension point (pages,
 * routes, sockets, hooks, providers, task handlers, listeners). Holding a service object also keeps a delayed DS
 * component active while it is tracked. The host never caches a service beyond one call: a plugin may stop at any
 * moment.
 */
public final class Whiteboard<S> implements AutoCloseable {

    /**
     * Told when a service arrives or goes; runs on the registering or unregistering thread, and {@link #services()}
     * already holds the change (a listener can read the new whole).
     */
    public interface Listener<S> {
        default void added(ServiceReference<S> reference, S service) {}

        /** Its properties changed. */
        default void modified(ServiceReference<S> reference, S service) {}

        default void removed(ServiceReference<S> reference, S service) {}
    }

    private final ServiceTracker<S, S> tracker;
    private final List<Runnable> changeWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What is tracked, updated before a listener is told (the tracker's own map changes only after). */
    private final Map<ServiceReference<S>, S> current = new java.util.concurrent.ConcurrentHashMap<>();

    public Whiteboard(BundleContext context, Class<S> type) {
        this(context, type, null);
    }

    public Whiteboard(BundleContext context, Class<S> type, Listener<S> listener) {
        this(context, type, listener, true);
    }

    /**
     * Services of a type that a bundle may also export itself (Config Admin, Metatype): only those whose class the
     * host can see, so {@link #first()} never hands back an object of a class from another class space.
     */
    public static <S> Whiteboard<S> ownClassSpace(BundleContext context, Class<S> type) {
        return new Whiteboard<>(context, type, null, false);
    }

    private Whiteboard(BundleContext context, Class<S> type, Listener<S> listener, boolean allClassSpaces) {
        this.tracker = new ServiceTracker<>(context, type, null) {
            @Override
            public S addingService(ServiceReference<S> reference) {
                S service = super.addingService(reference);
                if (service != null) {
                    current.put(reference, service);
                    if (listener != null) {
                        listener.added(reference, service);
                    }
                    changeWatchers.forEach(Runnable::run);
                }
                return service;
            }

            @Override
            public void modifiedService(ServiceReference<S> reference, S service) {
                if (listener != null) {
                    listener.modified(reference, service);
                }
                changeWatchers.forEach(Runnable::run);
            }

            @Override
            public void removedService(ServiceReference<S> reference, S service) {
                current.remove(reference);
                if (listener != null) {
                    listener.removed(reference, service);
                }
                changeWatchers.forEach(Runnable::run);
                super.removedService(reference, service);
            }
        };
        // The api types come only from the system bundle, so every class space sees the same ones.
        tracker.open(allClassSpaces);
    }

    /** Every service with its reference, highest ranking first (then oldest first, as OSGi orders them). */
    public Map<ServiceReference<S>, S> services() {
        if (current.isEmpty()) {
            return Map.of(); // the usual case on a participant's page: no plugin contributes to it
        }
        Map<ServiceReference<S>, S> sorted = new TreeMap<>(java.util.Collections.reverseOrder());
        sorted.putAll(current);
        return sorted;
    }

    /** The services alone, highest ranking first. */
    public List<S> all() {
        return new ArrayList<>(services().values());
    }

    /** The highest-ranked service, if any is registered. */
    public Optional<S> first() {
        return Optional.ofNullable(tracker.getService());
    }

    /** The highest-ranked service whose {@code property} equals {@code value} (compared as text). */
    public Optional<S> where(String property, String value) {
        for (Map.Entry<ServiceReference<S>, S> e : services().entrySet()) {
            Object own = e.getKey().getProperty(property);
            if (own != null && Objects.equals(own.toString(), value)) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code watcher} after every arrival, change of properties or departure, on that thread, once
     * {@link #services()} holds the change. It must be quick and must not throw.
     */
    public void whenChanged(Runnable watcher) {
        changeWatchers.add(watcher);
    }

    /** How many are registered. */
    public int size() {
        return current.size();
    }

    @Override
    public void close() {
        tracker.close();
        current.clear();
    }
}
