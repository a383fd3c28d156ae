package io.cohort.platform.osgi;

import java.lang.reflect.Field;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a leak in Felix 7.0.5's service registry: when SCR got a plugin's references through
 * {@code ServiceObjects}, stopping the plugin leaves its usage records (some with a count of 0, never flushed) in the
 * registry's in-use map, keyed by the plugin's {@code Bundle}. Every redeploy then kept the old bundle and its jar
 * index reachable (about 0.3 MB a cycle, found with a heap dump: {@code ServiceRegistry.m_inUseMap} held each
 * uninstalled {@code BundleImpl}). An uninstalled bundle can use no service any more, so its records are dropped.
 */
final class UninstalledUsages implements SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger(UninstalledUsages.class);

    private final Map<?, ?> inUse;

    private UninstalledUsages(Map<?, ?> inUse) {
        this.inUse = inUse;
    }

    /** Listens on {@code framework}; does nothing (and says so once) on a framework other than the Felix it knows. */
    static void watch(Framework framework) {
        try {
            Field registry = field(framework.getClass(), "m_registry");
            Object serviceRegistry = registry.get(framework);
            Field inUse = field(serviceRegistry.getClass(), "m_inUseMap");
            framework.getBundleContext().addBundleListener(new UninstalledUsages((Map<?, ?>)
                    inUse.get(serviceRegistry)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "Not dropping uninstalled bundles' service usages (this Felix is not the one expected): {}",
                    e.toString());
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UNINSTALLED) {
            Bundle bundle = event.getBundle();
            inUse.remove(bundle);
        }
    }
}
