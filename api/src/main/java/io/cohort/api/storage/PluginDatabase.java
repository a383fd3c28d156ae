package io.cohort.api.storage;

import java.util.function.Function;
import javax.sql.DataSource;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A plugin's own schema, {@code plugin_<name>}. The host gives every bundle its own instance (a service
 * factory): before the first use it runs the bundle's Flyway migrations ({@code db/V*__*.sql} in the bundle)
 * with a history table of the plugin's own, and it loads MyBatis mappers (annotated interfaces, or an XML file
 * beside the interface) through the bundle's class loader.
 */
@ProviderType
public interface PluginDatabase {

    /** The schema this plugin owns, e.g. {@code plugin_campaigns}. */
    String schema();

    /** Pooled connections whose {@code search_path} starts with {@link #schema()}. */
    DataSource dataSource();

    /** Runs {@code work} with a mapper in one transaction: committed when it returns, rolled back when it throws. */
    <M, R> R transaction(Class<M> mapperType, Function<M, R> work);
}
