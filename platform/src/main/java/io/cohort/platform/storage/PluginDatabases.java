package io.cohort.platform.storage;

import io.cohort.api.storage.PluginDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.JavaMigration;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every bundle its own {@link PluginDatabase}: schema {@code plugin_<name>}, migrated with the bundle's
 * {@code db/V*__*.sql} scripts on the bundle's first {@code getService}. Registered once by the host:
 * {@code systemContext.registerService(PluginDatabase.class, new PluginDatabases(pool), null)}.
 *
 * <p>The framework caches the returned instance per bundle until the bundle's last {@code ungetService}
 * (at the latest when it stops), so migrations run once per bundle start.
 */
public final class PluginDatabases implements ServiceFactory<PluginDatabase> {

    /** Manifest header naming the plugin (and so its schema); defaults to the symbolic name's last segment. */
    public static final String PLUGIN_HEADER = "Cohort-Plugin";

    private static final Logger LOG = LoggerFactory.getLogger(PluginDatabases.class);
    private static final int MAX_IDENTIFIER = 63;

    private final DataSource pool;

    public PluginDatabases(DataSource pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public PluginDatabase getService(Bundle bundle, ServiceRegistration<PluginDatabase> registration) {
        try {
            String schema = schemaOf(bundle);
            createSchema(schema);
            migrate(bundle, schema);
            return new BundleDatabase(schema, new SchemaDataSource(pool, schema));
        } catch (RuntimeException e) {
            // Through the registry the caller only gets null and the framework an ERROR event: log it here.
            LOG.error("No PluginDatabase for bundle {}: {}", bundle.getSymbolicName(), e.getMessage());
            throw e;
        }
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<PluginDatabase> registration, PluginDatabase service) {
        ((BundleDatabase) service).release();
    }

    /** {@code plugin_} + the {@value #PLUGIN_HEADER} header, or the last segment of the symbolic name. */
    static String schemaOf(Bundle bundle) {
        String name = bundle.getHeaders().get(PLUGIN_HEADER);
        if (name == null || name.isBlank()) {
            String symbolic = bundle.getSymbolicName();
            if (symbolic == null) {
                throw new IllegalArgumentException("bundle " + bundle.getBundleId() + " has neither a " + PLUGIN_HEADER
                        + " header nor a Bundle-SymbolicName");
            }
            name = symbolic.substring(symbolic.lastIndexOf('.') + 1);
        }
        String schema = "plugin_" + name.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (schema.length() > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("schema name " + schema + " of bundle " + bundle.getSymbolicName()
                    + " is longer than PostgreSQL's " + MAX_IDENTIFIER + " characters; set a shorter "
                    + PLUGIN_HEADER + " header");
        }
        return schema;
    }

    private void createSchema(String schema) {
        // The advisory lock keeps two nodes starting the same plugin from racing on CREATE SCHEMA.
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                s.execute("SELECT pg_advisory_xact_lock(hashtext('" + schema + "'))");
                s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + ": " + e.getMessage(), e);
        }
    }

    private void migrate(Bundle bundle, String schema) {
        BundleScripts scripts = BundleScripts.of(bundle);
        try {
            // Flyway lives on the host's class path only; the bundle gives it scripts, never classes.
            Flyway.configure(PluginDatabases.class.getClassLoader())
                    .dataSource(pool)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .table("flyway_schema_history")
                    .resourceProvider(scripts)
                    .javaMigrationClassProvider(
                            List::<Class<? extends JavaMigration>>of) // no Java migrations from bundles
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new IllegalStateException(
                    "migrating schema " + schema + " of bundle " + bundle.getSymbolicName() + " failed: "
                            + e.getMessage(),
                    e);
        }
        LOG.info("Schema {} of bundle {} is up to date ({} scripts)", schema, bundle.getSymbolicName(), scripts.size());
    }
}
