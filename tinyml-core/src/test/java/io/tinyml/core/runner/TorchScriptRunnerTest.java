package io.tinyml.core.runner;

import io.tinyml.core.eval.Verify;
import io.tinyml.core.eval.VerifyResult;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the tiny_digits TorchScript module with DJL's PyTorch engine, offline. */
class TorchScriptRunnerTest {

    @Test
    void reproducesThePyTorchProbeOutput() throws Exception {
        Path pt = Assets.require("models/pytorch/tiny_digits.pt");
        float[] x = floats(Assets.require("models/pytorch/probe_input_4x1x28x28_f32.bin"));
        float[] expected = floats(Assets.require("models/pytorch/probe_output_4x10_f32.bin"));
        assertEquals(4 * 28 * 28, x.length);
        assertEquals(40, expected.length);
        try (TorchScriptRunner r = TorchScriptRunner.open(pt, List.of(Shape.of(4, 1, 28, 28)))) {
            assertEquals(ModelRunner.Layout.NCHW, r.inputs().get(0).layout());
            assertEquals(Shape.of(4, 10), r.outputs().get(0).shape());
            float[] y = r.run(x)[0];
            double maxAbs = 0;
            for (int i = 0; i < y.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(y[i] - expected[i]));
            }
            System.out.printf("tiny_digits.pt via DJL vs PyTorch probe output: max abs %.3g (offline=%s)%n", maxAbs,
                    System.getProperty("ai.djl.offline"));
            assertTrue(maxAbs <= 1e-5, "max abs error " + maxAbs);
            assertEquals("true", System.getProperty("ai.djl.offline"));
            // deterministic: a second run gives the same values
            assertArrayEquals(y, r.run(x)[0]);
            r.close();
            r.close();
            assertThrows(IllegalStateException.class, () -> r.run(x));
        }
    }

    @Test
    void verifyCountsEveryRowOfABatch() throws Exception {
        Path pt = Assets.require("models/pytorch/tiny_digits.pt");
        List<Shape> shapes = List.of(Shape.of(4, 1, 28, 28));
        try (TorchScriptRunner a = TorchScriptRunner.open(pt, shapes);
             TorchScriptRunner b = TorchScriptRunner.open(pt, shapes)) {
            VerifyResult r = Verify.random(a, b, 3, 5L);
            assertEquals(new VerifyResult(0.0, 0.0, 1.0, 3), r);
        }
    }

    @Test
    void rejectsWrongInputLength() throws Exception {
        Path pt = Assets.require("models/pytorch/tiny_digits.pt");
        try (TorchScriptRunner r = TorchScriptRunner.open(pt, List.of(Shape.of(1, 1, 28, 28)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.run(new float[10]));
            assertTrue(e.getMessage().startsWith("expected 784 values for input 0"), e.getMessage());
        }
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> TorchScriptRunner.open(Path.of("does-not-exist.pt"), List.of(Shape.of(1, 1, 28, 28))));
    }

    static float[] floats(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
