package io.tinyml.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: numbered SQL scripts on the class path ({@code db/V<n>__<name>.sql}),
 * each applied once, in order, in its own transaction, and recorded in {@code schema_version}.
 * A database whose recorded version is newer than this build knows is refused. On PostgreSQL an
 * advisory lock keeps two processes starting together from migrating at once.
 */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    /** The scripts of this build, in order; the list index + 1 is the version. */
    static final List<String> SCRIPTS = List.of("V1__init");
    private static final long PG_LOCK_KEY = 0x74696e796d6cL;

    private Migrations() {
    }

    /**
     * Brings a database to this build's schema version.
     *
     * @param db the database
     * @return the number of scripts applied now
     * @throws SQLException if a script fails (its transaction is rolled back)
     * @throws IllegalStateException if the database's schema is newer than this build
     */
    public static int migrate(Database db) throws SQLException {
        return db.tx(c -> {
            if (db.dialect() == Database.Dialect.POSTGRES) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")");
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, "
                        + "description VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
            }
            int current = current(c);
            if (current > SCRIPTS.size()) {
                throw new IllegalStateException("expected a schema version of at most " + SCRIPTS.size()
                        + ", found " + current + " (the database was migrated by a newer build)");
            }
            int applied = 0;
            for (int v = current + 1; v <= SCRIPTS.size(); v++) {
                String name = SCRIPTS.get(v - 1);
                for (String sql : statements(load(name))) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = c.prepareStatement(
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    p.setInt(1, v);
                    p.setString(2, name);
                    p.setLong(3, System.currentTimeMillis());
                    p.executeUpdate();
                }
                log.info("schema migrated to version {} ({}) on {}", v, name, db.describe());
                applied++;
            }
            return applied;
        });
    }

    /**
     * Reads the recorded schema version.
     *
     * @param c a connection
     * @return the highest applied version, 0 if none
     * @throws SQLException on a database error
     */
    static int current(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static String load(String name) {
        String res = "db/" + name + ".sql";
        try (InputStream in = Migrations.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("migration script missing from the class path: " + res);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a script at semicolons that end a line, dropping {@code --} comment lines. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String sql = cur.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }
}
