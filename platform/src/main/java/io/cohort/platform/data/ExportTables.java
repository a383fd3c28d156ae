package io.cohort.platform.data;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.data.ExportTable;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.web.RequestError;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The tables plugins add to exports ({@link ExportTable}), found live by name. Rows are written as the plugin hands
 * them over, never gathered; with bots left out, a row whose {@code participant} is a bot is skipped.
 */
@Singleton
public final class ExportTables implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final Whiteboard<ExportTable> tables;
    private final DataSource db;

    @Inject
    public ExportTables(BundleContext context, DataSource db) {
        this.tables = new Whiteboard<>(context, ExportTable.class);
        this.db = db;
    }

    /** The registered tables by name (a badly named one is left out; the highest ranked wins a shared name). */
    public Map<String, ExportTable> byName() {
        Map<String, ExportTable> named = new TreeMap<>();
        for (Map.Entry<ServiceReference<ExportTable>, ExportTable> e :
                tables.services().entrySet()) {
            Object name = e.getKey().getProperty(ExportTable.NAME);
            if (name instanceof String s && NAME.matcher(s).matches()) {
                named.putIfAbsent(s, e.getValue());
            }
        }
        return named;
    }

    /** The table called {@code name}, or a 404 naming it. */
    ExportTable find(String name) {
        ExportTable table = byName().get(name);
        if (table == null) {
            throw RequestError.notFound("There is no export table '" + name + "'.");
        }
        return table;
    }

    /** One table as CSV ({@code session} first when it spans sessions, as the host's own files). */
    void csv(ExportTable table, SessionScope scope, OutputStream out) throws Exception {
        List<String> columns = table.columns();
        SpreadsheetSafeCsv csv = Exports.printer(out, columns);
        table.rows(scope.id(), kept(columns, scope, csv::printRecord));
        csv.flush();
    }

    /** {@code "tables": {"<name>": [{column: value, ...}, ...], ...}} into a JSON object being written. */
    void json(SessionScope scope, JsonGenerator json) throws Exception {
        json.writeObjectFieldStart("tables");
        for (Map.Entry<String, ExportTable> e : byName().entrySet()) {
            List<String> columns = e.getValue().columns();
            json.writeArrayFieldStart(e.getKey());
            e.getValue().rows(scope.id(), kept(columns, scope, row -> {
                json.writeStartObject();
                for (int i = 0; i < columns.size(); i++) {
                    json.writeFieldName(columns.get(i));
                    json.writeObject(i < row.size() ? row.get(i) : null);
                }
                json.writeEndObject();
            }));
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    /** The rows a scope keeps: all, or those whose {@code participant} is no bot. */
    private ExportTable.Rows kept(List<String> columns, SessionScope scope, ExportTable.Rows out) throws Exception {
        int participant = columns.indexOf("participant");
        if (scope.bots() || participant < 0) {
            return out;
        }
        Set<String> bots = new HashSet<>();
        List<Object> args = new ArrayList<>(scope.args());
        Cursor.each(
                db,
                "SELECT p.id FROM cohort.participant p WHERE p.mode = 'BOT'"
                        + (scope.all() ? "" : " AND p.session_id = ?"),
                args,
                rs -> bots.add(rs.getString("id")));
        return row -> {
            Object who = participant < row.size() ? row.get(participant) : null;
            if (who == null || !bots.contains(who.toString())) {
                out.row(row);
            }
        };
    }

    @Override
    public void close() {
        tables.close();
    }
}
