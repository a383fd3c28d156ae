package io.cohort.platform.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cohort.testkit.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseDumpTest {

    private static final List<String> TABLES = List.of("cohort.session", "cohort.participant", "plugin_notes.note");

    /** The Cohort-like schemas: both id kinds, awkward values, cross-schema FK, unique index, tricky literals. */
    private static final String SCHEMA = """
            CREATE SCHEMA cohort;
            CREATE TYPE cohort.session_state AS ENUM ('open', 'closed');
            CREATE TABLE cohort.session (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                state cohort.session_state NOT NULL DEFAULT 'open',
                config jsonb,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE cohort.participant (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id bigint NOT NULL REFERENCES cohort.session (id),
                token text NOT NULL,
                note text,
                bonus numeric(10, 2) DEFAULT 0.00,
                active boolean NOT NULL DEFAULT true,
                payload bytea,
                tags text[],
                scores integer[],
                joined_at timestamptz DEFAULT (now() - interval '1 day'),
                token_upper text GENERATED ALWAYS AS (upper(token)) STORED,
                CONSTRAINT participant_note_check CHECK (note IS NULL OR note <> 'bad;value'),
                CONSTRAINT participant_token_key UNIQUE (token)
            );
            CREATE INDEX participant_active ON cohort.participant (session_id) WHERE active AND token <> 'x;y';
            CREATE SCHEMA plugin_notes;
            CREATE TABLE plugin_notes.note (
                id bigserial PRIMARY KEY,
                participant_id bigint NOT NULL REFERENCES cohort.participant (id),
                body text NOT NULL CHECK (body <> 'two
            lines;'),
                kind text NOT NULL DEFAULT 'plain;text',
                written_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX note_participant_kind ON plugin_notes.note (participant_id, lower(kind));
            CREATE VIEW plugin_notes.note_count AS
                SELECT participant_id, count(*) AS notes FROM plugin_notes.note WHERE kind <> ';' GROUP BY participant_id;
            CREATE FUNCTION plugin_notes.touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.written_at := now(); -- a comment; with a semicolon
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER note_touch BEFORE UPDATE ON plugin_notes.note
                FOR EACH ROW EXECUTE FUNCTION plugin_notes.touch();
            """;

    private static final String DATA = """
            INSERT INTO cohort.session (name, state, config, created_at)
            SELECT 'session ' || i, CASE WHEN i % 2 = 0 THEN 'closed' ELSE 'open' END::cohort.session_state,
                   jsonb_build_object('i', i, 'text', E'quote " tab\\t nl\\n', 'list', jsonb_build_array(1, 'two', null)),
                   timestamptz '2024-01-01 12:00:00+00' + i * interval '1 hour 1.5 seconds'
            FROM generate_series(1, 50) i;
            INSERT INTO cohort.participant (session_id, token, note, bonus, active, payload, tags, scores, joined_at)
            SELECT 1 + i % 50, 'tok' || i,
                   CASE WHEN i % 7 = 0 THEN NULL
                        WHEN i % 7 = 1 THEN E'line1\\nline2\\ttab \\\\ backslash \\r cr'
                        WHEN i % 7 = 2 THEN E'\\\\.'
                        WHEN i % 7 = 3 THEN 'unicode: Grüße, 日本語, 🎉 ' || i
                        WHEN i % 7 = 4 THEN E'\\\\N'
                        WHEN i % 7 = 5 THEN ''
                        ELSE 'plain ' || i END,
                   (i % 1000) / 7.0, i % 3 <> 0,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE decode('00ff5c0a0d' || md5(i::text), 'hex') END,
                   CASE WHEN i % 4 = 0 THEN NULL ELSE ARRAY['a,b', 'c"d', NULL, E'e\\\\f', '{g}'] END,
                   ARRAY[i, -i, 0],
                   CASE WHEN i % 9 = 0 THEN NULL ELSE timestamptz '2024-02-01 00:00:00.123456+00' + i * interval '1 minute' END
            FROM generate_series(1, 3000) i;
            INSERT INTO plugin_notes.note (participant_id, body, kind, written_at)
            SELECT 1 + i % 3000, 'note ' || i || E'\\n\\\\.\\nafter a line that looks like the COPY end',
                   'kind ' || (i / 3000), timestamptz '2024-03-01 00:00:00+00' + i * interval '1 second'
            FROM generate_series(1, 4000) i;
            """;

    private final List<HikariDataSource> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(HikariDataSource::close);
    }

    @Test
    void restoresTablesConstraintsAndSequences() throws Exception {
        HikariDataSource a = sampleDatabase();
        execute(a, """
                CREATE TABLE plugin_notes.flag ();
                INSERT INTO plugin_notes.flag DEFAULT VALUES;
                INSERT INTO plugin_notes.flag DEFAULT VALUES;
                """);
        byte[] dump = dump(a);
        String text = new String(dump, StandardCharsets.UTF_8);
        assertTrue(text.startsWith(DatabaseDump.HEADER + "\n"), text.substring(0, 200));
        assertTrue(text.contains("-- schema: cohort\n-- schema: plugin_notes\n"));
        assertFalse(text.contains("-- schema: public"), "public has no tables and is left out");

        HikariDataSource b = database();
        DatabaseDump.restore(b, new ByteArrayInputStream(dump));

        assertEquals(contents(a), contents(b));
        assertEquals(definitions(a), definitions(b));
        assertEquals(3000L, single(b, "SELECT count(*) FROM cohort.participant"));
        assertEquals(2L, single(b, "SELECT count(*) FROM plugin_notes.flag"));
        assertEquals(
                single(a, "SELECT count(*) FROM plugin_notes.note_count"),
                single(b, "SELECT count(*) FROM plugin_notes.note_count"));

        // Constraints are back.
        assertFails(b, "INSERT INTO plugin_notes.note (participant_id, body) VALUES (999999, 'x')");
        assertFails(b, "INSERT INTO cohort.participant (session_id, token) VALUES (1, 'tok1')");
        assertFails(b, "INSERT INTO cohort.participant (session_id, token, note) VALUES (1, 'new', 'bad;value')");
        assertFails(b, "INSERT INTO plugin_notes.note (participant_id, body) VALUES (1, E'two\\nlines;')");
        assertFails(b, "INSERT INTO plugin_notes.note (participant_id, body, kind) VALUES (2, 'x', 'KIND 0')");
        assertFails(b, "INSERT INTO cohort.participant (id, session_id, token) VALUES (5000, 1, 'always')");

        // Sequences continue after the restored ids (the failed inserts above may have used up a few).
        assertTrue((Long) single(b, "INSERT INTO cohort.session (name) VALUES ('next') RETURNING id") > 50);
        assertTrue((Long) single(
                        b, "INSERT INTO cohort.participant (session_id, token) VALUES (1, 'next')" + " RETURNING id")
                > 3000);
        assertTrue((Long) single(
                        b, "INSERT INTO plugin_notes.note (participant_id, body) VALUES (1, 'next')" + " RETURNING id")
                > 4000);
        assertEquals("NEXT", single(b, "SELECT token_upper FROM cohort.participant WHERE token = 'next'"));
        assertEquals("open", single(b, "SELECT state::text FROM cohort.session WHERE name = 'next'"));
        // The trigger came back too.
        execute(b, "UPDATE plugin_notes.note SET written_at = '2000-01-01' WHERE id = 1");
        assertTrue((Boolean) single(b, "SELECT written_at > '2020-01-01' FROM plugin_notes.note WHERE id = 1"));
    }

    @Test
    void restoreReplacesExistingSchemasAndKeepsOthers() throws Exception {
        HikariDataSource a = sampleDatabase();
        byte[] dump = dump(a);
        HikariDataSource b = database();
        execute(b, """
                CREATE SCHEMA cohort;
                CREATE TABLE cohort.session (id int PRIMARY KEY, other text);
                INSERT INTO cohort.session VALUES (1, 'old');
                CREATE TABLE cohort.leftover (x int);
                CREATE SCHEMA plugin_notes;
                CREATE SCHEMA keep;
                CREATE TABLE keep.thing (x int);
                INSERT INTO keep.thing VALUES (42);
                """);

        DatabaseDump.restore(b, new ByteArrayInputStream(dump));

        assertEquals(contents(a), contents(b));
        assertEquals(0L, single(b, "SELECT count(*) FROM pg_class WHERE relname = 'leftover'"));
        assertEquals(42, single(b, "SELECT x FROM keep.thing"));
    }

    @Test
    void restoresGzippedDump() throws Exception {
        HikariDataSource a = sampleDatabase();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            DatabaseDump.dump(a, gzip);
        }
        HikariDataSource b = database();
        DatabaseDump.restore(b, new ByteArrayInputStream(compressed.toByteArray()));
        assertEquals(contents(a), contents(b));
    }

    @Test
    void failedRestoreNamesTheLineAndChangesNothing() throws Exception {
        HikariDataSource a = sampleDatabase();
        byte[] dump = dump(a);
        String text = new String(dump, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\n", -1));
        HikariDataSource b = sampleDatabase();
        execute(b, "INSERT INTO cohort.session (name) VALUES ('only in b')");
        Map<String, String> before = contents(b);

        // Cut inside COPY data.
        int copyLine = lines.indexOf(lines.stream()
                        .filter(l -> l.startsWith("COPY cohort.participant"))
                        .findFirst()
                        .orElseThrow())
                + 1;
        String cut = String.join("\n", lines.subList(0, copyLine + 1500)) + "\n4\t1\ttok";
        DatabaseDump.RestoreException e = restoreFails(b, cut);
        assertTrue(e.getMessage().contains("ends inside COPY data"), e.getMessage());
        assertEquals(copyLine + 1501, e.line(), e.getMessage());
        assertEquals(before, contents(b));

        // Cut between statements: only the missing COMMIT shows it.
        int commit = lines.indexOf("COMMIT;") + 1;
        e = restoreFails(b, String.join("\n", lines.subList(0, commit - 1)) + "\n");
        assertTrue(e.getMessage().contains("without its COMMIT"), e.getMessage());
        assertEquals(before, contents(b));

        // A row the server rejects: the line of that row.
        List<String> badRow = new ArrayList<>(lines);
        badRow.set(copyLine + 10, "not a number\tat all");
        e = restoreFails(b, String.join("\n", badRow));
        assertEquals(copyLine + 11, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("line " + (copyLine + 11)), e.getMessage());
        assertEquals(before, contents(b));

        // A broken statement: the line it starts on, and the statement.
        int create = lines.indexOf("CREATE TABLE plugin_notes.note (") + 1;
        List<String> badStatement = new ArrayList<>(lines);
        badStatement.set(create - 1, "CREATE TABLEAU plugin_notes.note (");
        e = restoreFails(b, String.join("\n", badStatement));
        assertEquals(create, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains("CREATE TABLEAU plugin_notes.note"), e.getMessage());
        assertEquals(before, contents(b));

        // Not a dump at all.
        e = restoreFails(b, "SELECT 1;\n");
        assertEquals(1, e.line());
        assertEquals(before, contents(b));
    }

    @Test
    void dumpsAndRestoresALargeTableAsAStream(@TempDir Path dir) throws Exception {
        HikariDataSource a = database();
        execute(a, """
                CREATE SCHEMA big;
                CREATE TABLE big.row_data (id bigserial PRIMARY KEY, payload text NOT NULL);
                INSERT INTO big.row_data (payload) SELECT repeat(md5(i::text), 4) FROM generate_series(1, 200000) i;
                """);
        Path file = dir.resolve("big.sql.gz");
        long[] written = {0};
        try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(file))) {
            DatabaseDump.dump(a, new FilterOutputStream(gzip) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    written[0] += len;
                    out.write(b, off, len);
                }

                @Override
                public void write(int b) throws IOException {
                    written[0]++;
                    out.write(b);
                }
            });
        }
        assertTrue(written[0] > 200_000L * 128, "bytes: " + written[0]);

        HikariDataSource b = database();
        try (InputStream in = Files.newInputStream(file)) {
            DatabaseDump.restore(b, in);
        }
        assertEquals(200_000L, single(b, "SELECT count(*) FROM big.row_data"));
        assertEquals(
                single(a, "SELECT md5(string_agg(payload, ',' ORDER BY id)) FROM big.row_data"),
                single(b, "SELECT md5(string_agg(payload, ',' ORDER BY id)) FROM big.row_data"));
    }

    @Test
    void refusesToDumpWhatItCannotRestore() throws Exception {
        HikariDataSource a = database();
        execute(a, """
                CREATE SCHEMA cohort;
                CREATE TABLE cohort.event (at date NOT NULL) PARTITION BY RANGE (at);
                """);
        SQLException e = assertThrows(SQLException.class, () -> DatabaseDump.dump(a, OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("cohort.event"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private HikariDataSource sampleDatabase() throws SQLException {
        HikariDataSource ds = database();
        execute(ds, SCHEMA);
        execute(ds, DATA);
        return ds;
    }

    private HikariDataSource database() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.create());
        config.setMaximumPoolSize(2);
        HikariDataSource ds = new HikariDataSource(config);
        pools.add(ds);
        return ds;
    }

    private static byte[] dump(HikariDataSource ds) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatabaseDump.dump(ds, out);
        return out.toByteArray();
    }

    private static DatabaseDump.RestoreException restoreFails(HikariDataSource ds, String dump) {
        return assertThrows(
                DatabaseDump.RestoreException.class,
                () -> DatabaseDump.restore(ds, new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8))));
    }

    /** Per table: row count and md5 of all rows' text in id order. */
    private static Map<String, String> contents(HikariDataSource ds) throws SQLException {
        Map<String, String> result = new LinkedHashMap<>();
        for (String table : TABLES) {
            result.put(
                    table,
                    String.valueOf(single(
                            ds,
                            "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text,"
                                    + " E'\\n' ORDER BY t.id)), '-') FROM " + table + " t")));
        }
        return result;
    }

    /** Constraint, index, column-default and sequence definitions of the dumped schemas. */
    private static String definitions(HikariDataSource ds) throws SQLException {
        StringBuilder all = new StringBuilder();
        for (String sql : List.of("""
                SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid), E'\\n'
                                  ORDER BY conrelid::regclass::text, conname)
                FROM pg_constraint WHERE connamespace::regnamespace::text IN ('cohort', 'plugin_notes')""", """
                SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes
                WHERE schemaname IN ('cohort', 'plugin_notes')""", """
                SELECT string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                                  || coalesce(column_default, '') || ' ' || is_identity || ' ' || is_generated,
                                  E'\\n' ORDER BY table_schema, table_name, ordinal_position)
                FROM information_schema.columns WHERE table_schema IN ('cohort', 'plugin_notes')""", """
                SELECT string_agg(schemaname || '.' || sequencename || ' ' || data_type || ' ' || increment_by,
                                  E'\\n' ORDER BY schemaname, sequencename)
                FROM pg_sequences WHERE schemaname IN ('cohort', 'plugin_notes')""")) {
            all.append(single(ds, sql)).append('\n');
        }
        return all.toString();
    }

    private static Object single(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            assertTrue(r.next(), sql);
            return r.getObject(1);
        }
    }

    private static void execute(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void assertFails(HikariDataSource ds, String sql) {
        assertThrows(SQLException.class, () -> execute(ds, sql), sql);
    }
}
