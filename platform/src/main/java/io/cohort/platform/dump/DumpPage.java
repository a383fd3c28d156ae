package io.cohort.platform.dump;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.io.OutputStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/** The Dump tab: a restorable gzip'd SQL dump of the whole database, streamed as it is read. */
@Singleton
public final class DumpPage implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/dump", "Dump", 920);
    }

    private final DataSource db;
    private final Layout layout;
    private final AuditLog audit;

    @Inject
    public DumpPage(DataSource db, Layout layout, AuditLog audit) {
        this.db = db;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/dump", ctx -> layout.html(ctx, "dump.peb", Map.of()));
        app.GET("/admin/dump/download", Tab.handler(this::download));
        // The page's twin: the same file for scripts (a nightly backup with the API token).
        app.GET("/api/dump", Tab.handler(this::download));
    }

    private void download(RouteContext ctx) throws Exception {
        String user = AdminRequest.of(ctx).user();
        String name =
                "cohort-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".sql.gz";
        audit.record(user, "dump.download", name, Map.of());
        ctx.getResponse()
                .contentType("application/gzip")
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .header("Cache-Control", "no-store");
        try (OutputStream out = new GZIPOutputStream(ctx.getResponse().getOutputStream(), 1 << 16)) {
            DatabaseDump.dump(db, out);
        }
    }
}
