package io.tinyml.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The service's database: a JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql:...}) and a small
 * pool of connections. Work runs in transactions through {@link #tx}. Thread-safe;
 * {@link #close()} closes the pooled connections and is idempotent.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** The SQL dialects the service speaks. */
    public enum Dialect {
        /** H2 (embedded file or in-memory). */
        H2,
        /** PostgreSQL. */
        POSTGRES
    }

    /** Work done with a connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        /**
         * Does the work.
         *
         * @param c the connection, auto-commit off
         * @return the result
         * @throws SQLException on a database error (the transaction is rolled back)
         */
        T run(Connection c) throws SQLException;
    }

    private final String url;
    private final Dialect dialect;
    private final BlockingQueue<Connection> idle;
    private final Semaphore permits;
    private volatile boolean closed;

    /**
     * Opens a database.
     *
     * @param url a JDBC URL of H2 or PostgreSQL (credentials in the URL)
     * @param poolSize the most connections open at once
     * @throws IllegalArgumentException if the URL names another database
     */
    public Database(String url, int poolSize) {
        if (url.startsWith("jdbc:h2:")) {
            dialect = Dialect.H2;
        } else if (url.startsWith("jdbc:postgresql:")) {
            dialect = Dialect.POSTGRES;
        } else {
            throw new IllegalArgumentException("expected a JDBC URL starting jdbc:h2: or jdbc:postgresql:, found '"
                    + redact(url) + "'");
        }
        this.url = url;
        this.idle = new ArrayBlockingQueue<>(poolSize);
        this.permits = new Semaphore(poolSize);
    }

    /** @return the dialect */
    public Dialect dialect() {
        return dialect;
    }

    /** @return the URL without a password */
    public String describe() {
        return redact(url);
    }

    /**
     * Runs work in one transaction, committing on success and rolling back on any exception.
     *
     * @param work the work
     * @param <T> the result type
     * @return the work's result
     * @throws SQLException if the work or the commit fails, or no connection came within 30 s
     */
    public <T> T tx(Work<T> work) throws SQLException {
        Connection c = borrow();
        boolean ok = false;
        try {
            T r = work.run(c);
            c.commit();
            ok = true;
            return r;
        } finally {
            if (!ok) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    log.debug("rollback failed: {}", e.getMessage());
                }
            }
            giveBack(c, ok);
        }
    }

    private Connection borrow() throws SQLException {
        if (closed) {
            throw new IllegalStateException("database closed");
        }
        try {
            if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new SQLException("no database connection free within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection", e);
        }
        try {
            Connection c = idle.poll();
            if (c == null || c.isClosed()) {
                c = DriverManager.getConnection(url);
            }
            c.setAutoCommit(false);
            return c;
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void giveBack(Connection c, boolean healthy) {
        try {
            if (closed || (!healthy && !c.isValid(2)) || !idle.offer(c)) {
                c.close();
            }
        } catch (SQLException e) {
            log.debug("dropping a connection: {}", e.getMessage());
        } finally {
            permits.release();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Connection> all = new ArrayList<>();
        idle.drainTo(all);
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing a connection: {}", e.getMessage());
            }
        }
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
