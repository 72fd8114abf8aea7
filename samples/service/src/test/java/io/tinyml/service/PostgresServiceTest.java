package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service on PostgreSQL: the seed's curl sequence; and 51 jobs run by worker processes that share
 * the queue, one of them killed with SIGKILL in the middle of a job, the API restarted in between: every
 * job completes exactly once, no job ever runs in two workers at once, higher-priority jobs are
 * claimed first.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class PostgresServiceTest {
    static PgCluster pg;

    @BeforeAll
    static void startPg() throws Exception {
        pg = PgCluster.start();
    }

    @AfterAll
    static void stopPg() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void seedCurlSequenceOnPostgres() throws Exception {
        Path dir = ServiceFixture.freshDir("pg-curl");
        try (Service s = ServiceFixture.start(pg.newDatabase(), dir, 1, 10_000)) {
            Http h = new Http(s.port(), s.store().createUser("carol", Tier.BASIC));
            JsonNode res = CurlSequence.run(h, Assets.require("models/keras/ic_resnet8.h5"));
            System.out.println("PostgreSQL curl sequence: " + res.get("original_size_bytes") + " -> "
                    + res.get("optimized_size_bytes") + " bytes");
        }
    }

    static Process worker(String url, Path dir, String name, int leaseSeconds) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", PgCluster.classPath(), "io.tinyml.service.Main", "worker", "--db", url, "--data", dir.toString(),
                "--workers", "1", "--lease-seconds", Integer.toString(leaseSeconds));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    @Test
    void fiftyJobsTwoWorkerProcessesKilledWorkerAndRestartCompleteExactlyOnce() throws Exception {
        String url = pg.newDatabase();
        Path dir = ServiceFixture.freshDir("pg-queue");
        byte[] hello = Files.readAllBytes(Assets.require("models/tflite/hello_world_float.tflite"));
        byte[] resnet = Files.readAllBytes(Assets.require("models/keras/ic_resnet8.h5"));
        Service api = ServiceFixture.start(url, dir, 0, 3_000);
        String entKey = api.store().createUser("ent", Tier.ENTERPRISE);
        String basicKey = api.store().createUser("basic", Tier.BASIC);
        Http ent = new Http(api.port(), entKey);
        Http basic = new Http(api.port(), basicKey);
        long pe = ent.postJson("/api/projects", "{\"name\": \"e\"}").json().get("id").asLong();
        long pb = basic.postJson("/api/projects", "{\"name\": \"b\"}").json().get("id").asLong();

        // a slow job, and a worker process that takes it and is killed in the middle of it
        String slow = ent.postForm("/api/projects/" + pe + "/optimize", Http.Form.seed("model.h5", resnet))
                .json().get("job_id").asText();
        Process victim = worker(url, dir, "victim", 3);
        List<Process> workers = new ArrayList<>();
        try {
            // a hang guard that counts polls (2,400 x 50 ms), not an assertion on elapsed time
            for (int poll = 0; ; poll++) {
                JsonNode j = ent.get("/api/jobs/" + slow).json();
                if (j.get("status").asText().equals("processing") && j.get("progress_percentage").asInt() >= 10) {
                    break;
                }
                assertTrue(poll < 2_400, "the victim never got into the slow job: " + j);
                Thread.sleep(50);
            }
            victim.destroyForcibly().waitFor();

            // 40 basic jobs, then 10 enterprise (priority) jobs, queued while no worker runs
            List<String> ids = new ArrayList<>();
            List<String> priority = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Http.Res r = basic.postForm("/api/projects/" + pb + "/optimize", QuotaAndUploadTest.tflite(hello));
                assertEquals(201, r.status(), r.text());
                ids.add(r.json().get("job_id").asText());
            }
            for (int i = 0; i < 10; i++) {
                Http.Res r = ent.postForm("/api/projects/" + pe + "/optimize", QuotaAndUploadTest.tflite(hello));
                assertEquals(201, r.status(), r.text());
                priority.add(r.json().get("job_id").asText());
            }
            workers.add(worker(url, dir, "worker-a", 3));
            workers.add(worker(url, dir, "worker-b", 3));
            // restart the API while the workers run: the queue lives in the database
            Thread.sleep(1500);
            int port = api.port();
            api.close();
            api = Service.start(new Service.Options(url, dir, "127.0.0.1", port, 0, true, 3_000, 64L << 20),
                    new SdkPipeline());
            ent = new Http(api.port(), entKey);
            basic = new Http(api.port(), basicKey);
            JsonNode s = ent.await(slow, Duration.ofMinutes(4));
            assertEquals("completed", s.get("status").asText(), s.toString());
            assertEquals(2, s.get("attempts").asInt(), "claimed by the victim, then again after its lease expired");
            for (String id : ids) {
                assertEquals("completed", basic.await(id, Duration.ofMinutes(3)).get("status").asText());
            }
            for (String id : priority) {
                assertEquals("completed", ent.await(id, Duration.ofMinutes(3)).get("status").asText());
            }
            check(api, dir, 51, priority, ids);
        } finally {
            victim.destroyForcibly();
            for (Process p : workers) {
                p.destroy();
            }
            for (Process p : workers) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            api.close();
        }
    }

    private static void check(Service api, Path dir, int jobs, List<String> priority, List<String> ordinary) throws Exception {
        record Run(String job, String worker, long from, Long to, String outcome) {
        }
        List<Run> runs = api.database().tx(c -> {
            List<Run> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT j.job_id, r.worker, r.claimed_at, r.ended_at, r.outcome "
                    + "FROM job_runs r JOIN jobs j ON j.id = r.job_id ORDER BY r.id");
                 ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Run(r.getString(1), r.getString(2), r.getLong(3), (Long) r.getObject(4), r.getString(5)));
                }
            }
            return out;
        });
        Map<String, List<Run>> byJob = new HashMap<>();
        runs.forEach(r -> byJob.computeIfAbsent(r.job(), k -> new ArrayList<>()).add(r));
        assertEquals(jobs, byJob.size());
        Set<String> completers = new HashSet<>();
        int reclaimed = 0;
        for (Map.Entry<String, List<Run>> e : byJob.entrySet()) {
            List<Run> rs = e.getValue();
            assertEquals(1, rs.stream().filter(r -> "completed".equals(r.outcome())).count(), "completed once: " + rs);
            for (int i = 1; i < rs.size(); i++) {
                Run prev = rs.get(i - 1);
                assertTrue(prev.to() != null && prev.to() <= rs.get(i).from(), "runs of one job never overlap: " + rs);
            }
            reclaimed += rs.size() - 1;
            rs.stream().filter(r -> "completed".equals(r.outcome())).forEach(r -> completers.add(r.worker()));
        }
        int completions = api.database().tx(c -> {
            try (PreparedStatement p = c.prepareStatement("SELECT SUM(completions), COUNT(*) FROM jobs");
                 ResultSet r = p.executeQuery()) {
                r.next();
                assertEquals(jobs, r.getInt(2));
                return r.getInt(1);
            }
        });
        assertEquals(jobs, completions);
        assertTrue(completers.size() >= 2, "both worker processes completed jobs: " + completers);
        try (Stream<Path> s = Files.list(dir.resolve("results"))) {
            assertEquals(jobs, s.count(), "one result archive per job, none from the killed run");
        }
        // two workers: at most one ordinary job can start before the last priority job is taken
        long ordinaryBefore = runs.stream().filter(r -> ordinary.contains(r.job()))
                .filter(r -> r.from() < runs.stream().filter(x -> priority.contains(x.job())).mapToLong(Run::from).max()
                        .orElse(0)).count();
        assertTrue(ordinaryBefore <= 1, "priority jobs are claimed first: " + ordinaryBefore + " ordinary before");
        System.out.println("PostgreSQL queue: " + jobs + " jobs, " + runs.size() + " claims (" + reclaimed
                + " re-claimed after a killed worker), completed by " + completers + ", each exactly once");
    }
}
