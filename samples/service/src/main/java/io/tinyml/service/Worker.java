package io.tinyml.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A job worker: claims jobs from the {@link JobQueue}, runs the {@link OptimizationPipeline} with a
 * lease it renews every third of its length, stores progress events, and completes or fails the job
 * only while it still holds the lease. A worker that loses its lease (it stalled past the lease and
 * another worker took the job) abandons the run and discards its result. {@link #close()} stops
 * claiming and interrupts the current run (its lease then expires and the job is claimed again);
 * idempotent.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final JobQueue queue;
    private final OptimizationPipeline pipeline;
    private final DataDir data;
    private final String name;
    private final long leaseMs;
    private final long pollMs;
    private final Thread thread;
    private final ScheduledExecutorService heartbeat;
    private volatile boolean closed;

    /**
     * Starts a worker thread.
     *
     * @param queue the queue
     * @param pipeline the pipeline
     * @param data the data directory shared with the API
     * @param name the worker's name, recorded with its claims
     * @param leaseMs the lease length
     * @param pollMs how long to wait when the queue is empty
     */
    public Worker(JobQueue queue, OptimizationPipeline pipeline, DataDir data, String name, long leaseMs, long pollMs) {
        this.queue = queue;
        this.pipeline = pipeline;
        this.data = data;
        this.name = name;
        this.leaseMs = leaseMs;
        this.pollMs = pollMs;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-lease");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the worker's name */
    public String name() {
        return name;
    }

    private void loop() {
        log.info("worker {} started (lease {} ms)", name, leaseMs);
        while (!closed) {
            try {
                Optional<JobQueue.Claim> c = queue.claim(name, leaseMs);
                if (c.isPresent()) {
                    runOne(c.get());
                } else {
                    Thread.sleep(pollMs);
                }
            } catch (InterruptedException e) {
                break;
            } catch (SQLException | RuntimeException | Error e) {
                if (closed) {
                    break;
                }
                log.warn("worker {}: {}; retrying in 1 s", name, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    break;
                }
            }
        }
        log.info("worker {} stopped", name);
    }

    private void runOne(JobQueue.Claim claim) throws SQLException {
        log.info("worker {} runs job {} (attempt {})", name, claim.jobId(), claim.attempt());
        AtomicBoolean lost = new AtomicBoolean();
        var beat = heartbeat.scheduleAtFixedRate(() -> {
            try {
                if (!lost.get() && !queue.renew(claim, leaseMs)) {
                    lost.set(true);
                }
            } catch (SQLException | RuntimeException e) {
                log.warn("worker {}: lease renewal of job {} failed: {}", name, claim.jobId(), e.toString());
            }
        }, leaseMs / 3, leaseMs / 3, TimeUnit.MILLISECONDS);
        Path work = data.work().resolve(claim.token());
        try {
            Files.createDirectories(work);
            JobSpec spec = JobSpec.of(Json.readMap(claim.params()), data.upload(claim.modelFile()), claim.modelFormat(),
                    claim.datasetFile() == null ? null : data.upload(claim.datasetFile()));
            PipelineResult r = pipeline.run(spec, work, (stage, pct, msg) -> {
                if (closed) {
                    throw new OptimizationPipeline.LeaseLostException("worker " + name + " is stopping");
                }
                try {
                    if (lost.get() || !queue.progress(claim, stage, pct, msg)) {
                        lost.set(true);
                        throw new OptimizationPipeline.LeaseLostException("lease of job " + claim.jobId() + " lost");
                    }
                } catch (SQLException e) {
                    log.warn("worker {}: progress of job {} not stored: {}", name, claim.jobId(), e.toString());
                }
            });
            String resultName = UUID.randomUUID() + ".zip";
            Path stored = data.result(resultName);
            Files.move(r.archive(), stored, StandardCopyOption.ATOMIC_MOVE);
            if (!queue.complete(claim, Json.write(r.report()), resultName, r.optimizedSizeBytes(), r.accuracyBefore(),
                    r.accuracyAfter())) {
                Files.deleteIfExists(stored);
                log.warn("worker {}: lease of job {} lost before completion; result discarded", name, claim.jobId());
            } else {
                log.info("worker {} completed job {}", name, claim.jobId());
            }
        } catch (OptimizationPipeline.LeaseLostException e) {
            log.warn("worker {}: {}; run abandoned", name, e.getMessage());
        } catch (Exception | Error e) {
            // an Error too (out of memory, a class missing from a broken deployment): fail the job, keep the worker
            if (closed && (e instanceof InterruptedException || Thread.currentThread().isInterrupted())) {
                log.info("worker {}: run of job {} interrupted by shutdown", name, claim.jobId());
            } else {
                String why = oneLine(e);
                log.info("worker {}: job {} failed: {}", name, claim.jobId(), why);
                queue.fail(claim, why);
            }
        } finally {
            beat.cancel(false);
            deleteTree(work);
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        String s = (m == null || m.isBlank()) ? e.getClass().getSimpleName() : m;
        if (e instanceof OutOfMemoryError) {
            s = "out of memory while optimizing the model";
        }
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > 1000 ? s.substring(0, 1000) + "..." : s;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.debug("cannot walk {}: {}", dir, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.shutdownNow();
    }
}
