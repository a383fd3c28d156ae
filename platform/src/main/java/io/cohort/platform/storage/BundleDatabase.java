package io.cohort.platform.storage;

import io.cohort.api.storage.PluginDatabase;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;

/** One bundle's {@link PluginDatabase}, made by {@link PluginDatabases}. */
final class BundleDatabase implements PluginDatabase {

    private final String schema;
    private final DataSource dataSource;
    /** Holds the bundle's mapper classes; dropped on release so the bundle's class loader can be collected. */
    private volatile SqlSessionFactory sessions;

    BundleDatabase(String schema, DataSource dataSource) {
        this.schema = schema;
        this.dataSource = dataSource;
        Configuration configuration =
                new Configuration(new Environment(schema, new JdbcTransactionFactory(), dataSource));
        configuration.setMapUnderscoreToCamelCase(true);
        this.sessions = new SqlSessionFactoryBuilder().build(configuration);
    }

    @Override
    public String schema() {
        return schema;
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public <M, R> R transaction(Class<M> mapperType, Function<M, R> work) {
        SqlSessionFactory factory = sessions;
        if (factory == null) {
            throw new IllegalStateException("the PluginDatabase of " + schema + " was released");
        }
        // MyBatis resolves class names in mapper XML (resultType, aliases) through the context class loader:
        // point it at the mapper's bundle (docs/architecture.md, pitfall 3).
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(mapperType.getClassLoader());
        try {
            Configuration configuration = factory.getConfiguration();
            synchronized (configuration) {
                if (!configuration.hasMapper(mapperType)) {
                    configuration.addMapper(mapperType);
                }
            }
            try (SqlSession session = factory.openSession(false)) {
                R result;
                try {
                    result = work.apply(session.getMapper(mapperType));
                } catch (RuntimeException | Error e) {
                    rollback(session, e);
                    throw e;
                } catch (Exception e) {
                    // Only reachable by a sneaky throw, as Function declares no checked exceptions.
                    rollback(session, e);
                    throw new IllegalStateException("transaction on " + schema + " failed: " + e, e);
                }
                session.commit(true);
                return result;
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    void release() {
        sessions = null;
    }

    private static void rollback(SqlSession session, Throwable cause) {
        try {
            session.rollback(true);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
