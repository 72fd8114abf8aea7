package io.tinyml.service;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster for tests: {@code initdb} in target/ (in /tmp as root) on a free loopback port, started with
 * {@code pg_ctl}, one fresh database per {@link #newDatabase}; as root the server runs as {@code nobody} on a
 * directory it owns. With {@code TINYML_TEST_PG_URL} set (a JDBC URL of a database the tests may fill) that
 * server is used instead. Without PostgreSQL binaries the tests are skipped with the reason — unless
 * {@code tinyml.assets.required=true} (CI), where a missing PostgreSQL is a failure.
 */
final class PgCluster implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Path bin;
    private final String externalUrl;
    private final boolean root;
    private int databases;

    private PgCluster(Path dir, int port, Path bin, String externalUrl, boolean root) {
        this.dir = dir;
        this.port = port;
        this.bin = bin;
        this.externalUrl = externalUrl;
        this.root = root;
    }

    static PgCluster start() throws Exception {
        String ext = System.getenv("TINYML_TEST_PG_URL");
        if (ext != null && !ext.isBlank()) {
            return new PgCluster(null, 0, null, ext, false);
        }
        Path bin = findBin();
        if (bin == null) {
            String why = "PostgreSQL not installed (no /usr/lib/postgresql/*/bin/initdb; Debian package postgresql)";
            if (Boolean.getBoolean("tinyml.assets.required")) {
                throw new AssertionError(why + ": required in CI");
            }
            System.err.println("skipping PostgreSQL tests: " + why);
            Assumptions.abort(why);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        // as root the server runs as nobody, who may not traverse the checkout's parents: use /tmp then
        Path dir = root ? Files.createTempDirectory("tinyml-pg-")
                : Files.createDirectories(Path.of("target", "pg-" + ProcessHandle.current().pid() + "-"
                        + System.nanoTime()).toAbsolutePath());
        if (root) {
            UserPrincipalLookupService l = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, l.lookupPrincipalByName("nobody"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PgCluster c = new PgCluster(dir, port, bin, null, root);
        c.run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync");
        c.run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "start");
        return c;
    }

    private static Path findBin() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> s = Files.list(base)) {
            return s.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("initdb")))
                    .sorted().reduce((a, b) -> b).orElse(null);
        }
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "nobody", "--"));
        }
        full.addAll(List.of(cmd));
        Path log = dir.resolve("cmd.log");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", full) + " failed: " + Files.readString(log));
        }
    }

    /** @return the JDBC URL of a new empty database */
    String newDatabase() throws Exception {
        String name = "tinyml_" + (++databases) + "_" + System.nanoTime() % 100000;
        String admin = externalUrl != null ? externalUrl : "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        if (externalUrl != null) {
            // a given server: use its database, emptied of the service's tables
            try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS job_events, job_runs, jobs, projects, users, schema_version CASCADE");
            }
            return externalUrl;
        }
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=postgres";
    }

    @Override
    public void close() throws Exception {
        if (externalUrl != null) {
            return;
        }
        run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        Worker.deleteTree(dir);
    }

    static String classPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .replace(File.pathSeparatorChar, File.pathSeparatorChar);
    }
}
