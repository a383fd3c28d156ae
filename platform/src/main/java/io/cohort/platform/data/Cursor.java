package io.cohort.platform.data;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * Reads a query row by row. PostgreSQL's driver only fetches in batches inside a transaction (autocommit off)
 * with a fetch size; otherwise it loads the whole result set, which an export must never do.
 */
final class Cursor {

    static final int FETCH_SIZE = 1000;

    private Cursor() {}

    @FunctionalInterface
    interface Row {
        void accept(ResultSet rs) throws Exception;
    }

    static void each(DataSource db, String sql, List<?> args, Row row) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps =
                    c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                ps.setFetchSize(FETCH_SIZE);
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        row.accept(rs);
                    }
                }
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setAutoCommit(true);
            }
        }
    }

    /** A small query read at once. */
    static void all(DataSource db, String sql, List<?> args, Row row) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs);
                }
            }
        }
    }

    private static void bind(PreparedStatement ps, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }
}
