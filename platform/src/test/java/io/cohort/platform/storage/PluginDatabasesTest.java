package io.cohort.platform.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cohort.api.storage.PluginDatabase;
import io.cohort.platform.TestFramework;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWiring;

/** Real bundles in a real Felix framework, each getting its own schema in a real PostgreSQL database. */
class PluginDatabasesTest {

    private static final String EXPORTS = "io.cohort.api.event;version=1.0.0,io.cohort.api.storage;version=1.0.0,"
            + "org.apache.ibatis.annotations;version=3.5.19";
    private static final String IMPORTS = "io.cohort.api.storage;version=\"[1.0,2)\",org.apache.ibatis.annotations";
    private static final String[] NOTE_CLASSES = {
        "io/example/notes/Note.class",
        "io/example/notes/NoteMapper.class",
        "io/example/notes/NoteQueries.class",
        "io/example/notes/NoteQueries.xml"
    };

    private static Path dir;
    private static HikariDataSource pool;
    private static Framework framework;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("plugin-databases");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.create());
        config.setMaximumPoolSize(4);
        pool = new HikariDataSource(config);
        framework = TestFramework.start(dir.resolve("felix"), EXPORTS);
        framework.getBundleContext().registerService(PluginDatabase.class, new PluginDatabases(pool), null);
    }

    @AfterAll
    static void stop() throws Exception {
        TestFramework.stop(framework);
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void aBundleGetsItsMigratedSchemaAndMappers() throws Exception {
        Bundle bundle = install(
                "notes.jar",
                Map.of("Bundle-SymbolicName", "io.example.plugin.notes"),
                Map.of(
                        "db/V1__notes.sql",
                        "CREATE TABLE note (id bigserial PRIMARY KEY, body text NOT NULL);",
                        "db/V2__more.sql",
                        "ALTER TABLE note ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();\n"
                                + "CREATE TABLE tag (note_id bigint NOT NULL REFERENCES note (id), name text NOT NULL);"),
                NOTE_CLASSES);
        bundle.start();
        PluginDatabase db = databaseOf(bundle);

        assertEquals("plugin_notes", db.schema());
        assertEquals(
                List.of("flyway_schema_history", "note", "tag"),
                strings(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'plugin_notes' ORDER BY 1"));
        assertEquals(
                List.of("1 V1__notes.sql true", "2 V2__more.sql true"),
                strings("SELECT version || ' ' || script"
                        + " || ' ' || success FROM plugin_notes.flyway_schema_history ORDER BY installed_rank"));

        Class<Object> mapper = load(bundle, "io.example.notes.NoteMapper");
        assertEquals(2, (int)
                db.transaction(mapper, m -> (int) call(m, "add", "first") + (int) call(m, "add", "second")));
        List<?> notes = db.transaction(mapper, m -> (List<?>) call(m, "all"));
        assertEquals(List.of("first", "second"), bodies(notes));
        assertNotNull(call(notes.get(0), "getCreatedAt"), "created_at maps to createdAt");
        assertSame(bundleLoader(bundle), notes.get(0).getClass().getClassLoader());

        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(
                boom,
                assertThrows(
                        IllegalStateException.class,
                        () -> db.transaction(mapper, m -> {
                            call(m, "add", "rolled back");
                            throw boom;
                        })));
        assertEquals(2L, (long) db.transaction(mapper, m -> (long) call(m, "count")));

        // A mapper whose SQL is XML beside the interface, naming a bundle class as its result type.
        Class<Object> queries = load(bundle, "io.example.notes.NoteQueries");
        List<?> second = db.transaction(queries, m -> (List<?>) call(m, "withBody", "second"));
        assertEquals(List.of("second"), bodies(second));
        assertSame(bundleLoader(bundle), second.get(0).getClass().getClassLoader());

        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_schema(), count(*) FROM note")) {
            rs.next();
            assertEquals("plugin_notes", rs.getString(1));
            assertEquals(2, rs.getInt(2));
        }

        bundle.stop();
        IllegalStateException released =
                assertThrows(IllegalStateException.class, () -> db.transaction(mapper, m -> call(m, "count")));
        assertTrue(released.getMessage().contains("released"), released.getMessage());
        bundle.uninstall();
    }

    /**
     * MyBatis reads a mapper's annotations through the mapper's class, so the bundle must see
     * {@code org.apache.ibatis.annotations}. Felix's default implicit boot delegation hides a missing import (it
     * falls back to the host's class path when the caller is host code); without it the annotations vanish.
     */
    @Test
    void withoutImportingTheAnnotationsAMapperHasNoStatements() throws Exception {
        Framework strict = TestFramework.start(
                dir.resolve("felix-strict"), EXPORTS, Map.of("felix.bootdelegation.implicit", "false"));
        try {
            strict.getBundleContext().registerService(PluginDatabase.class, new PluginDatabases(pool), null);
            Bundle bundle = install(
                    strict,
                    "blind.jar",
                    Map.of("Bundle-SymbolicName", "io.example.plugin.blind", "Import-Package", "io.cohort.api.storage"),
                    Map.of(),
                    NOTE_CLASSES);
            bundle.start();
            PluginDatabase db = databaseOf(bundle);
            Class<Object> mapper = load(bundle, "io.example.notes.NoteMapper");

            RuntimeException e =
                    assertThrows(RuntimeException.class, () -> db.transaction(mapper, m -> call(m, "count")));
            assertTrue(e.getMessage().contains("Invalid bound statement"), e.getMessage());
        } finally {
            TestFramework.stop(strict);
        }
    }

    @Test
    void aSecondBundleGetsAnotherSchemaEvenWithoutMigrations() throws Exception {
        Bundle bundle = install(
                "other.jar",
                Map.of("Bundle-SymbolicName", "io.example.plugin.whatever", "Cohort-Plugin", "Other-Things"),
                Map.of());
        bundle.start();
        PluginDatabase db = databaseOf(bundle);

        assertEquals("plugin_other_things", db.schema());
        assertEquals(
                List.of("plugin_other_things"),
                strings("SELECT nspname FROM pg_namespace WHERE nspname = 'plugin_other_things'"));
        assertFalse(strings("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = 'plugin_other_things'")
                .contains("note"));
        bundle.uninstall();
    }

    @Test
    void aBrokenMigrationNamesTheBundleAndScript() throws Exception {
        Bundle bundle = install(
                "broken.jar",
                Map.of("Bundle-SymbolicName", "io.example.plugin.broken"),
                Map.of(
                        "db/V1__fine.sql", "CREATE TABLE fine (id int);",
                        "db/V2__broken.sql", "CREATE TABLE broken (id int"));
        bundle.start();

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new PluginDatabases(pool).getService(bundle, null));
        assertTrue(e.getMessage().contains("io.example.plugin.broken"), e.getMessage());
        assertTrue(e.getMessage().contains("V2__broken.sql"), e.getMessage());
        assertEquals(
                List.of("1 true"),
                strings("SELECT version || ' ' || success"
                        + " FROM plugin_broken.flyway_schema_history ORDER BY installed_rank"));
        bundle.uninstall();
    }

    @Test
    void throughTheRegistryABrokenMigrationIsAFrameworkError() throws Exception {
        Bundle bundle = install(
                "broken2.jar",
                Map.of("Bundle-SymbolicName", "io.example.plugin.broken2"),
                Map.of("db/V1__broken.sql", "NOT SQL AT ALL;"));
        bundle.start();
        List<FrameworkEvent> errors = new CopyOnWriteArrayList<>();
        FrameworkListener listener = event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                errors.add(event);
            }
        };
        framework.getBundleContext().addFrameworkListener(listener);
        try {
            BundleContext context = bundle.getBundleContext();
            assertNull(context.getService(context.getServiceReference(PluginDatabase.class)));
            // Framework events are delivered asynchronously.
            for (int i = 0; i < 50 && errors.isEmpty(); i++) {
                Thread.sleep(100);
            }
            assertFalse(errors.isEmpty(), "no FrameworkEvent.ERROR");
            String messages = causes(errors.get(0).getThrowable());
            assertTrue(messages.contains("V1__broken.sql") && messages.contains("io.example.plugin.broken2"), messages);
        } finally {
            framework.getBundleContext().removeFrameworkListener(listener);
            bundle.uninstall();
        }
    }

    @Test
    void schemaNamesAreCleanedAndBounded() throws Exception {
        Bundle odd = install("odd.jar", Map.of("Bundle-SymbolicName", "io.example.Odd-Name.x2"), Map.of());
        assertEquals("plugin_x2", PluginDatabases.schemaOf(odd));
        Bundle headed = install(
                "headed.jar", Map.of("Bundle-SymbolicName", "io.example.h", "Cohort-Plugin", "My Plugin.v2"), Map.of());
        assertEquals("plugin_my_plugin_v2", PluginDatabases.schemaOf(headed));
        Bundle tooLong = install(
                "long.jar", Map.of("Bundle-SymbolicName", "io.example.l", "Cohort-Plugin", "n".repeat(57)), Map.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PluginDatabases.schemaOf(tooLong));
        assertTrue(e.getMessage().contains("63"), e.getMessage());
        Bundle longest = install(
                "longest.jar",
                Map.of("Bundle-SymbolicName", "io.example.m", "Cohort-Plugin", "n".repeat(56)),
                Map.of());
        assertEquals(63, PluginDatabases.schemaOf(longest).length());
        for (Bundle b : List.of(odd, headed, tooLong, longest)) {
            b.uninstall();
        }
    }

    @Test
    void theSearchPathIsResetWhenAConnectionGoesBack() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pool.getJdbcUrl());
        config.setMaximumPoolSize(1);
        try (HikariDataSource single = new HikariDataSource(config)) {
            String before = searchPath(single);
            SchemaDataSource plugin = new SchemaDataSource(single, "plugin_example");
            assertEquals("plugin_example, public", searchPath(plugin));
            assertEquals(before, searchPath(single));
            assertNotEquals(before, "plugin_example, public");
        }
    }

    // --- a bundle built here, and reflection over classes that only the bundle can see

    private static Bundle install(
            String name, Map<String, String> headers, Map<String, String> scripts, String... classpathEntries)
            throws IOException, org.osgi.framework.BundleException {
        return install(framework, name, headers, scripts, classpathEntries);
    }

    private static Bundle install(
            Framework into,
            String name,
            Map<String, String> headers,
            Map<String, String> scripts,
            String... classpathEntries)
            throws IOException, org.osgi.framework.BundleException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Import-Package", IMPORTS);
        headers.forEach(main::putValue);
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            scripts.forEach((path, sql) -> entries.put(path, sql.getBytes(StandardCharsets.UTF_8)));
            for (String path : classpathEntries) {
                try (InputStream in = PluginDatabasesTest.class.getClassLoader().getResourceAsStream(path)) {
                    entries.put(path, in.readAllBytes());
                }
            }
            List<String> dirs = new ArrayList<>();
            for (String path : entries.keySet()) {
                for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
                    String d = path.substring(0, i + 1);
                    if (!dirs.contains(d)) {
                        dirs.add(d);
                        out.putNextEntry(new JarEntry(d));
                        out.closeEntry();
                    }
                }
                out.putNextEntry(new JarEntry(path));
                out.write(entries.get(path));
                out.closeEntry();
            }
        }
        return into.getBundleContext().installBundle(jar.toUri().toString());
    }

    private static PluginDatabase databaseOf(Bundle bundle) {
        BundleContext context = bundle.getBundleContext();
        ServiceReference<PluginDatabase> ref = context.getServiceReference(PluginDatabase.class);
        PluginDatabase db = context.getService(ref);
        assertNotNull(db, "no PluginDatabase for " + bundle.getSymbolicName());
        return db;
    }

    private static ClassLoader bundleLoader(Bundle bundle) {
        return bundle.adapt(BundleWiring.class).getClassLoader();
    }

    @SuppressWarnings("unchecked")
    private static Class<Object> load(Bundle bundle, String name) throws ClassNotFoundException {
        Class<Object> type = (Class<Object>) bundle.loadClass(name);
        assertSame(bundleLoader(bundle), type.getClassLoader(), "must come from the bundle, not the test class path");
        return type;
    }

    private static Object call(Object target, String method, Object... args) {
        for (var m : target.getClass().getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalArgumentException("no method " + method + " on " + target.getClass());
    }

    private static List<String> bodies(List<?> notes) {
        List<String> bodies = new ArrayList<>();
        notes.forEach(n -> bodies.add((String) call(n, "getBody")));
        return bodies;
    }

    private static List<String> strings(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static String searchPath(javax.sql.DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW search_path")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }
}
