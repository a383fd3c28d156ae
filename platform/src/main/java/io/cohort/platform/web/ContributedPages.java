package io.cohort.platform.web;

import io.cohort.api.web.AdminPage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The {@link AdminPage} services of plugins, tracked live: a page and its menu entry exist exactly while its
 * service is registered. Holding the service objects also keeps delayed DS components active.
 */
public final class ContributedPages implements AutoCloseable {

    private final ServiceTracker<AdminPage, AdminPage> tracker;

    public ContributedPages(BundleContext context) {
        this.tracker = new ServiceTracker<>(context, AdminPage.class, null);
        tracker.open(true);
    }

    /** A page that answers a request path, and the rest of the path below it. */
    public record Match(ServiceReference<AdminPage> reference, AdminPage page, String subPath) {
    }

    /** A menu entry. */
    public record MenuItem(String path, String label, int order) {
    }

    /** The page whose path is the longest prefix of {@code path} (the part after {@code /admin}). */
    public Optional<Match> match(String path) {
        Match best = null;
        int bestLength = -1;
        for (Map.Entry<ServiceReference<AdminPage>, AdminPage> e : tracker.getTracked().entrySet()) {
            String own = pathOf(e.getKey());
            if (own == null) {
                continue;
            }
            boolean matches = path.equals(own) || path.startsWith(own + "/");
            if (matches && own.length() > bestLength) {
                best = new Match(e.getKey(), e.getValue(), path.substring(own.length()));
                bestLength = own.length();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * A file under {@code static/} in the bundle (by symbolic name) of a running admin page: its pages' scripts and
     * styles, served at {@code /static/plugins/<symbolic name>/<path>}. Empty for an unsafe path or unknown bundle.
     */
    public Optional<java.net.URL> staticFile(String symbolicName, String path) {
        if (path.contains("..") || path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        for (ServiceReference<AdminPage> ref : tracker.getTracked().keySet()) {
            org.osgi.framework.Bundle bundle = ref.getBundle();
            if (bundle != null && symbolicName.equals(bundle.getSymbolicName())) {
                return Optional.ofNullable(bundle.getEntry("static/" + path));
            }
        }
        return Optional.empty();
    }

    /** Every contributed page's path under {@code /admin}, with or without a menu entry. */
    public List<String> paths() {
        List<String> paths = new ArrayList<>();
        for (ServiceReference<AdminPage> ref : tracker.getTracked().keySet()) {
            String path = pathOf(ref);
            if (path != null) {
                paths.add("/admin" + path);
            }
        }
        paths.sort(null);
        return paths;
    }

    public List<MenuItem> menu() {
        List<MenuItem> items = new ArrayList<>();
        for (ServiceReference<AdminPage> ref : tracker.getTracked().keySet()) {
            String path = pathOf(ref);
            Object label = ref.getProperty(AdminPage.MENU);
            if (path != null && label != null) {
                items.add(new MenuItem("/admin" + path, label.toString(), order(ref)));
            }
        }
        items.sort(Comparator.comparingInt(MenuItem::order).thenComparing(MenuItem::label));
        return items;
    }

    /** The page's path, normalised to start with one slash and end with none; null if missing or unsafe. */
    static String pathOf(ServiceReference<?> ref) {
        return normalise(ref.getProperty(AdminPage.PATH));
    }

    /** A path property normalised to start with one slash and end with none; null if missing or unsafe. */
    static String normalise(Object value) {
        if (value == null) {
            return null;
        }
        String path = "/" + value.toString().replaceAll("^/+|/+$", "");
        return path.matches("(/[A-Za-z0-9._-]+)+") ? path : null;
    }

    private static int order(ServiceReference<?> ref) {
        Object value = ref.getProperty(AdminPage.MENU_ORDER);
        try {
            return value == null ? 100 : Integer.parseInt(value.toString());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    @Override
    public void close() {
        tracker.close();
    }
}
