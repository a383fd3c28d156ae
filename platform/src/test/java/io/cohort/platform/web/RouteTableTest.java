package io.cohort.platform.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import ro.pippo.core.route.DefaultRouter;
import ro.pippo.core.route.Route;
import ro.pippo.core.route.RouteMatch;
import ro.pippo.core.route.Router;

/** {@link RouteTable} finds what Pippo's own router finds, in the same order, with the same path parameters. */
class RouteTableTest {

    /** The host's kinds of patterns: filters on every path, literal paths, variables, variables with expressions. */
    static final List<String[]> ROUTES = List.of(
            new String[] {"ANY", "/admin.*"},
            new String[] {"ANY", "/api/.*"},
            new String[] {"ANY", "/p/.*"},
            new String[] {"ANY", "/p"},
            new String[] {"GET", "/"},
            new String[] {"GET", "/healthz"},
            new String[] {"GET", "/admin"},
            new String[] {"GET", "/admin/"},
            new String[] {"GET", "/admin/sessions"},
            new String[] {"ANY", "/admin/sessions/{id}/{tab}"},
            new String[] {"ANY", "/admin/sessions/{id}/{tab}/{rest: .*}"},
            new String[] {"GET", "/admin/plugins/{id: [0-9]+}/config/{pid}"},
            new String[] {"POST", "/admin/plugins/{id: [0-9]+}/{action: start|stop|uninstall}"},
            new String[] {"POST", "/admin/status/logins/{id: [0-9a-f]+}/revoke"},
            new String[] {"GET", "/p/{session}/{token}/"},
            new String[] {"POST", "/p/{session}/{token}/"},
            new String[] {"POST", "/p/{session}/{token}/save"},
            new String[] {"GET", "/r/{room}/"},
            new String[] {"GET", "/static/plugins/{bundle}/{path: .+}"},
            new String[] {"GET", "/static/{path: .+}"},
            new String[] {"GET", "/static/js/psiturk.js"},
            new String[] {"GET", "/sync/{uid}"},
            new String[] {"PUT", "/sync/{uid}"},
            new String[] {"ANY", "/admin/{rest: .+}"},
            new String[] {"ANY", "/api/{rest: .+}"},
            new String[] {"ANY", "/{page: [A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?}"});

    static final List<String> PATHS = List.of(
            "/",
            "",
            "/healthz",
            "/healthz/",
            "/HEALTHZ",
            "/admin",
            "/admin/",
            "/adminx",
            "/admin/sessions",
            "/admin/sessions/s1/monitor",
            "/admin/sessions/s1/monitor/",
            "/admin/sessions/s1/monitor/rows/2",
            "/admin/plugins/12/config/io.cohort.mturk",
            "/admin/plugins/x/config/io.cohort.mturk",
            "/admin/plugins/7/stop",
            "/admin/plugins/7/restart",
            "/admin/status/logins/00af/revoke",
            "/api",
            "/api/",
            "/api/sessions",
            "/p",
            "/p/",
            "/p/s1/t0k/",
            "/p/s1/t0k",
            "/p/s1/t0k/save",
            "/p/s1//",
            "/pp/s1/t0k/",
            "/r/lobby/",
            "/static/cohort/cohort.js",
            "/static/plugins/io.cohort.plugin.chat/chat.js",
            "/static/js/psiturk.js",
            "/static/js/psiturk.jsx",
            "/static/",
            "/sync/w1:a1",
            "/consent",
            "/exp/page",
            "/exp/page/more",
            "/a.b",
            "/with space",
            "/ünïcode/päth");

    @Test
    void findsWhatPippoFindsInTheSameOrder() {
        DefaultRouter pippo = new DefaultRouter();
        RouteTable table = new RouteTable();
        for (String[] r : ROUTES) {
            pippo.addRoute(new Route(r[0], r[1], ctx -> {}));
            table.addRoute(new Route(r[0], r[1], ctx -> {}));
        }
        int compared = 0;
        int matched = 0;
        for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
            for (String path : PATHS) {
                List<String> expected = found(pippo, method, path);
                assertEquals(expected, found(table, method, path), method + " " + path);
                compared++;
                matched += expected.isEmpty() ? 0 : 1;
            }
        }
        assertEquals(4 * PATHS.size(), compared);
        // The comparison means something only if many paths match something, and some match nothing.
        assertTrue(matched > compared / 2 && matched < compared, matched + " of " + compared + " matched");
    }

    @Test
    void routesAddedOrRemovedAfterTheFirstRequestAreSeenAsPippoSeesThem() {
        DefaultRouter pippo = new DefaultRouter();
        RouteTable table = new RouteTable();
        List<List<String>> steps = new ArrayList<>();
        for (Router router : List.of(pippo, table)) {
            Route healthz = new Route("GET", "/healthz", ctx -> {});
            router.addRoute(healthz);
            List<String> step = new ArrayList<>(found(router, "GET", "/healthz"));
            router.addRoute(new Route("GET", "/{page}", ctx -> {}));
            step.add("|");
            step.addAll(found(router, "GET", "/healthz"));
            router.removeRoute(healthz);
            step.add("|");
            step.addAll(found(router, "GET", "/healthz"));
            steps.add(step);
        }
        assertEquals(steps.get(0), steps.get(1));
        assertEquals(
                List.of("GET /healthz {}", "|", "GET /healthz {}", "GET /{page} {page=healthz}", "|"),
                steps.get(1).subList(0, 5));
    }

    @Test
    void theLiteralStartEndsAtTheFirstVariableOrExpression() {
        assertEquals("/p/", RouteTable.literalStart("/p/{session}/{token}/"));
        assertEquals("/admin", RouteTable.literalStart("/admin.*"));
        assertEquals("/static/js/psiturk", RouteTable.literalStart("/static/js/psiturk.js"));
        assertEquals("/healthz", RouteTable.literalStart("/healthz"));
        assertEquals("/", RouteTable.literalStart("/{page: [a-z]+}"));
        assertEquals("", RouteTable.literalStart(".*"));
    }

    /** Each match as "METHOD pattern {parameters}", parameters sorted. */
    private static List<String> found(Router router, String method, String path) {
        List<String> out = new ArrayList<>();
        for (RouteMatch m : router.findRoutes(method, path)) {
            Set<String> params = new LinkedHashSet<>(new java.util.TreeMap<>(m.getPathParameters())
                    .entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .toList());
            out.add(m.getRoute().getRequestMethod() + " " + m.getRoute().getUriPattern() + " "
                    + params.toString().replace('[', '{').replace(']', '}'));
        }
        return out;
    }
}
