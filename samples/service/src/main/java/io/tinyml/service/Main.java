package io.tinyml.service;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tinyml-service}: {@code serve [--port 5000] [--db JDBC_URL] [--workers N]} runs the API and N
 * workers; {@code worker --db JDBC_URL} runs workers only (more processes, or other machines sharing the
 * data directory); {@code create-user NAME --tier free|basic|pro|enterprise} prints a new API key.
 * Exit status 0 on success, 2 on bad usage or input (one line on stderr), 1 on internal failure.
 */
@Command(name = "tinyml-service", mixinStandardHelpOptions = true,
        description = "The TinyML model optimization service: REST API, job workers and web page.",
        subcommands = {Main.Serve.class, Main.WorkerCommand.class, Main.CreateUser.class, Main.Load.class})
public final class Main implements Runnable {
    static final String DEFAULT_DATA = "tinyml-service-data";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            boolean bad = e instanceof IllegalArgumentException || e instanceof java.sql.SQLException;
            c.getErr().println("tinyml-service: " + Worker.oneLine(e));
            return bad ? 2 : 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected a command: serve, worker or create-user");
    }

    /** Options shared by the commands that open the database. */
    static class DbOptions {
        @Option(names = "--db", paramLabel = "JDBC_URL", description = "jdbc:h2:... (default: an embedded H2 file in "
                + "the data directory) or jdbc:postgresql://host:port/db?user=..&password=..")
        String db;

        @Option(names = "--data", paramLabel = "DIR", defaultValue = DEFAULT_DATA,
                description = "uploads, results and the embedded database (default: ${DEFAULT-VALUE})")
        Path data;

        String url() {
            return db != null ? db : "jdbc:h2:file:" + data.toAbsolutePath().resolve("db") + ";AUTO_SERVER=TRUE";
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Runs the API, the web page and N workers.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        DbOptions db = new DbOptions();

        @Option(names = "--port", defaultValue = "5000", description = "HTTP port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--workers", defaultValue = "2", description = "in-process workers (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--lease-seconds", defaultValue = "30", description = "job lease (default: ${DEFAULT-VALUE})")
        int lease;

        @Option(names = "--max-upload-mb", defaultValue = "2048",
                description = "largest upload whatever the tier (default: ${DEFAULT-VALUE})")
        long maxUploadMb;

        @Override
        public Integer call() throws Exception {
            check(workers >= 0, "expected --workers of at least 0, found " + workers);
            return runService(db, host, port, workers, true, lease, maxUploadMb << 20);
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true, description = "Runs job workers only.")
    static final class WorkerCommand implements Callable<Integer> {
        @CommandLine.Mixin
        DbOptions db = new DbOptions();

        @Option(names = "--workers", defaultValue = "1", description = "workers in this process (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--lease-seconds", defaultValue = "30", description = "job lease (default: ${DEFAULT-VALUE})")
        int lease;

        @Override
        public Integer call() throws Exception {
            check(workers >= 1, "expected --workers of at least 1, found " + workers);
            return runService(db, null, 0, workers, false, lease, 0);
        }
    }

    @Command(name = "create-user", mixinStandardHelpOptions = true, description = "Creates a user and prints its API key.")
    static final class CreateUser implements Callable<Integer> {
        @CommandLine.Mixin
        DbOptions db = new DbOptions();

        @Parameters(index = "0", paramLabel = "NAME", description = "a unique user name")
        String name;

        @Option(names = "--tier", defaultValue = "free", description = "free, basic, pro or enterprise (default: ${DEFAULT-VALUE})")
        String tier;

        @Override
        public Integer call() throws Exception {
            Tier t = Tier.parse(tier);
            check(name.matches("[A-Za-z0-9_.@-]{1,100}"), "expected a user NAME of 1 to 100 letters, digits or _.@-, found '"
                    + name + "'");
            new DataDir(db.data);
            try (Database d = new Database(db.url(), 2)) {
                Migrations.migrate(d);
                System.out.println(new Store(d).createUser(name, t));
            }
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Bounded load test of a running service on loopback: p50/p99 of status and results requests.")
    static final class Load implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:5000", description = "the service (loopback only)")
        String url;

        @Option(names = "--key", required = true, description = "an API key (tier enterprise for many jobs)")
        String key;

        @Option(names = "--model", required = true, description = "a .tflite model to submit")
        Path model;

        @Option(names = "--jobs", defaultValue = "8", description = "jobs submitted (default: ${DEFAULT-VALUE})")
        int jobs;

        @Option(names = "--clients", defaultValue = "32", description = "concurrent clients (default: ${DEFAULT-VALUE})")
        int clients;

        @Option(names = "--requests", defaultValue = "200", description = "requests per client (default: ${DEFAULT-VALUE})")
        int requests;

        @Override
        public Integer call() throws Exception {
            check(jobs >= 1 && clients >= 1 && requests >= 1 && clients <= 256 && requests <= 10_000,
                    "expected --jobs >= 1, --clients in 1..256 and --requests in 1..10000");
            LoadGenerator.Result r = new LoadGenerator(url, key).run(model, jobs, clients, requests);
            System.out.println(r);
            return r.errors() == 0 ? 0 : 1;
        }
    }

    /** Runs the API (if asked) and workers until the process is stopped. */
    static int runService(DbOptions db, String host, int port, int workers, boolean api, int leaseSeconds,
                          long maxUpload) throws Exception {
        check(leaseSeconds >= 1, "expected --lease-seconds of at least 1, found " + leaseSeconds);
        try (Service s = Service.start(new Service.Options(db.url(), db.data, host, port, workers, api,
                leaseSeconds * 1000L, maxUpload), new FitPipeline())) {
            System.out.println("tinyml-service: " + (api ? "http://" + host + ":" + s.port() + "/ui (API /api/docs), " : "")
                    + workers + " worker(s), database " + s.database().describe());
            awaitSignal();
        }
        return 0;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void awaitSignal() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
        done.await();
    }
}
