package io.tinyml.service;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The service put together: the database (migrated on start), the data directory, the API (optional)
 * and N in-process workers. What {@code ./tinyml-service serve} and {@code worker} run, and what the
 * tests start. {@link #close()} stops workers, then the API, then the database; idempotent.
 *
 * <pre>{@code
 * try (Service s = Service.start(new Service.Options("jdbc:h2:file:./data/db;AUTO_SERVER=TRUE", Path.of("data"),
 *         "127.0.0.1", 5000, 2, true, 30_000, 2048L << 20))) {
 *     s.awaitShutdown();
 * }
 * }</pre>
 */
public final class Service implements AutoCloseable {
    /**
     * Options.
     *
     * @param jdbcUrl the database
     * @param dataDir the file storage
     * @param host the API's address
     * @param port the API's port (0 for any free one)
     * @param workers in-process workers
     * @param api whether to serve the API (false for worker-only processes)
     * @param leaseMs the job lease length
     * @param maxUploadBytes the server's upload cap whatever the tier
     */
    public record Options(String jdbcUrl, Path dataDir, String host, int port, int workers, boolean api, long leaseMs,
                          long maxUploadBytes) {
    }

    private final Database db;
    private final ApiServer api;
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean closed;

    private Service(Database db, ApiServer api) {
        this.db = db;
        this.api = api;
    }

    /**
     * Starts a service.
     *
     * @param o the options
     * @param pipeline the job pipeline
     * @return the running service
     * @throws SQLException if the database cannot be reached or migrated
     * @throws IOException if the data directory cannot be created
     */
    public static Service start(Options o, OptimizationPipeline pipeline) throws SQLException, IOException {
        DataDir data = new DataDir(o.dataDir());
        Database db = new Database(o.jdbcUrl(), Math.max(8, 4 * o.workers() + 16));
        try {
            Migrations.migrate(db);
            Store store = new Store(db);
            ApiServer api = o.api() ? new ApiServer(store, data, pipeline, o.host(), o.port(), o.maxUploadBytes()) : null;
            Service s = new Service(db, api);
            JobQueue q = new JobQueue(db, 3);
            String base = workerBase();
            for (int i = 0; i < o.workers(); i++) {
                s.workers.add(new Worker(q, pipeline, data, base + "-w" + i, o.leaseMs(), 200));
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** @return host name and process id, to tell workers apart in the job_runs table */
    static String workerBase() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "host";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** @return the API's port, or -1 without an API */
    public int port() {
        return api == null ? -1 : api.port();
    }

    /** @return the API, or null in a worker-only process */
    public ApiServer api() {
        return api;
    }

    /** @return the database */
    public Database database() {
        return db;
    }

    /** @return a store over the service's database */
    public Store store() {
        return new Store(db);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.forEach(Worker::close);
        if (api != null) {
            api.close();
        }
        db.close();
    }
}
