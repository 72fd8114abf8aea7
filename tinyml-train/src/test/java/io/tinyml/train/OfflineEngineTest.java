package io.tinyml.train;

import ai.djl.engine.Engine;
import io.tinyml.train.internal.DjlEngine;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libtorch comes from Maven, not from the network: the pytorch-native-cpu jar is on the test class path,
 * DJL runs offline, and the engine's native libraries are unpacked into the module's build folder
 * ({@code DJL_CACHE_DIR}, set by the build). Run with no network at all ({@code unshare -n}) on an empty
 * cache folder, the tests pass the same.
 */
class OfflineEngineTest {

    @Test
    void pytorchStartsOfflineFromTheMavenNatives() throws Exception {
        assertNotNull(OfflineEngineTest.class.getClassLoader().getResource("native/lib/pytorch.properties"),
                "pytorch-native-cpu on the class path");
        Engine e = DjlEngine.pytorch();
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("2.7.1", e.getVersion());
        String cache = System.getenv("DJL_CACHE_DIR");
        assertNotNull(cache, "DJL_CACHE_DIR set by the build");
        Path dir = Path.of(cache);
        assertTrue(dir.toAbsolutePath().normalize().toString().contains("/target/"), dir.toString());
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("libtorch_cpu.so")),
                    "libtorch unpacked into " + dir);
        }
    }
}
