package io.tinyml.service;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tier limits and hostile uploads on the embedded database: clear JSON errors, and the service stays up. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QuotaAndUploadTest {
    static Path dir;
    static Service service;
    static byte[] hello;

    @BeforeAll
    static void start() throws Exception {
        dir = ServiceFixture.freshDir("quota");
        service = ServiceFixture.start(ServiceFixture.h2Url(dir), dir, 1, 10_000);
        hello = Files.readAllBytes(Assets.require("models/tflite/hello_world_float.tflite"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static long project(Http h) throws Exception {
        return h.postJson("/api/projects", "{\"name\": \"p\"}").json().get("id").asLong();
    }

    static Http.Form tflite(byte[] model) {
        return Http.Form.seed("model.tflite", model).field("model_framework", "tflite");
    }

    @Test
    void sixthJobOfFreeUserIs429() throws Exception {
        Http free = new Http(service.port(), service.store().createUser("free5", Tier.FREE));
        long pid = project(free);
        for (int i = 0; i < 5; i++) {
            Http.Res r = free.postForm("/api/projects/" + pid + "/optimize", tflite(hello));
            assertEquals(201, r.status(), r.text());
        }
        Http.Res sixth = free.postForm("/api/projects/" + pid + "/optimize", tflite(hello));
        assertEquals(429, sixth.status(), sixth.text());
        assertEquals(429, sixth.json().get("status").asInt());
        assertTrue(sixth.json().get("error").asText().contains("monthly optimization quota reached: tier free allows 5"),
                sixth.text());
        var sub = free.get("/api/subscription").json();
        assertEquals(5, sub.get("optimizations_used").asInt());
        assertEquals(5, sub.get("optimizations_limit").asInt());
        // upgrading lifts the limit
        assertEquals("basic", free.postJson("/api/subscription/upgrade", "{\"tier\": \"basic\"}").json().get("tier").asText());
        assertEquals(201, free.postForm("/api/projects/" + pid + "/optimize", tflite(hello)).status());
    }

    @Test
    void twentyMegabyteUploadOnFreeIs413() throws Exception {
        Http free = new Http(service.port(), service.store().createUser("free20", Tier.FREE));
        long pid = project(free);
        // announced size: refused before the body is sent, as curl's Expect: 100-continue allows
        String answer = free.expectContinue("/api/projects/" + pid + "/optimize", 20L << 20);
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("\"error\":\"upload of 20971520 bytes is larger than tier free's limit of 10485760 bytes\""),
                answer);
        // a body that is sent anyway (10.5 MiB file: under the form allowance, over the file limit) is counted and refused
        byte[] big = new byte[(21 << 20) / 2];
        System.arraycopy(hello, 0, big, 0, hello.length);
        Http.Res r = free.postForm("/api/projects/" + pid + "/optimize", tflite(big));
        assertEquals(413, r.status(), r.text());
        assertTrue(r.json().get("error").asText().contains("larger than the limit of 10485760 bytes"), r.text());
        assertEquals(0, free.get("/api/subscription").json().get("optimizations_used").asInt());
    }

    @Test
    void nasNeedsProTier() throws Exception {
        Http free = new Http(service.port(), service.store().createUser("freenas", Tier.FREE));
        Http.Res r = free.postForm("/api/projects/" + project(free) + "/optimize", tflite(hello).field("enable_nas", "true"));
        assertEquals(403, r.status(), r.text());
        assertTrue(r.json().get("error").asText().contains("architecture search needs tier pro or enterprise"));
    }

    @Test
    void badUploadsAre4xxAndTheServiceStaysUp() throws Exception {
        Http ent = new Http(service.port(), service.store().createUser("mallory", Tier.ENTERPRISE));
        long pid = project(ent);
        String path = "/api/projects/" + pid + "/optimize";
        byte[] random = new byte[50_000];
        new Random(7).nextBytes(random);

        Http.Res r = ent.postForm(path, tflite(random));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.json().get("error").asText().startsWith("model_file: expected a TFLite flatbuffer"), r.text());

        r = ent.postForm(path, tflite(hello).file("dataset_file", "data.zip", TestFiles.zipSlip()));
        assertEquals(400, r.status(), r.text());
        assertTrue(r.json().get("error").asText().startsWith("dataset_file: "), r.text());
        System.out.println("zip-slip: " + r.json().get("error").asText());

        r = ent.postForm(path, tflite(hello).file("dataset_file", "data.zip", TestFiles.zipBomb()));
        assertEquals(400, r.status(), r.text());
        System.out.println("zip bomb: " + r.json().get("error").asText());

        r = ent.postForm(path, Http.Form.seed("huge.onnx", TestFiles.onnxHugeDim()).field("model_framework", "onnx"));
        assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.text());
        System.out.println("2^31-dim ONNX: " + r.status() + " " + r.json().get("error").asText());

        r = ent.postForm(path, tflite(hello).field("hardware_target", "z80"));
        assertEquals(400, r.status());
        assertTrue(r.json().get("error").asText().startsWith("hardware_target: expected one of [cortex-m4"), r.text());
        r = ent.postForm(path, Http.Form.seed("model.onnx", hello).field("model_framework", "onnx"));
        assertEquals(400, r.status());
        assertEquals("model_framework onnx expects a [onnx] model, found tflite", r.json().get("error").asText());
        assertTrue(!r.text().contains(dir.toString()), "no server path in errors: " + r.text());

        assertEquals(0, ent.get("/api/subscription").json().get("optimizations_used").asInt());
        assertEquals("healthy", ent.get("/health").json().get("status").asText());
        try (Stream<Path> s = Files.list(dir.resolve("uploads"))) {
            assertEquals(0, s.filter(p -> p.toString().contains("mallory")).count());
        }
        try (Stream<Path> s = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".part")).count(), "temporaries cleaned");
        }
        Http.Res ok = ent.postForm(path, tflite(hello));
        assertEquals(201, ok.status(), ok.text());
        assertEquals("completed", ent.await(ok.json().get("job_id").asText(), java.time.Duration.ofMinutes(1))
                .get("status").asText());
    }
}
