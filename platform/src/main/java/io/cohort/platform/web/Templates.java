package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.loader.DelegatingLoader;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Pebble, autoescaping HTML. The host's templates load through the host's class loader; a plugin's through its
 * bundle's, with the host's behind it (so a plugin page can extend {@code layout.peb}). One engine per bundle,
 * dropped when the bundle stops, so a redeployed plugin's old class loader is not kept (docs/architecture.md, pitfall 2).
 */
@Singleton
public final class Templates implements SynchronousBundleListener {

    private final PebbleEngine host;
    private final Map<Long, PebbleEngine> plugins = new ConcurrentHashMap<>();

    /** The host's: dropping a stopped bundle's engine as the framework reports it. */
    @Inject
    public Templates(BundleContext context) {
        this();
        context.addBundleListener(this);
    }

    public Templates() {
        this.host = engine(hostLoader());
    }

    /** The host's feature packages that keep templates beside their classes; a template name is unique across them. */
    static final List<String> FEATURES =
            List.of("web", "session", "participant", "room", "payment", "schedule", "data", "osgi", "status", "dump");

    private static Loader<?> hostLoader() {
        List<Loader<?>> loaders = new java.util.ArrayList<>();
        for (String feature : FEATURES) {
            ClasspathLoader loader = new ClasspathLoader(Templates.class.getClassLoader());
            loader.setPrefix("io/cohort/platform/" + feature);
            loaders.add(loader);
        }
        return new DelegatingLoader(loaders);
    }

    private static PebbleEngine engine(Loader<?> loader) {
        return new PebbleEngine.Builder()
                .loader(loader)
                .autoEscaping(true)
                .strictVariables(false)
                .extension(new MoneyFilter())
                .extension(new TimeFilter())
                .build();
    }

    /** Renders one of the host's templates, e.g. {@code plugins.peb}. */
    public String render(String template, Map<String, Object> model) {
        return render(host, template, model);
    }

    /** Renders a template of {@code bundle}, e.g. {@code templates/hello.peb}. */
    public String render(Bundle bundle, String template, Map<String, Object> model) {
        PebbleEngine engine = plugins.computeIfAbsent(bundle.getBundleId(), id -> {
            ClassLoader bundleLoader = bundle.adapt(BundleWiring.class).getClassLoader();
            return engine(new DelegatingLoader(List.of(new ClasspathLoader(bundleLoader), hostLoader())));
        });
        return render(engine, template, model);
    }

    private static String render(PebbleEngine engine, String template, Map<String, Object> model) {
        PebbleTemplate compiled = engine.getTemplate(template);
        StringWriter out = new StringWriter();
        try {
            compiled.evaluate(out, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        int type = event.getType();
        if (type == BundleEvent.STOPPED
                || type == BundleEvent.UNRESOLVED
                || type == BundleEvent.UPDATED
                || type == BundleEvent.UNINSTALLED) {
            plugins.remove(event.getBundle().getBundleId());
        }
    }
}
