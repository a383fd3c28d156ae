package io.cohort.platform.storage;

import io.cohort.api.storage.PluginDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The host's own {@link PluginDatabase} (its MyBatis set-up and search-path handling) for a plugin tested outside
 * a framework: the scripts come from the class path ({@code db/}) instead of a bundle. It sits in the host's
 * package to reach those package-private classes rather than copying them.
 */
public final class TestPluginDatabase {

    private TestPluginDatabase() {}

    /**
     * Schema {@code plugin_<name>} in the database at {@code jdbcUrl}, migrated with the plugin's {@code db/}
     * folder of the class path (a directory: the host's own jar has a {@code db/} too, which Flyway must not see).
     */
    public static PluginDatabase create(String jdbcUrl, String name) {
        String scripts;
        try {
            scripts = Collections.list(TestPluginDatabase.class.getClassLoader().getResources("db")).stream()
                    .filter(u -> u.getProtocol().equals("file"))
                    .findFirst()
                    .map(u -> "filesystem:" + u.getPath())
                    .orElseThrow(() -> new IllegalStateException("no db/ directory on the test class path"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PGSimpleDataSource pool = new PGSimpleDataSource();
        pool.setUrl(jdbcUrl);
        String schema = "plugin_" + name;
        Flyway.configure(TestPluginDatabase.class.getClassLoader())
                .dataSource(pool)
                .schemas(schema)
                .defaultSchema(schema)
                .table("flyway_schema_history")
                .locations(scripts)
                .load()
                .migrate();
        return new BundleDatabase(schema, new SchemaDataSource(pool, schema));
    }
}
