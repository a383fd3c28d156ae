package io.cohort.platform.dump;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * Dump and restore of the application schemas over JDBC, for machines without pg_dump/psql (embedded PostgreSQL) or
 * whose client tools are older than the server.
 *
 * <p>The dump is plain SQL in the style of pg_dump's plain format: a header of comments (one {@code -- schema: name}
 * line per schema it contains), then one transaction ({@code BEGIN;} ... {@code COMMIT;}) holding, in this order for
 * all schemas: schemas, extensions installed in them, types (enum, domain, composite), functions and procedures,
 * sequences, tables (with identity and generated columns, defaults, NOT NULL), views, table data as
 * {@code COPY ... FROM stdin} blocks, sequence values, primary key / unique / check / exclusion constraints, other
 * indexes, materialized view refreshes, triggers, and foreign keys last, so that any order of tables loads. Names are
 * schema-qualified (the dump runs with an empty search_path), so the file also restores with {@code psql -f} into a
 * database that lacks these schemas; {@link #restore} drops them first.
 *
 * <p>Not dumped: owners, grants, comments, row-level security policies, rules, publications, statistics objects, and
 * anything outside the dumped schemas (roles, extensions installed elsewhere). Partitioned, inherited and foreign
 * tables, range types, aggregates and user-defined base types make {@link #dump} fail rather than write a dump that
 * would not restore.
 */
public final class DatabaseDump {

    static final String HEADER = "-- Cohort database dump";
    static final String SCHEMA_LINE = "-- schema: ";
    static final String TRAILER = "-- Cohort database dump complete";

    private static final Pattern COPY_ROW = Pattern.compile(", line (\\d+)");
    private static final int COPY_CHUNK = 64 * 1024;

    private DatabaseDump() {}

    /** Thrown when a restore fails; nothing of the dump has been applied. */
    public static final class RestoreException extends SQLException {

        private final int line;

        RestoreException(int line, String statement, String reason, Throwable cause) {
            super(
                    "restore failed at line " + line + " of the dump"
                            + (statement == null ? "" : " (" + abbreviate(statement) + ")") + ": " + reason,
                    cause);
            this.line = line;
        }

        /** Line of the dump (1-based) where the failing statement or data row is. */
        public int line() {
            return line;
        }

        private static String abbreviate(String statement) {
            String oneLine = statement.replaceAll("\\s+", " ");
            return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
        }
    }

    // ------------------------------------------------------------------------------------------------- dump

    /** Writes a UTF-8 plain-SQL dump of every application schema to {@code out}, which is flushed but not closed. */
    public static void dump(DataSource dataSource, OutputStream out) throws SQLException, IOException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            boolean readOnly = c.isReadOnly();
            // One snapshot for the catalog queries and every COPY: the dump is consistent while the app keeps writing.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                query(c, "SELECT pg_catalog.set_config('search_path', '', true)");
                Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                new DumpWriter(c, w, out).write();
                w.flush();
            } finally {
                c.rollback();
                c.setReadOnly(readOnly);
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** Writes one dump on a connection inside the snapshot transaction. */
    private static final class DumpWriter {

        /** A qualified name to COPY from and its column list. */
        private record Table(String name, String columns) {}

        private final Connection c;
        private final Writer w;
        private final OutputStream out;
        private Array schemas;

        DumpWriter(Connection c, Writer w, OutputStream out) {
            this.c = c;
            this.w = w;
            this.out = out;
        }

        void write() throws SQLException, IOException {
            List<String[]> schemaRows = query(c, """
                    SELECT n.nspname, quote_ident(n.nspname) FROM pg_namespace n
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
                      AND (n.nspname <> 'public' OR EXISTS (SELECT 1 FROM pg_class t
                           WHERE t.relnamespace = n.oid AND t.relkind IN ('r', 'p')))
                    ORDER BY n.nspname""");
            String[] names = schemaRows.stream().map(r -> r[0]).toArray(String[]::new);
            schemas = c.createArrayOf("text", names);
            rejectUnsupported();

            w.write(HEADER + "\n");
            w.write("-- Dumped at: " + Instant.now() + "\n");
            w.write("-- Server version: " + query(c, "SHOW server_version").get(0)[0] + "\n");
            w.write("-- Restore with DatabaseDump.restore, which first drops the schemas listed here,\n");
            w.write("-- or with psql -f into a database that does not have them.\n");
            for (String[] schema : schemaRows) {
                if (schema[1].contains("\n")) {
                    throw new SQLException("cannot dump schema with a newline in its name: " + schema[1]);
                }
                w.write(SCHEMA_LINE + schema[1] + "\n");
            }
            w.write("\nBEGIN;\n");
            // LOCAL: restore runs on pooled connections, which must not keep the dump's settings afterwards.
            w.write("SET LOCAL statement_timeout = 0;\n");
            w.write("SET LOCAL lock_timeout = 0;\n");
            w.write("SET LOCAL client_encoding = 'UTF8';\n");
            w.write("SET LOCAL standard_conforming_strings = on;\n");
            w.write("SET LOCAL check_function_bodies = false;\n");
            w.write("SET LOCAL client_min_messages = warning;\n");
            w.write("SELECT pg_catalog.set_config('search_path', '', true);\n");

            section("Schemas");
            for (String[] schema : schemaRows) {
                statement(
                        "public".equals(schema[0])
                                ? "CREATE SCHEMA IF NOT EXISTS public"
                                : "CREATE SCHEMA " + schema[1]);
            }
            writeExtensions();
            writeTypes();
            section("Functions and procedures");
            for (String[] f : query(c, """
                    SELECT rtrim(pg_get_functiondef(p.oid), E'\\n') FROM pg_proc p
                    JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = ANY (?) AND p.prokind IN ('f', 'p')""" + notExtensionMember("pg_proc", "p.oid") + " ORDER BY p.oid", schemas)) {
                statement(f[0]);
            }
            writeSequences();
            List<Table> tables = writeTables();
            writeViews();
            writeData(tables);
            writeSequenceValues();
            writeConstraints("c.contype IN ('p', 'u', 'x', 'c')", "Constraints");
            writeIndexes();
            section("Materialized view data");
            for (String[] view : query(
                    c,
                    "SELECT " + qualified("n", "c") + relationFrom() + " AND c.relkind = 'm' ORDER BY c.oid",
                    schemas)) {
                statement("REFRESH MATERIALIZED VIEW " + view[0]);
            }
            section("Triggers");
            for (String[] trigger : query(
                    c,
                    """
                    SELECT pg_get_triggerdef(g.oid) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = ANY (?) AND NOT g.tgisinternal""" + notExtensionMember("pg_class", "c.oid") + " ORDER BY n.nspname, c.relname, g.tgname",
                    schemas)) {
                statement(trigger[0]);
            }
            writeConstraints("c.contype = 'f'", "Foreign keys");
            w.write("\nCOMMIT;\n\n" + TRAILER + "\n");
        }

        /** Fails on objects this dump cannot reproduce, rather than writing a dump that loses or breaks them. */
        private void rejectUnsupported() throws SQLException {
            List<String[]> found = query(
                    c,
                    """
                    SELECT 'table ' || c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = ANY (?) AND (c.relkind IN ('p', 'f') OR c.relispartition
                          OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid))"""
                            + notExtensionMember("pg_class", "c.oid") + """

                    UNION ALL
                    SELECT 'aggregate ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = ANY (?) AND p.prokind IN ('a', 'w')""" + notExtensionMember("pg_proc", "p.oid")
                            + """

                    UNION ALL
                    SELECT 'type ' || t.oid::regtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                    WHERE n.nspname = ANY (?) AND (t.typtype IN ('r', 'm') OR t.typtype = 'b'
                          AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid))""" + notExtensionMember("pg_type", "t.oid"),
                    schemas,
                    schemas,
                    schemas);
            if (!found.isEmpty()) {
                throw new SQLException("cannot dump (not supported by DatabaseDump): "
                        + String.join(", ", found.stream().map(r -> r[0]).toList()));
            }
        }

        private void writeExtensions() throws SQLException, IOException {
            section("Extensions");
            for (String[] e : query(c, """
                    SELECT quote_ident(e.extname), quote_ident(n.nspname) FROM pg_extension e
                    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = ANY (?) ORDER BY e.extname""", schemas)) {
                statement("CREATE EXTENSION IF NOT EXISTS " + e[0] + " WITH SCHEMA " + e[1]);
            }
        }

        private void writeTypes() throws SQLException, IOException {
            section("Types");
            // Creation (oid) order, so that a domain or composite follows the types it is built on.
            for (String[] t : query(c, """
                    SELECT t.oid, t.typtype, format_type(t.oid, NULL),
                           format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
                           (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                              FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                             WHERE co.oid = t.typcollation AND t.typcollation <> bt.typcollation)
                    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                    LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
                    WHERE n.nspname = ANY (?) AND (t.typtype IN ('e', 'd')
                          OR (t.typtype = 'c' AND (SELECT r.relkind FROM pg_class r WHERE r.oid = t.typrelid) = 'c'))""" + notExtensionMember("pg_type", "t.oid") + " ORDER BY t.oid", schemas)) {
                long oid = Long.parseLong(t[0]);
                switch (t[1]) {
                    case "e" -> {
                        List<String> labels = new ArrayList<>();
                        for (String[] label : query(
                                c,
                                "SELECT quote_literal(enumlabel) FROM pg_enum"
                                        + " WHERE enumtypid = ? ORDER BY enumsortorder",
                                oid)) {
                            labels.add(label[0]);
                        }
                        statement("CREATE TYPE " + t[2] + " AS ENUM (" + String.join(", ", labels) + ")");
                    }
                    case "d" -> {
                        StringBuilder sql = new StringBuilder("CREATE DOMAIN " + t[2] + " AS " + t[3]);
                        if (t[6] != null) {
                            sql.append(t[6]);
                        }
                        if (t[5] != null) {
                            sql.append(" DEFAULT ").append(t[5]);
                        }
                        if ("t".equals(t[4])) {
                            sql.append(" NOT NULL");
                        }
                        for (String[] check : query(
                                c,
                                "SELECT quote_ident(conname), pg_get_constraintdef(oid)"
                                        + " FROM pg_constraint WHERE contypid = ? AND contype = 'c' ORDER BY conname",
                                oid)) {
                            sql.append(" CONSTRAINT ")
                                    .append(check[0])
                                    .append(' ')
                                    .append(check[1]);
                        }
                        statement(sql.toString());
                    }
                    default -> {
                        List<String> attributes = new ArrayList<>();
                        for (String[] a : query(c, """
                                SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid
                                WHERE t.oid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", oid)) {
                            attributes.add(a[0]);
                        }
                        statement("CREATE TYPE " + t[2] + " AS (" + String.join(", ", attributes) + ")");
                    }
                }
            }
        }

        private void writeSequences() throws SQLException, IOException {
            section("Sequences");
            // Identity sequences are created by their column (see writeTables), not here.
            for (String[] s : query(
                    c,
                    "SELECT " + qualified("n", "c") + ", " + SEQUENCE_OPTIONS + relationFrom()
                            + " AND c.relkind = 'S' AND NOT " + IS_IDENTITY_SEQUENCE + " ORDER BY n.nspname, c.relname",
                    schemas)) {
                statement("CREATE SEQUENCE " + s[0] + " AS " + s[1] + " " + s[2]);
            }
        }

        private List<Table> writeTables() throws SQLException, IOException {
            section("Tables");
            List<Table> tables = new ArrayList<>();
            for (String[] t : query(
                    c,
                    "SELECT c.oid, " + qualified("n", "c")
                            + ", c.relpersistence, array_to_string(c.reloptions, ', ')" + relationFrom()
                            + " AND c.relkind = 'r' ORDER BY n.nspname, c.relname",
                    schemas)) {
                List<String> definitions = new ArrayList<>();
                List<String> copied = new ArrayList<>();
                for (String[] a : query(c, """
                        SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull,
                               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
                               (SELECT ' COLLATE ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                  FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                 WHERE co.oid = a.attcollation AND a.attcollation <> ty.typcollation),
                               (SELECT quote_ident(sn.nspname) || '.' || quote_ident(sc.relname) || ' ' || """ + SEQUENCE_OPTIONS_WITHOUT_TYPE + """
                                  FROM pg_depend dep JOIN pg_class sc ON sc.oid = dep.objid
                                  JOIN pg_namespace sn ON sn.oid = sc.relnamespace
                                  JOIN pg_sequence s ON s.seqrelid = sc.oid
                                 WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
                                   AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
                                   AND dep.deptype = 'i' AND sc.relkind = 'S')
                        FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                        WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", Long.parseLong(t[0]))) {
                    StringBuilder column = new StringBuilder(a[0]).append(' ').append(a[1]);
                    if (a[6] != null) {
                        column.append(a[6]);
                    }
                    if (!a[5].isEmpty()) {
                        column.append(" GENERATED ALWAYS AS (")
                                .append(a[3])
                                .append(')')
                                .append("s".equals(a[5]) ? " STORED" : " VIRTUAL");
                    } else {
                        copied.add(a[0]);
                        if (a[3] != null) {
                            column.append(" DEFAULT ").append(a[3]);
                        }
                    }
                    if (!a[4].isEmpty()) {
                        column.append(" GENERATED ")
                                .append("a".equals(a[4]) ? "ALWAYS" : "BY DEFAULT")
                                .append(" AS IDENTITY (SEQUENCE NAME ")
                                .append(a[7])
                                .append(')');
                    }
                    if ("t".equals(a[2])) {
                        column.append(" NOT NULL");
                    }
                    definitions.add(column.toString());
                }
                statement("CREATE " + ("u".equals(t[2]) ? "UNLOGGED " : "") + "TABLE " + t[1] + " (\n    "
                        + String.join(",\n    ", definitions) + "\n)"
                        + (t[3] == null || t[3].isEmpty() ? "" : " WITH (" + t[3] + ")"));
                tables.add(new Table(t[1], String.join(", ", copied)));
            }
            for (String[] s : query(c, """
                    SELECT %s, quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.' || quote_ident(a.attname)
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                         AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                    JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
                    WHERE c.relkind = 'S' AND n.nspname = ANY (?) AND tn.nspname = ANY (?)
                    ORDER BY n.nspname, c.relname""".formatted(qualified("n", "c")), schemas, schemas)) {
                statement("ALTER SEQUENCE " + s[0] + " OWNED BY " + s[1]);
            }
            return tables;
        }

        private void writeViews() throws SQLException, IOException {
            section("Views");
            // Creation (oid) order, so that a view follows the views it selects from.
            for (String[] v : query(
                    c,
                    "SELECT " + qualified("n", "c") + ", c.relkind, array_to_string(c.reloptions, ', '),"
                            + " rtrim(rtrim(pg_get_viewdef(c.oid, true), E' \\n'), ';')" + relationFrom()
                            + " AND c.relkind IN ('v', 'm') ORDER BY c.oid",
                    schemas)) {
                String options = v[2] == null || v[2].isEmpty() ? "" : " WITH (" + v[2] + ")";
                statement(
                        "m".equals(v[1])
                                ? "CREATE MATERIALIZED VIEW " + v[0] + options + " AS\n" + v[3] + "\nWITH NO DATA"
                                : "CREATE VIEW " + v[0] + options + " AS\n" + v[3]);
            }
        }

        private void writeData(List<Table> tables) throws SQLException, IOException {
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (Table table : tables) {
                section("Data for " + table.name());
                // Without a list COPY takes every column except generated ones: the only way for a table with none.
                String columns = table.columns().isEmpty() ? "" : " (" + table.columns() + ")";
                w.write("COPY " + table.name() + columns + " FROM stdin;\n");
                w.flush();
                // Rows stream from the server straight into the output, never held as a whole.
                copy.copyOut("COPY " + table.name() + columns + " TO STDOUT", out);
                w.write("\\.\n");
            }
        }

        private void writeSequenceValues() throws SQLException, IOException {
            section("Sequence values");
            for (String[] s : query(
                    c,
                    "SELECT " + qualified("n", "c") + relationFrom()
                            + " AND c.relkind = 'S' ORDER BY n.nspname, c.relname",
                    schemas)) {
                String[] value =
                        query(c, "SELECT last_value, is_called FROM " + s[0]).get(0);
                statement("SELECT pg_catalog.setval(" + literal(s[0]) + ", " + value[0] + ", "
                        + ("t".equals(value[1]) ? "true" : "false") + ")");
            }
        }

        private void writeConstraints(String kinds, String title) throws SQLException, IOException {
            section(title);
            for (String[] k : query(
                    c,
                    "SELECT " + qualified("n", "t") + ", quote_ident(c.conname),"
                            + " pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
                            + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ANY (?) AND t.relkind = 'r'"
                            + " AND " + kinds + notExtensionMember("pg_class", "t.oid")
                            + " ORDER BY n.nspname, t.relname, position(c.contype IN 'puxc'), c.conname",
                    schemas)) {
                statement("ALTER TABLE ONLY " + k[0] + " ADD CONSTRAINT " + k[1] + " " + k[2]);
            }
        }

        private void writeIndexes() throws SQLException, IOException {
            section("Indexes");
            for (String[] i : query(
                    c,
                    """
                    SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                    JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = ANY (?) AND c.relkind IN ('r', 'm')
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid
                                      AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))""" + notExtensionMember("pg_class", "c.oid") + " ORDER BY n.nspname, c.relname, ic.relname",
                    schemas)) {
                statement(i[0]);
            }
        }

        private void section(String title) throws IOException {
            w.write("\n--\n-- " + title + "\n--\n\n");
        }

        /** Every statement ends with ";" and a newline: the end-of-statement rule {@link DumpReader} relies on. */
        private void statement(String sql) throws IOException {
            w.write(sql);
            w.write(";\n");
        }

        /** FROM clause for relations of the dumped schemas, leaving out extension members; continue with AND. */
        private static String relationFrom() {
            return " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (?)"
                    + notExtensionMember("pg_class", "c.oid");
        }
    }

    private static final String SEQUENCE_OPTIONS_WITHOUT_TYPE = """
            'START WITH ' || s.seqstart || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin
            || ' MAXVALUE ' || s.seqmax || ' CACHE ' || s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
            """;
    private static final String SEQUENCE_OPTIONS = "(SELECT format_type(s.seqtypid, NULL) FROM pg_sequence s"
            + " WHERE s.seqrelid = c.oid), (SELECT " + SEQUENCE_OPTIONS_WITHOUT_TYPE
            + " FROM pg_sequence s WHERE s.seqrelid = c.oid)";
    private static final String IS_IDENTITY_SEQUENCE = "EXISTS (SELECT 1 FROM pg_depend d"
            + " WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')";

    private static String notExtensionMember(String catalog, String oid) {
        return " AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '" + catalog + "'::regclass"
                + " AND x.objid = " + oid + " AND x.deptype = 'e')";
    }

    private static String qualified(String namespace, String relation) {
        return "quote_ident(" + namespace + ".nspname) || '.' || quote_ident(" + relation + ".relname)";
    }

    /** A string literal, valid with standard_conforming_strings on (set by the dump). */
    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** Runs a query and returns its rows as text (small catalog results only). */
    private static List<String[]> query(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                int n = r.getMetaData().getColumnCount();
                List<String[]> rows = new ArrayList<>();
                while (r.next()) {
                    String[] row = new String[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = r.getString(i + 1);
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- restore

    /**
     * Restores a dump written by {@link #dump} (plain or gzip-compressed) in one transaction: drops the schemas the
     * dump lists, then runs its statements and loads its COPY data. On any failure everything is rolled back and a
     * {@link RestoreException} names the line of the dump.
     */
    public static void restore(DataSource dataSource, InputStream in) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                DumpReader reader = new DumpReader(uncompressed(in));
                new Restore(c, reader).run();
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e instanceof RestoreException r ? r : new RestoreException(0, null, e.getMessage(), e);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static InputStream uncompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, COPY_CHUNK);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        if (first == 0x1f && second == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(buffered, COPY_CHUNK), COPY_CHUNK);
        }
        return buffered;
    }

    /**
     * Statements a Cohort dump never holds and that reach outside the dumped schemas: running programs, roles,
     * extensions, server settings. A file holding one was not written by {@link #dump} (or was edited), so it is
     * refused, naming the line, before anything of it runs.
     */
    private static final List<java.util.Map.Entry<Pattern, String>> REFUSED = List.of(
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*COPY\\b.*\\bPROGRAM\\b.*"),
                    "COPY ... PROGRAM runs a program on the server"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*COPY\\b.*\\bTO\\b.*"), "COPY ... TO writes outside the database"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*(CREATE|ALTER|DROP)\\s+(ROLE|USER|GROUP)\\b.*"),
                    "roles are not part of a Cohort dump"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*(GRANT|REVOKE)\\b.*"), "privileges are not part of a Cohort dump"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*(CREATE|ALTER|DROP)\\s+EXTENSION\\b.*"),
                    "extensions are not part of a Cohort dump"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*ALTER\\s+SYSTEM\\b.*"), "ALTER SYSTEM changes the server's settings"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*SET\\s+(SESSION\\s+AUTHORIZATION|ROLE)\\b.*"),
                    "SET ROLE is not part of a Cohort dump"),
            java.util.Map.entry(
                    Pattern.compile("(?is)^\\s*(LOAD|DO)\\b.*"), "LOAD and DO are not part of a Cohort dump"));

    /** Why a statement is refused, or null. */
    static String refusal(String sql) {
        for (java.util.Map.Entry<Pattern, String> r : REFUSED) {
            if (r.getKey().matcher(sql).matches()
                    && !(sql.regionMatches(true, 0, "COPY ", 0, 5)
                            && sql.endsWith(" FROM stdin;")
                            && !sql.toUpperCase(java.util.Locale.ROOT).contains("PROGRAM"))) {
                return "refused: " + r.getValue();
            }
        }
        return null;
    }

    /** One restore on a connection inside its transaction. */
    private static final class Restore {

        private final Connection c;
        private final DumpReader reader;
        private final CopyManager copy;

        Restore(Connection c, DumpReader reader) throws SQLException {
            this.c = c;
            this.reader = reader;
            this.copy = c.unwrap(PGConnection.class).getCopyAPI();
        }

        void run() throws RestoreException {
            List<String> schemas = readHeader();
            DumpReader.Statement statement = null;
            try (Statement s = c.createStatement()) {
                // Statements are sent as written: no JDBC escape syntax is meant in them.
                s.setEscapeProcessing(false);
                for (String schema : schemas) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
                statement = reader.nextStatement();
                if (statement == null || !statement.sql().equals("BEGIN;")) {
                    throw new RestoreException(reader.lineNumber(), null, "expected BEGIN after the header", null);
                }
                // The dump's own BEGIN/COMMIT delimit it; the transaction is this method's connection's.
                while ((statement = reader.nextStatement()) != null
                        && !statement.sql().equals("COMMIT;")) {
                    String refusal = refusal(statement.sql());
                    if (refusal != null) {
                        throw new RestoreException(statement.line(), statement.sql(), refusal, null);
                    }
                    if (statement.isCopyFromStdin()) {
                        copyIn(statement);
                    } else {
                        s.execute(statement.sql());
                    }
                }
                if (statement == null) {
                    // A dump cut between two statements would otherwise load as if complete.
                    throw new RestoreException(
                            reader.lineNumber(), null, "the dump ends without its COMMIT (truncated?)", null);
                }
                DumpReader.Statement extra = reader.nextStatement();
                if (extra != null) {
                    throw new RestoreException(extra.line(), extra.sql(), "statement after COMMIT", null);
                }
            } catch (RestoreException e) {
                throw e;
            } catch (SQLException | IOException e) {
                int line = statement == null ? reader.lineNumber() : statement.line();
                throw new RestoreException(line, statement == null ? null : statement.sql(), e.getMessage(), e);
            }
        }

        private List<String> readHeader() throws RestoreException {
            List<String> schemas = new ArrayList<>();
            try {
                String line = reader.readLine();
                if (!HEADER.equals(line)) {
                    throw new RestoreException(
                            1, null, "not a Cohort dump (first line is not \"" + HEADER + "\")", null);
                }
                while ((line = reader.readLine()) != null && line.startsWith("--")) {
                    if (line.startsWith(SCHEMA_LINE)) {
                        schemas.add(line.substring(SCHEMA_LINE.length()));
                    }
                }
                if (line == null || !line.isBlank()) {
                    throw new RestoreException(
                            reader.lineNumber(), null, "the header does not end with a blank line", null);
                }
                return schemas;
            } catch (IOException e) {
                throw new RestoreException(reader.lineNumber(), null, e.getMessage(), e);
            }
        }

        /** Feeds one COPY block to the server in chunks, as it is read. */
        private void copyIn(DumpReader.Statement statement) throws SQLException, IOException {
            String sql = statement.sql();
            CopyIn in = copy.copyIn(sql.substring(0, sql.length() - 1));
            byte[] chunk = new byte[COPY_CHUNK];
            int used = 0;
            try {
                int length;
                while ((length = reader.nextCopyLine()) >= 0) {
                    if (used + length > chunk.length) {
                        in.writeToCopy(chunk, 0, used);
                        used = 0;
                    }
                    if (length > chunk.length) {
                        in.writeToCopy(reader.copyLineBytes(), 0, length);
                    } else {
                        System.arraycopy(reader.copyLineBytes(), 0, chunk, used, length);
                        used += length;
                    }
                }
                if (used > 0) {
                    in.writeToCopy(chunk, 0, used);
                }
                in.endCopy();
            } catch (SQLException | IOException e) {
                if (in.isActive()) {
                    try {
                        in.cancelCopy();
                    } catch (SQLException cancel) {
                        e.addSuppressed(cancel);
                    }
                }
                throw new RestoreException(copyErrorLine(statement, e), sql, e.getMessage(), e);
            }
        }

        /** The dump line of the row the server rejected (its error says "COPY t, line N"), else the last line read. */
        private int copyErrorLine(DumpReader.Statement statement, Exception e) {
            if (e instanceof PSQLException p
                    && p.getServerErrorMessage() != null
                    && p.getServerErrorMessage().getWhere() != null) {
                Matcher row = COPY_ROW.matcher(p.getServerErrorMessage().getWhere());
                if (row.find()) {
                    return statement.line() + Integer.parseInt(row.group(1));
                }
            }
            return reader.lineNumber();
        }
    }
}
