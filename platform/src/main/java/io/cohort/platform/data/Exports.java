package io.cohort.platform.data;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.psiturk.PsiturkExports;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.RequestError;
import io.cohort.platform.web.Tab;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/** Downloads of a session's data (or all sessions'): page times, fields as CSV (long or wide) and as JSON. */
@Singleton
public final class Exports implements Tab {

    static final String CSV = "text/csv; charset=utf-8";

    private final DataSource db;
    private final Layout layout;
    private final AuditLog audit;
    private final PsiturkExports psiturk;
    private final ExportTables tables;

    @Inject
    public Exports(DataSource db, Layout layout, AuditLog audit, PsiturkExports psiturk, ExportTables tables) {
        this.db = db;
        this.tables = tables;
        this.layout = layout;
        this.audit = audit;
        this.psiturk = psiturk;
    }

    @Override
    public void routes(Application app) {
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/page-times.csv", ctx -> {
            SessionScope scope = session(ctx);
            return new TwinRoutes.File(
                    scope.fileStem() + "-page-times.csv",
                    CSV,
                    scope.target(),
                    out -> PageTimesCsv.write(db, scope, out));
        });
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/records/{key}.csv", ctx -> {
            SessionScope scope = session(ctx);
            String key = ctx.getParameter("key").toString();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_.-]{0,99}")) {
                throw RequestError.badParameter("key", key, "a field's name");
            }
            return new TwinRoutes.File(
                    scope.fileStem() + "-" + key + ".csv",
                    CSV,
                    scope.target(),
                    out -> RecordsCsv.write(db, scope, key, out));
        });
        // A psiTurk session's files in psiTurk's own shapes, beside Cohort's.
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/psiturk/{file}.csv", ctx -> {
            SessionScope scope = session(ctx);
            String file = ctx.getParameter("file").toString();
            if (!PsiturkExports.FILES.contains(file)) {
                throw RequestError.badParameter("file", file, "trialdata, questiondata or eventdata");
            }
            return new TwinRoutes.File(
                    scope.fileStem() + "-" + file + ".csv",
                    CSV,
                    scope.target(),
                    out -> psiturk.write(ctx.getParameter("id").toString(), file, out));
        });
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/export.csv", ctx -> csv(ctx, session(ctx)));
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/export.json", ctx -> json(ctx, session(ctx)));
        TwinRoutes.download(app, layout, audit, "/export.csv", ctx -> csv(ctx, all(ctx)));
        TwinRoutes.download(app, layout, audit, "/export.json", ctx -> json(ctx, all(ctx)));
        TwinRoutes.download(app, layout, audit, "/sessions/{id}/tables/{name}.csv", ctx -> table(ctx, session(ctx)));
        TwinRoutes.download(app, layout, audit, "/tables/{name}.csv", ctx -> table(ctx, all(ctx)));
    }

    /** The session named in the path, its bots left in or out as the query asks. */
    private SessionScope session(RouteContext ctx) throws Exception {
        return SessionScope.find(db, ctx.getParameter("id").toString()).bots(TwinRoutes.param(ctx, "bots"));
    }

    private static SessionScope all(RouteContext ctx) {
        return SessionScope.ALL.bots(TwinRoutes.param(ctx, "bots"));
    }

    private TwinRoutes.File table(RouteContext ctx, SessionScope scope) {
        String name = ctx.getParameter("name").toString();
        var table = tables.find(name);
        return new TwinRoutes.File(
                scope.fileStem() + "-" + name + ".csv", CSV, scope.target(), out -> tables.csv(table, scope, out));
    }

    private TwinRoutes.File csv(RouteContext ctx, SessionScope scope) {
        String shape = TwinRoutes.param(ctx, "shape");
        if (shape == null || shape.equals("wide")) {
            return new TwinRoutes.File(
                    scope.fileStem() + "-wide.csv", CSV, scope.target(), out -> CurrentFieldsCsv.write(db, scope, out));
        }
        if (shape.equals("long")) {
            return new TwinRoutes.File(
                    scope.fileStem() + "-long.csv", CSV, scope.target(), out -> FieldHistoryCsv.write(db, scope, out));
        }
        throw RequestError.badParameter("shape", shape, "one of wide, long");
    }

    /** {@code tables=include} adds the plugins' tables (the answer then is an object, not the bare array). */
    private TwinRoutes.File json(RouteContext ctx, SessionScope scope) {
        String with = TwinRoutes.param(ctx, "tables");
        if (with != null && !with.equals("include") && !with.equals("exclude")) {
            throw RequestError.badParameter("tables", with, "include or exclude");
        }
        ExportTables added = "include".equals(with) ? tables : null;
        return new TwinRoutes.File(
                scope.fileStem() + ".json",
                "application/json",
                scope.target(),
                out -> ParticipantsJson.write(db, scope, added, out));
    }

    /** A CSV printer over the response, its header first; RFC 4180 quoting, UTF-8, no cell read as a formula. */
    static SpreadsheetSafeCsv printer(OutputStream out, List<String> header) throws java.io.IOException {
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        return new SpreadsheetSafeCsv(new CSVPrinter(
                writer,
                CSVFormat.DEFAULT
                        .builder()
                        .setHeader(header.stream().map(SpreadsheetSafeCsv::cell).toArray(String[]::new))
                        .get()));
    }

    /** {@code session} first when the file spans sessions. */
    static List<String> header(SessionScope scope, String... columns) {
        List<String> header = new java.util.ArrayList<>();
        if (scope.all()) {
            header.add("session");
        }
        header.addAll(List.of(columns));
        return header;
    }
}
