package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.web.AdminPage;
import io.cohort.platform.osgi.Whiteboard;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The {@link AdminPage} services, tracked live: a page and its menu entry exist exactly while its service is
 * registered. The host's own tabs ({@link CoreTab}) are services here too, so the menu has one source.
 */
@Singleton
public final class ContributedPages implements AutoCloseable {

    private final Whiteboard<AdminPage> tracker;

    private final BundleContext context;

    @Inject
    public ContributedPages(BundleContext context) {
        this.context = context;
        this.tracker = new Whiteboard<>(context, AdminPage.class);
    }

    /** A page that answers a request path, and the rest of the path below it. */
    public record Match(ServiceReference<AdminPage> reference, AdminPage page, String subPath) {}

    /** A menu entry. */
    public record MenuItem(String path, String label, int order) {}

    /** The page whose path is the longest prefix of {@code path} (the part after {@code /admin}). */
    public Optional<Match> match(String path) {
        Match best = null;
        int bestLength = -1;
        for (Map.Entry<ServiceReference<AdminPage>, AdminPage> e :
                tracker.services().entrySet()) {
            String own = pathOf(e.getKey());
            if (own == null) {
                continue;
            }
            boolean matches = own.equals("/") ? path.equals("/") : path.equals(own) || path.startsWith(own + "/");
            // On the same path the host's own tab wins: a plugin cannot take over a core page.
            boolean better = own.length() > bestLength
                    || own.length() == bestLength
                            && e.getValue() instanceof CoreTab
                            && !(best.page() instanceof CoreTab);
            if (matches && better) {
                best = new Match(e.getKey(), e.getValue(), own.equals("/") ? "" : path.substring(own.length()));
                bestLength = own.length();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * A file under {@code static/} in the running bundle (by symbolic name) that contributes to the web now (any
     * service of {@code io.cohort.api.web}: an admin page, a session tab, a participant page's widget…): its
     * scripts and styles, served at {@code /static/plugins/<symbolic name>/<path>}. Empty for an unsafe path, or a
     * bundle that is unknown, stopped or contributes nothing.
     */
    public Optional<StaticFile> staticFile(String symbolicName, String path) {
        if (path.contains("..") || path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        for (org.osgi.framework.Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())
                    && bundle.getState() == org.osgi.framework.Bundle.ACTIVE
                    && contributesToTheWeb(bundle)) {
                return Optional.ofNullable(bundle.getEntry("static/" + path))
                        .map(url -> new StaticFile(
                                url, "\"" + bundle.getBundleId() + "-" + bundle.getLastModified() + "\""));
            }
        }
        return Optional.empty();
    }

    private static boolean contributesToTheWeb(org.osgi.framework.Bundle bundle) {
        ServiceReference<?>[] services = bundle.getRegisteredServices();
        for (ServiceReference<?> ref : services == null ? new ServiceReference<?>[0] : services) {
            for (String type : (String[]) ref.getProperty(org.osgi.framework.Constants.OBJECTCLASS)) {
                if (type.startsWith(AdminPage.class.getPackageName() + ".")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A bundle's static file and its entity tag: the bundle's id and install or update time, so that a browser keeps
     * its copy until the plugin is deployed again.
     */
    public record StaticFile(java.net.URL url, String etag) {}

    /** The plugin's admin page at a path under {@code /admin}; never a core tab (they serve their own routes). */
    public Optional<ContributedViews.Target> target(String path) {
        return match(path)
                .filter(m -> !(m.page() instanceof CoreTab))
                .map(m -> new ContributedViews.Target(
                        m.reference().getBundle(), m.subPath(), m.page()::handle, Map.of()));
    }

    /** Every contributed page's path under {@code /admin}, with or without a menu entry. */
    public List<String> paths() {
        List<String> paths = new ArrayList<>();
        for (ServiceReference<AdminPage> ref : tracker.services().keySet()) {
            String path = pathOf(ref);
            if (path != null) {
                paths.add(path.equals("/") ? "/admin/" : "/admin" + path);
            }
        }
        paths.sort(null);
        return paths;
    }

    /** The whole admin menu, core and plugin tabs alike: by order, the host's first on a tie, then by label. */
    public List<MenuItem> menu() {
        return menu(true);
    }

    /** The menu entries of plugins' pages alone (the dashboard lists them). */
    public List<MenuItem> pluginMenu() {
        return menu(false);
    }

    private List<MenuItem> menu(boolean withCore) {
        List<Map.Entry<MenuItem, Boolean>> items = new ArrayList<>();
        for (Map.Entry<ServiceReference<AdminPage>, AdminPage> e :
                tracker.services().entrySet()) {
            String path = pathOf(e.getKey());
            Object label = e.getKey().getProperty(AdminPage.MENU);
            boolean core = e.getValue() instanceof CoreTab;
            if (path != null && label != null && (withCore || !core)) {
                items.add(Map.entry(
                        new MenuItem(
                                path.equals("/") ? "/admin/" : "/admin" + path, label.toString(), order(e.getKey())),
                        core));
            }
        }
        items.sort(Comparator.<Map.Entry<MenuItem, Boolean>>comparingInt(
                        i -> i.getKey().order())
                .thenComparing(i -> !i.getValue())
                .thenComparing(i -> i.getKey().label()));
        return items.stream().map(Map.Entry::getKey).toList();
    }

    /** The page's path, normalised to start with one slash and end with none; null if missing or unsafe. */
    static String pathOf(ServiceReference<?> ref) {
        Object path = ref.getProperty(AdminPage.PATH);
        if ("/".equals(path)) {
            return "/"; // the dashboard, at /admin/
        }
        return normalise(path);
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
        return order(ref, AdminPage.MENU_ORDER);
    }

    /** An optional integer ordering property of a contribution; 100 when missing or not a number. */
    public static int order(ServiceReference<?> ref, String property) {
        Object value = ref.getProperty(property);
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
