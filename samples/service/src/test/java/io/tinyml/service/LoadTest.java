package io.tinyml.service;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A modest bounded load test on loopback while jobs run: 32 clients × 25 status/results requests, zero
 * errors. Timing is printed, not asserted; the full size (32 × 200) runs as
 * {@code ./tinyml-service load --key KEY --model M.tflite}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LoadTest {
    @Test
    void thirtyTwoClientsWhileJobsRunHaveNoErrors() throws Exception {
        Path dir = ServiceFixture.freshDir("load");
        try (Service s = ServiceFixture.start(ServiceFixture.h2Url(dir), dir, 1, 10_000)) {
            String key = s.store().createUser("loader", Tier.ENTERPRISE);
            LoadGenerator.Result r = new LoadGenerator("http://127.0.0.1:" + s.port(), key)
                    .run(Assets.require("models/tflite/hello_world_float.tflite"), 12, 32, 25);
            System.out.println("load test (H2, 1 worker): " + r);
            assertEquals(32 * 25, r.requests());
            assertEquals(0, r.errors());
            assertTrue(r.jobsDuring() > 0, "jobs were still queued or running during the requests");
        }
    }
}
