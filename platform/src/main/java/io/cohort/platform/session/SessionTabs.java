package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.api.web.SessionTab;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.ContributedViews;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * The {@link SessionTab} services, tracked live: each is a tab of every session's page, served at
 * {@code /admin/sessions/{id}/<path>} and below, and its JSON twin under {@code /api}, through {@link
 * ContributedViews} as a plugin's admin page is. A tab whose path is not one safe segment, or is one of the host's
 * own session sub-paths, is refused (logged, never served); of two on the same path the higher ranked wins.
 */
@Singleton
public final class SessionTabs implements Tab, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTabs.class);
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern TAB_PATH = Pattern.compile("^/sessions/([^/]+)/([^/]+)(/.*)?$");

    /** The sub-paths of a session the host answers itself (its controls, data, exports, actions). */
    static final Set<String> HOST_PATHS = Set.copyOf(concat(
            SessionPage.CONTROLS,
            List.of(
                    "actions",
                    "links.csv",
                    "data",
                    "export",
                    "export.csv",
                    "export.json",
                    "page-times.csv",
                    "records",
                    "psiturk",
                    "tables",
                    "participants",
                    "monitor")));

    /** A tab as the tab bar shows it; {@code path} is its segment after the session's path. */
    public record Link(String path, String label, int order) {}

    private final Whiteboard<SessionTab> tracker;
    private final SessionStore sessions;
    private final ContributedViews views;
    private final ContributedPages pages;
    private final Layout layout;

    @Inject
    public SessionTabs(
            BundleContext context,
            SessionStore sessions,
            ContributedViews views,
            ContributedPages pages,
            Layout layout) {
        this.sessions = sessions;
        this.views = views;
        this.pages = pages;
        this.layout = layout;
        this.tracker = new Whiteboard<>(context, SessionTab.class, new Whiteboard.Listener<>() {
            @Override
            public void added(ServiceReference<SessionTab> reference, SessionTab service) {
                refusal(reference)
                        .ifPresent(why -> LOG.error(
                                "session tab of {} refused: {}",
                                reference.getBundle().getSymbolicName(),
                                why));
            }
        });
    }

    /** Runs {@code watcher} whenever a tab arrives or goes (after the change). */
    public void whenChanged(Runnable watcher) {
        tracker.whenChanged(watcher);
    }

    /** Why a tab's registration cannot be served, if it cannot. */
    private static Optional<String> refusal(ServiceReference<?> reference) {
        Object path = reference.getProperty(SessionTab.PATH);
        if (path == null || !SEGMENT.matcher(path.toString()).matches()) {
            return Optional.of(SessionTab.PATH + ": '" + path + "' is not one path segment ([A-Za-z0-9_-]+)");
        }
        if (HOST_PATHS.contains(path.toString())) {
            return Optional.of(SessionTab.PATH + ": '" + path + "' is the host's own path of a session");
        }
        return Optional.empty();
    }

    /** The tabs served now (one per path, the highest ranked), by order, then label. */
    public List<Link> tabs() {
        Map<String, Link> byPath = new LinkedHashMap<>();
        for (ServiceReference<SessionTab> ref : tracker.services().keySet()) {
            if (refusal(ref).isEmpty()) {
                String path = ref.getProperty(SessionTab.PATH).toString();
                Object label = ref.getProperty(SessionTab.LABEL);
                byPath.putIfAbsent(
                        path,
                        new Link(
                                path,
                                label == null ? path : label.toString(),
                                ContributedPages.order(ref, SessionTab.ORDER)));
            }
        }
        List<Link> links = new ArrayList<>(byPath.values());
        links.sort(Comparator.comparingInt(Link::order).thenComparing(Link::label));
        return links;
    }

    private Optional<Map.Entry<ServiceReference<SessionTab>, SessionTab>> find(String path) {
        return tracker.services().entrySet().stream()
                .filter(e -> refusal(e.getKey()).isEmpty()
                        && path.equals(e.getKey().getProperty(SessionTab.PATH).toString()))
                .findFirst();
    }

    /**
     * The session page's tab bar, for the layout ({@code sessionTabs}): the session, then its own page and each tab
     * with its whole path, the one shown marked {@code current}.
     *
     * @param current the shown tab's path segment, or null for the session's own page
     */
    public Map<String, Object> bar(Session session, String current) {
        String base = "/admin/sessions/" + session.id();
        List<Map<String, Object>> links = new ArrayList<>();
        links.add(Map.of("path", base, "label", "Session", "current", current == null));
        for (Link tab : tabs()) {
            links.add(Map.of(
                    "path",
                    base + "/" + tab.path(),
                    "label",
                    tab.label(),
                    "current",
                    tab.path().equals(current)));
        }
        return Map.of("session", session.id(), "name", session.name(), "tabs", links);
    }

    @Override
    public void routes(Application app) {
        for (String prefix : new String[] {"/admin", "/api"}) {
            boolean api = prefix.equals("/api");
            app.ANY(prefix + "/sessions/{id}/{tab}", Tab.handler(ctx -> serve(ctx, api)));
            app.ANY(prefix + "/sessions/{id}/{tab}/{rest: .*}", Tab.handler(ctx -> serve(ctx, api)));
        }
    }

    /** Answers a tab's path; hands any other path to the routes after (the host's own, then its 404). */
    private void serve(RouteContext ctx, boolean api) throws Exception {
        if (ctx.getResponse().isCommitted()) {
            return;
        }
        String path = ctx.getRequest().getPath().substring(api ? "/api".length() : "/admin".length());
        Matcher m = TAB_PATH.matcher(path);
        if (!m.matches() || find(m.group(2)).isEmpty()) {
            ctx.next(); // not a tab: Pippo runs the next matching route only when asked
            return;
        }
        Optional<ContributedViews.Target> target = target(path);
        if (target.isEmpty()) {
            String id = m.group(1);
            if (api) {
                Layout.json(ctx, 404, Map.of("error", "session: there is no session '" + id + "'"));
            } else {
                layout.message(ctx, 404, "Not found", "There is no session '" + id + "'.");
            }
            return;
        }
        views.serve(ctx, api, target.get(), p -> target(p).or(() -> pages.target(p)));
    }

    /** The tab at a path under {@code /admin} of an existing session, if any. */
    private Optional<ContributedViews.Target> target(String adminPath) {
        Matcher m = TAB_PATH.matcher(adminPath);
        if (!m.matches()) {
            return Optional.empty();
        }
        String segment = m.group(2);
        Optional<Map.Entry<ServiceReference<SessionTab>, SessionTab>> tab = find(segment);
        Optional<Session> session = tab.isEmpty() ? Optional.empty() : sessions.find(m.group(1));
        if (session.isEmpty()) {
            return Optional.empty();
        }
        SessionTab service = tab.get().getValue();
        return Optional.of(new ContributedViews.Target(
                tab.get().getKey().getBundle(),
                m.group(3) == null ? "" : m.group(3),
                request -> service.handle(session.get(), request),
                Map.of("sessionTabs", bar(session.get(), segment))));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public void close() {
        tracker.close();
    }
}
