package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.TargetCatalog;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed README's curl sequence: create a project, start an optimization with a Keras .h5 upload and
 * the README's fields, poll the job, get the results, download the archive. Checks the archive
 * against independent computations: the model in it re-read by the TFLite reader is int8 and its
 * size is the reported one, and the SDK estimator run on it gives the reported flash and RAM.
 */
final class CurlSequence {
    private CurlSequence() {
    }

    static JsonNode run(Http h, Path modelH5) throws Exception {
        Http.Res p = h.postJson("/api/projects", "{\"name\": \"Image Classification Model\", "
                + "\"description\": \"Optimizing ResNet for Cortex-M4\"}");
        assertEquals(201, p.status(), p.text());
        long pid = p.json().get("id").asLong();

        Http.Res j = h.postForm("/api/projects/" + pid + "/optimize",
                Http.Form.seed("model.h5", Files.readAllBytes(modelH5)));
        assertEquals(201, j.status(), j.text());
        assertEquals("keras", j.json().get("model_format").asText());
        assertEquals("pending", j.json().get("status").asText());
        String jobId = j.json().get("job_id").asText();

        JsonNode done = h.await(jobId, Duration.ofMinutes(3));
        assertEquals("completed", done.get("status").asText(), done.toString());
        assertEquals(100, done.get("progress_percentage").asInt());
        assertTrue(done.get("log").size() >= 5, "progress events stored: " + done.get("log"));

        Http.Res r = h.get("/api/jobs/" + jobId + "/results");
        assertEquals(200, r.status(), r.text());
        JsonNode res = r.json();
        JsonNode bench = res.get("benchmark_results").get(0);

        Http.Res dl = h.get("/api/jobs/" + jobId + "/download");
        assertEquals(200, dl.status());
        assertEquals("application/zip", dl.raw().headers().firstValue("Content-Type").orElse(""));
        Map<String, byte[]> files = new HashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(dl.body()))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                files.put(e.getName(), z.readAllBytes());
            }
        }
        assertTrue(files.containsKey("c/tinyml_model.h") && files.containsKey("c/tinyml_model.c"), files.keySet().toString());
        byte[] tfl = files.get("model.tflite");
        assertNotNull(tfl);
        assertEquals(res.get("optimized_size_bytes").asLong(), tfl.length);
        Model m = TfliteReader.read(tfl, "model.tflite");
        boolean int8 = false;
        for (Tensor t : m.graph().tensors()) {
            int8 |= t.isConstant() && t.type() == DataType.INT8;
        }
        assertTrue(int8, "int8 weights in the downloaded model");
        var est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).build().estimate(m);
        assertEquals(est.flashBytes(), bench.get("flash_usage_bytes").asLong());
        assertEquals(est.ramBytes(), bench.get("ram_usage_bytes").asLong());
        assertTrue(res.get("layers").size() > 5);
        assertTrue(res.get("stages").size() >= 3, res.get("stages").toString());
        assertTrue(res.get("original_size_bytes").asLong() > 3 * res.get("optimized_size_bytes").asLong(),
                "int8 and pruning shrink the model: " + res.get("original_size_bytes") + " -> "
                        + res.get("optimized_size_bytes"));
        return res;
    }
}
