package io.tinyml.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelloSineTest {
    // measured 0.0643 (float) and 0.0785 (int8) for the pruned 1-12-12-1 network; the int8 bound is the dense one's
    private static final double MAX_PRUNED_FLOAT_ERROR = 0.08;
    private static final double MAX_PRUNED_INT8_ERROR = 0.1;

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
        // fine-tuning through DJL: finite, and no worse than the plain-Java network (interpreter on 100 points)
        assertTrue(Double.isFinite(r.tuneMseAfter()) && r.tuneMseAfter() <= r.tuneMseBefore() * 1.01,
                "fine-tuned MSE " + r.tuneMseAfter() + " (was " + r.tuneMseBefore() + ")");
        assertTrue(r.tuneMseAfter() < 1e-4, "fine-tuned MSE " + r.tuneMseAfter());
        assertEquals(5, r.tuneHistory().size());
        assertNotEquals(r.tuneMseBefore(), r.tuneMseAfter(), "fine-tuning changed no weight");
        HelloSine.Pruned p = j.pruned();
        assertEquals(321, p.paramsBefore());
        assertEquals(java.util.List.of(12, 12), p.hidden());
        // 1-12-12-1: 12 + 144 + 12 multiply-accumulates, 24 + 156 + 13 parameters
        assertEquals(288, p.macsBefore());
        assertEquals(168, p.macsAfter());
        assertEquals(193, p.paramsAfter());
        assertEquals(p.paramsAfter(), p.model().graph().parameterCount());
        assertTrue(p.maxError() < MAX_PRUNED_FLOAT_ERROR, "pruned float max error " + p.maxError());
        assertTrue(p.int8MaxError() < MAX_PRUNED_INT8_ERROR, "pruned int8 max error " + p.int8MaxError());
        assertTrue(p.estimate().fits());
        assertTrue(p.estimate().flashBytes() < j.estimate().flashBytes(),
                "pruned flash " + p.estimate().flashBytes() + " dense " + j.estimate().flashBytes());
        assertTrue(p.estimate().cycles() < j.estimate().cycles());
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
