package io.tinyml.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelloSineTest {

    @Test
    void journeyProducesAnAccurateModelFile(@TempDir Path dir) throws Exception {
        HelloSine.Result r = HelloSine.run(dir, 10_000);
        assertTrue(r.trainMse() < 1e-3, "training MSE " + r.trainMse());
        assertTrue(r.maxError() < 0.05, "max error " + r.maxError());
        assertEquals(Files.size(dir.resolve("sine_float.tflite")), r.tfliteBytes());
        assertEquals(3, r.model().graph().nodes().size());
        assertEquals(321, r.model().graph().parameterCount());
        HelloSine.Journey j = r.int8();
        assertTrue(j.maxError() < 0.1, "int8 max error " + j.maxError());
        assertTrue(j.estimate().fits());
        assertTrue(j.estimate().arenaBytes() > 0 && j.estimate().flashBytes() > j.tfliteBytes() / 2);
        assertEquals(java.util.List.of("uart-115200", "ble-1m", "wifi"), java.util.List.copyOf(j.splits().keySet()));
        // 288 MACs take microseconds on the board: sending even one input over a UART takes longer
        assertEquals("device-only", j.splits().get("uart-115200"), j.splits().toString());
        if ("true".equals(System.getenv("CI"))) {
            // CI installs gcc, arm-none-eabi-gcc and qemu-system-arm: the emulated run must happen
            assertEquals(Boolean.TRUE, j.hostIdentical(), "generated C on the host");
            assertEquals(Boolean.TRUE, j.qemuIdentical(), "generated C on QEMU Cortex-M4");
            assertEquals(Boolean.TRUE, j.boardIdentical(), "MLPerf Tiny harness on the emulated board");
        } else {
            assertNotEquals(Boolean.FALSE, j.boardIdentical(), "MLPerf Tiny harness on the emulated board");
            assertNotEquals(Boolean.FALSE, j.hostIdentical(), "generated C on the host");
            assertNotEquals(Boolean.FALSE, j.qemuIdentical(), "generated C on QEMU Cortex-M4");
        }
    }

    @Test
    void trainingIsDeterministic() {
        SineTrainer a = new SineTrainer(7);
        SineTrainer b = new SineTrainer(7);
        assertEquals(a.train(500, 16), b.train(500, 16));
        assertEquals(a.predict(1.234), b.predict(1.234));
    }
}
