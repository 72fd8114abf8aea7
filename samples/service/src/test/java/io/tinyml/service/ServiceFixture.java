package io.tinyml.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/** Test helpers: a fresh data directory under target/ and a service on a free port. */
final class ServiceFixture {
    private ServiceFixture() {
    }

    static Path freshDir(String name) throws IOException {
        Path d = Path.of("target", "service-tests", name + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(d);
        return d;
    }

    static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("db") + ";AUTO_SERVER=TRUE";
    }

    static Service start(String url, Path dir, int workers, long leaseMs) throws SQLException, IOException {
        return Service.start(new Service.Options(url, dir, "127.0.0.1", 0, workers, true, leaseMs, 64L << 20),
                new SdkPipeline());
    }
}
