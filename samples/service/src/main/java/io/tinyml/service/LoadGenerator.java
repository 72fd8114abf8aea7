package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded load test of a running service on loopback: submits jobs (which keep the workers busy),
 * waits for the first to complete, then has C clients each send R requests alternating between a
 * job's status and a completed job's results, and reports latency percentiles and errors. Every
 * loop is bounded in count and time. Not thread-safe; one run at a time.
 */
public final class LoadGenerator {
    /**
     * The outcome.
     *
     * @param requests requests sent
     * @param errors requests that failed or answered other than 200
     * @param p50Ms median latency
     * @param p99Ms 99th percentile latency
     * @param maxMs largest latency
     * @param seconds wall time of the request phase
     * @param jobsDuring jobs still queued or running when the request phase started
     */
    public record Result(int requests, int errors, double p50Ms, double p99Ms, double maxMs, double seconds, int jobsDuring) {
        @Override
        public String toString() {
            return String.format("%d requests, %d errors, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f req/s, "
                    + "%d jobs queued or running at the start", requests, errors, p50Ms, p99Ms, maxMs,
                    requests / seconds, jobsDuring);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String key;

    /**
     * @param baseUrl the service, e.g. {@code http://127.0.0.1:5000}; must be a loopback address
     * @param key an API key of a tier whose quota allows the jobs
     * @throws IllegalArgumentException if the URL is not on loopback
     */
    public LoadGenerator(String baseUrl, String key) {
        String host = URI.create(baseUrl).getHost();
        if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
            throw new IllegalArgumentException("expected a loopback URL (127.0.0.1, localhost, [::1]), found " + baseUrl);
        }
        this.base = baseUrl.replaceAll("/$", "");
        this.key = key;
    }

    /**
     * Runs the test.
     *
     * @param model a model file to submit (TFLite)
     * @param jobs jobs to submit
     * @param clients concurrent clients
     * @param requestsPerClient requests each client sends
     * @return the figures
     * @throws IOException if the service cannot be reached or refuses the setup
     * @throws InterruptedException if interrupted
     */
    public Result run(Path model, int jobs, int clients, int requestsPerClient) throws IOException, InterruptedException {
        JsonNode p = json(send(req("/api/projects").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"load test\"}")).build()), 201);
        long pid = p.get("id").asLong();
        byte[] bytes = Files.readAllBytes(model);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            ids.add(json(send(multipart("/api/projects/" + pid + "/optimize", bytes)), 201).get("job_id").asText());
        }
        String done = ids.get(0);
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!json(send(req("/api/jobs/" + done).GET().build()), 200).get("status").asText().equals("completed")) {
            if (System.nanoTime() > until) {
                throw new IOException("job " + done + " did not complete within 5 minutes");
            }
            Thread.sleep(100);
        }
        int running = 0;
        for (String id : ids) {
            String s = json(send(req("/api/jobs/" + id).GET().build()), 200).get("status").asText();
            running += s.equals("pending") || s.equals("processing") ? 1 : 0;
        }
        long[] nanos = new long[clients * requestsPerClient];
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger slot = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < requestsPerClient; i++) {
                        String path = (i % 2 == 0) ? "/api/jobs/" + ids.get((client + i) % ids.size())
                                : "/api/jobs/" + done + "/results";
                        long s = System.nanoTime();
                        try {
                            HttpResponse<byte[]> r = send(req(path).GET().build());
                            if (r.statusCode() != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        nanos[slot.getAndIncrement()] = System.nanoTime() - s;
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get(10, TimeUnit.MINUTES);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("load clients failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] done2 = Arrays.copyOf(nanos, slot.get());
        Arrays.sort(done2);
        return new Result(done2.length, errors.get() + (nanos.length - done2.length), pct(done2, 0.50), pct(done2, 0.99),
                done2.length == 0 ? 0 : done2[done2.length - 1] / 1e6, secs, running);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
    }

    private HttpRequest multipart(String path, byte[] model) {
        String b = "----load" + System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : Map.of("hardware_target", "cortex-m4", "model_framework", "tflite",
                "enable_pruning", "false").entrySet()) {
            out.writeBytes(("--" + b + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + b + "\r\nContent-Disposition: form-data; name=\"model_file\"; filename=\"m.tflite\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(model);
        out.writeBytes(("\r\n--" + b + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return req(path).header("Content-Type", "multipart/form-data; boundary=" + b)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build();
    }

    private HttpResponse<byte[]> send(HttpRequest r) throws IOException, InterruptedException {
        return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r, int expected) throws IOException {
        if (r.statusCode() != expected) {
            throw new IOException(r.request().method() + " " + r.request().uri().getPath() + ": expected " + expected
                    + ", found " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
        }
        return Json.MAPPER.readTree(r.body());
    }
}
