package io.cohort.platform.db;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.managed.ManagedTransactionFactory;

/**
 * One database transaction per thread. Work started inside another joins it, so an experiment's hook that writes
 * fields while the host is moving a group writes in the host's transaction and both commit or neither does.
 * Events wait for the commit: a listener that reads back must see what was written.
 */
@Singleton
public final class Transactions {

    private final DataSource db;
    private final ThreadLocal<Tx> current = new ThreadLocal<>();
    private final SqlSessionFactory sql;

    @Inject
    public Transactions(DataSource db) {
        this.db = db;
        this.sql = mybatis(db);
    }

    /**
     * The host's MyBatis: mapper interfaces whose columns are mapped by name, run on this class's connection. The
     * transaction stays this class's: MyBatis neither commits, rolls back nor closes the connection it is given.
     */
    private static SqlSessionFactory mybatis(DataSource db) {
        ManagedTransactionFactory borrowed = new ManagedTransactionFactory();
        Properties keepOpen = new Properties();
        keepOpen.setProperty("closeConnection", "false");
        borrowed.setProperties(keepOpen);
        Configuration configuration = new Configuration(new Environment("cohort", borrowed, db));
        configuration.setMapUnderscoreToCamelCase(true);
        return new SqlSessionFactoryBuilder().build(configuration);
    }

    /**
     * Parses mappers now, before anything queries. MyBatis finishes a statement left pending by a mapper being parsed
     * (one naming a result map further down its interface) on whichever thread next looks up any statement, and
     * fails that thread's query: a node's first requests, all at once behind a proxy, met exactly that.
     */
    /** How many connections the pool may hold at most (10, Hikari's default, for a data source that is not one). */
    public int poolSize() {
        try {
            return db.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)
                    ? db.unwrap(com.zaxxer.hikari.HikariDataSource.class).getMaximumPoolSize()
                    : 10;
        } catch (java.sql.SQLException e) {
            return 10;
        }
    }

    public void parse(List<Class<?>> mappers) {
        Configuration configuration = sql.getConfiguration();
        synchronized (configuration) {
            for (Class<?> type : mappers) {
                if (!configuration.hasMapper(type)) {
                    configuration.addMapper(type);
                }
            }
        }
    }

    /**
     * Runs {@code work} with a MyBatis mapper on this thread's transaction: it joins the transaction under way, or
     * runs in one of its own, exactly as {@link #run} does.
     */
    public <M, T> T mapper(Class<M> type, Function<M, T> work) {
        Configuration configuration = sql.getConfiguration();
        synchronized (configuration) {
            if (!configuration.hasMapper(type)) {
                configuration.addMapper(type);
            }
        }
        return run(c -> {
            try (SqlSession session = sql.openSession(c)) {
                return work.apply(session.getMapper(type));
            }
        });
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static final class Tx {
        final Connection connection;
        final Map<Object, Runnable> afterCommit = new LinkedHashMap<>();
        final Map<Object, Work<?>> beforeCommit = new LinkedHashMap<>();

        Tx(Connection connection) {
            this.connection = connection;
        }
    }

    public <T> T run(Work<T> work) {
        return run(work, false);
    }

    /**
     * Runs work whose statements are each atomic on their own (autocommit: no BEGIN and COMMIT round trips); the
     * before-commit actions follow on the same connection. For the hot path of a page submit. Inside a transaction,
     * joins it.
     */
    public <T> T statements(Work<T> work) {
        return run(work, true);
    }

    private <T> T run(Work<T> work, boolean autocommit) {
        Tx joined = current.get();
        try {
            if (joined != null) {
                return work.run(joined.connection);
            }
            Tx tx;
            T result;
            try (Connection c = db.getConnection()) {
                tx = new Tx(c);
                c.setAutoCommit(autocommit);
                current.set(tx);
                try {
                    result = work.run(c);
                    for (Work<?> last : tx.beforeCommit.values()) {
                        last.run(c);
                    }
                    if (!autocommit) {
                        c.commit();
                    }
                } catch (SQLException | RuntimeException | Error e) {
                    if (!autocommit) {
                        c.rollback();
                    }
                    throw e;
                } finally {
                    current.remove();
                    c.setAutoCommit(true);
                }
            }
            // Once the connection is back in the pool: publishing an event takes one, and a full pool of threads
            // each holding one while waiting for another would wait for ever.
            tx.afterCommit.values().forEach(Runnable::run);
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("database: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code action} on the current transaction's connection after its work, just before it commits (in a
     * transaction of its own when there is none); only the first action under an equal {@code key} runs.
     */
    public void beforeCommit(Object key, Work<?> action) {
        Tx tx = current.get();
        if (tx == null) {
            run(action);
        } else {
            tx.beforeCommit.putIfAbsent(key, action);
        }
    }

    /** Runs {@code action} once the current transaction commits (at once when there is none). */
    public void afterCommit(Runnable action) {
        afterCommit(new Object(), action);
    }

    /** As {@link #afterCommit(Runnable)}, but only the first action under an equal {@code key} runs. */
    public void afterCommit(Object key, Runnable action) {
        Tx tx = current.get();
        if (tx == null) {
            action.run();
        } else {
            tx.afterCommit.putIfAbsent(key, action);
        }
    }
}
