package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A small test client of the service: JSON requests and multipart uploads, as curl sends them. */
final class Http {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final String base;
    final String key;

    Http(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    Http as(String otherKey) {
        return new Http(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherKey);
    }

    /** A response: status and parsed JSON body (null when not JSON). */
    record Res(int status, JsonNode json, byte[] body, HttpResponse<byte[]> raw) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    HttpRequest.Builder req(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    Res get(String path) throws IOException, InterruptedException {
        return send(req(path).GET().build());
    }

    Res postJson(String path, String json) throws IOException, InterruptedException {
        return send(req(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Res send(HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = client.send(r, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode j = null;
        String ct = res.headers().firstValue("Content-Type").orElse("");
        if (ct.contains("json")) {
            j = Json.MAPPER.readTree(res.body());
        }
        return new Res(res.statusCode(), j, res.body(), res);
    }

    /** Multipart form: text fields, then files (name → filename and bytes). */
    static final class Form {
        final Map<String, String> fields = new LinkedHashMap<>();
        final Map<String, Map.Entry<String, byte[]>> files = new LinkedHashMap<>();

        Form field(String k, String v) {
            fields.put(k, v);
            return this;
        }

        Form file(String k, String filename, byte[] data) {
            files.put(k, Map.entry(filename, data));
            return this;
        }

        /** The seed README's example fields with a model file. */
        static Form seed(String filename, byte[] model) {
            return new Form().file("model_file", filename, model).field("hardware_target", "cortex-m4")
                    .field("model_framework", "tensorflow").field("target_size_kb", "100")
                    .field("target_accuracy_threshold", "0.90").field("enable_quantization", "true")
                    .field("enable_pruning", "true").field("quantization_type", "int8").field("pruning_sparsity", "0.5");
        }
    }

    Res postForm(String path, Form f) throws IOException, InterruptedException {
        String boundary = "----tinyml" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : f.fields.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n\r\n"
                    + e.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, Map.Entry<String, byte[]>> e : f.files.entrySet()) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey()
                    + "\"; filename=\"" + e.getValue().getKey() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(e.getValue().getValue());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(req(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build());
    }

    /**
     * Starts an upload as curl does for a large body: headers with {@code Expect: 100-continue}, then waits
     * for the server's answer before sending any of the body, and returns the status line and body of a
     * final (non-100) answer.
     */
    String expectContinue(String path, long contentLength) throws IOException {
        java.net.URI u = java.net.URI.create(base);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(30_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\n"
                    + (key == null ? "" : "Authorization: Bearer " + key + "\r\n")
                    + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: " + contentLength + "\r\n"
                    + "Expect: 100-continue\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Polls a job until it is completed or failed; a hang guard that counts polls (one per 100 ms of
     * {@code timeout}), not an assertion on elapsed time.
     */
    JsonNode await(String jobId, Duration timeout) throws IOException, InterruptedException {
        long polls = Math.max(1, timeout.toMillis() / 100);
        for (long poll = 0; ; poll++) {
            Res r = get("/api/jobs/" + jobId);
            if (r.status() != 200) {
                throw new AssertionError("GET job " + jobId + ": " + r.status() + " " + r.text());
            }
            String s = r.json().get("status").asText();
            if (s.equals("completed") || s.equals("failed")) {
                return r.json();
            }
            if (poll >= polls) {
                throw new AssertionError("job " + jobId + " still " + s + " after " + polls + " polls: " + r.text());
            }
            Thread.sleep(100);
        }
    }
}
