package io.cohort.platform.storage;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The host's pool seen from one plugin: each borrowed connection has {@code search_path} set to the plugin's
 * schema (then {@code public}), and {@code RESET} when handed back, so the host's own code never inherits it.
 * One shared pool rather than one per plugin keeps the number of database connections bounded by the host's
 * setting, however many plugins are installed.
 */
final class SchemaDataSource implements DataSource {

    private final DataSource pool;
    private final String schema;

    SchemaDataSource(DataSource pool, String schema) {
        this.pool = pool;
        this.schema = schema;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = pool.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema + ", public");
            if (!c.getAutoCommit()) {
                // A pool without auto-commit: a later rollback would undo the SET.
                c.commit();
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(
                SchemaDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, new Borrowed(c));
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a plugin's connections use the host's credentials");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException("the host's pool is not configured by plugins");
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("the host's pool is not configured by plugins");
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    /** Resets the search path before the connection goes back to the pool. */
    private static final class Borrowed implements java.lang.reflect.InvocationHandler {
        private final Connection target;
        private boolean closed;

        Borrowed(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    close();
                    return null;
                case "isClosed":
                    return closed || target.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        }

        private void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (!target.isClosed()) {
                    if (!target.getAutoCommit()) {
                        // What the pool would do anyway on return; RESET would fail in an aborted transaction.
                        target.rollback();
                    }
                    try (Statement s = target.createStatement()) {
                        s.execute("RESET search_path");
                    }
                }
            } finally {
                target.close();
            }
        }
    }
}
