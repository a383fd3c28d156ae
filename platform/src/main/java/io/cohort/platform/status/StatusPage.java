package io.cohort.platform.status;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.osgi.Plugins;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AdminSessions;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.io.File;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/** The Status tab: database, Java, OS, libraries, bundles, environment (secrets masked), admin logins. */
@Singleton
public final class StatusPage implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/status", "Status", 910);
    }

    private static final Pattern SECRET = Pattern.compile("(?i).*(pass|secret|token|key|credential|auth).*");

    private final DataSource db;
    private final Plugins plugins;
    private final AdminSessions sessions;
    private final Layout layout;
    private final AuditLog audit;

    @Inject
    public StatusPage(DataSource db, Plugins plugins, AdminSessions sessions, Layout layout, AuditLog audit) {
        this.db = db;
        this.plugins = plugins;
        this.sessions = sessions;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/status", Tab.handler(this::show));
        app.POST("/admin/status/logins/{id: [0-9a-f]+}/revoke", Tab.handler(this::revoke));
        app.GET("/api/status", Tab.handler(ctx -> Layout.json(ctx, 200, facts())));
    }

    Map<String, Object> facts() throws Exception {
        Map<String, Object> facts = new TreeMap<>();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT pg_size_pretty(pg_database_size(current_database())) AS size,"
                                + " pg_database_size(current_database()) AS bytes, current_database() AS database, version() AS postgres")) {
            rs.next();
            facts.put("databaseSize", rs.getString("size"));
            facts.put("databaseBytes", rs.getLong("bytes"));
            facts.put("database", rs.getString("database"));
            facts.put("postgres", rs.getString("postgres"));
        }
        facts.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        facts.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        facts.put("libraries", libraries());
        facts.put(
                "bundles",
                plugins.list().stream()
                        .filter(p -> p.id() != null)
                        .map(p -> Map.of(
                                "name", String.valueOf(p.symbolicName()), "version", p.version(), "state", p.state()))
                        .toList());
        facts.put("environment", environment());
        return facts;
    }

    /** The jars on the host's class path, as name and version. */
    static List<String> libraries() {
        List<String> libs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = new File(entry).getName();
            if (name.endsWith(".jar")) {
                libs.add(name.substring(0, name.length() - 4));
            }
        }
        libs.sort(String::compareTo);
        return libs;
    }

    static Map<String, String> environment() {
        return environment(System.getenv());
    }

    static final String MASK = "••••••";
    /** A password inside a URL: {@code password=...} in a query, or {@code user:pass@} before a host. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)((?:password|pass|pwd|secret|token)=)[^&;\\s]+");

    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s]+:)[^@/\\s]+@");
    /** A long run of random-looking characters (an API token, a key): letters and digits mixed, 24 or more. */
    private static final Pattern RANDOM =
            Pattern.compile("(?=[A-Za-z0-9_+/=-]*[0-9])(?=[A-Za-z0-9_+/=-]*[A-Za-z])[A-Za-z0-9_+/=-]{24,}");

    /** Secrets masked by name (a variable called ..._PASSWORD) and by value (inside a JDBC URL, a long token). */
    static Map<String, String> environment(Map<String, String> variables) {
        Map<String, String> env = new TreeMap<>();
        variables.forEach((k, v) -> env.put(k, SECRET.matcher(k).matches() ? MASK : maskValue(v)));
        return env;
    }

    static String maskValue(String value) {
        if (value == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(value).replaceAll("$1" + MASK);
        masked = USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
        // Paths and class paths hold long names too; only a word with no separator of its own counts.
        return RANDOM.matcher(masked).replaceAll(m -> m.group().contains("/") ? m.group() : MASK);
    }

    private void show(RouteContext ctx) throws Exception {
        Map<String, Object> model = new HashMap<>(facts());
        model.put("logins", sessions.active());
        AdminRequest me = ctx.getLocal(AdminRequest.LOCAL);
        model.put("myLogin", me.login());
        layout.html(ctx, "status.peb", model);
    }

    private void revoke(RouteContext ctx) throws Exception {
        String id = ctx.getParameter("id").toString();
        String user = AdminRequest.of(ctx).user();
        if (sessions.revoke(id, user)) {
            audit.record(user, "login.revoke", id.substring(0, 12), Map.of());
        }
        ctx.redirect("/admin/status");
    }
}
