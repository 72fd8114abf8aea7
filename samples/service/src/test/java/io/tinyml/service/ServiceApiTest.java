package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
/** The API on the embedded database: the seed's curl sequence, isolation between users and the OpenAPI document. */
class ServiceApiTest {
    static Path dir;
    static Service service;
    static Http alice;
    static Http bob;

    @BeforeAll
    static void start() throws Exception {
        dir = ServiceFixture.freshDir("api");
        service = ServiceFixture.start(ServiceFixture.h2Url(dir), dir, 2, 10_000);
        alice = new Http(service.port(), service.store().createUser("alice", Tier.PRO));
        bob = new Http(service.port(), service.store().createUser("bob", Tier.FREE));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void seedCurlSequenceOnH2() throws Exception {
        JsonNode res = CurlSequence.run(alice, Assets.require("models/keras/ic_resnet8.h5"));
        System.out.println("H2 curl sequence: " + res.get("original_size_bytes") + " -> " + res.get("optimized_size_bytes")
                + " bytes, flash " + res.get("benchmark_results").get(0).get("flash_usage_bytes") + ", latency "
                + res.get("benchmark_results").get(0).get("inference_time_ms") + " ms");
    }

    @Test
    void unauthenticatedAndOtherUsersGet401And404() throws Exception {
        assertEquals(401, alice.as(null).get("/api/projects").status());
        Http.Res bad = alice.as("tml_nope").get("/api/projects");
        assertEquals(401, bad.status());
        assertTrue(bad.json().get("error").asText().contains("unknown API key"));
        Http.Res p = alice.postJson("/api/projects", "{\"name\": \"mine\"}");
        long pid = p.json().get("id").asLong();
        assertEquals(404, bob.get("/api/projects/" + pid).status());
        Http.Res j = alice.postForm("/api/projects/" + pid + "/optimize", Http.Form.seed("hello.tflite",
                Files.readAllBytes(Assets.require("models/tflite/hello_world_float.tflite"))).field("model_framework", "tflite"));
        assertEquals(201, j.status(), j.text());
        String jobId = j.json().get("job_id").asText();
        for (String suffix : List.of("", "/results", "/download", "/events")) {
            Http.Res r = bob.get("/api/jobs/" + jobId + suffix);
            assertEquals(404, r.status(), suffix);
            assertEquals("no job " + jobId, r.json().get("error").asText());
        }
        assertEquals(404, bob.postForm("/api/projects/" + pid + "/optimize", Http.Form.seed("m.tflite", new byte[8])).status());
        assertTrue(bob.get("/api/projects").json().get("projects").isEmpty());
        JsonNode done = alice.await(jobId, java.time.Duration.ofMinutes(1));
        assertEquals("completed", done.get("status").asText(), done.toString());
    }

    @Test
    void publicEndpoints() throws Exception {
        Http anon = alice.as(null);
        assertEquals("healthy", anon.get("/health").json().get("status").asText());
        assertEquals("/api/docs", anon.get("/").json().get("documentation").asText());
        JsonNode targets = anon.get("/api/hardware-targets").json().get("hardware_targets");
        Set<String> names = new HashSet<>();
        targets.forEach(t -> names.add(t.get("value").asText()));
        assertTrue(names.containsAll(List.of("cortex-m4", "cortex-m7", "risc-v", "esp32", "stm32", "cortex-a")), names.toString());
        assertEquals(4, anon.get("/api/model-frameworks").json().get("model_frameworks").size());
    }

    @Test
    void openApiDocumentListsExactlyTheRoutes() throws Exception {
        Http.Res r = alice.as(null).get("/api/docs");
        assertEquals(200, r.status());
        Set<String> documented = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> paths = r.json().get("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> e = paths.next();
            e.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + e.getKey()));
        }
        Set<String> served = new TreeSet<>();
        for (String route : service.api().routes()) {
            if (!route.startsWith("GET /ui")) {
                served.add(route);
            }
        }
        assertEquals(served, documented);
        try (InputStream in = ApiServer.class.getResourceAsStream("web/openapi.json")) {
            assertEquals("3.0.3", Json.MAPPER.readTree(in).get("openapi").asText());
        }
    }
}
