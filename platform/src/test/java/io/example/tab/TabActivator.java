package io.example.tab;

import io.cohort.api.web.AdminPage;
import io.cohort.api.web.View;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** A test plugin's activator: one admin tab, "Hello" at {@code /hello}, registered as any plugin registers it. */
public final class TabActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(AdminPage.PATH, "/hello");
        properties.put(AdminPage.MENU, "Hello");
        properties.put(AdminPage.MENU_ORDER, 450);
        context.registerService(AdminPage.class, request -> View.of("templates/hello.peb", Map.of()), properties);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
