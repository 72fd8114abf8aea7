package io.tinyml.train;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IR → DJL network → IR: the DJL forward pass of a real model equals our interpreter on the exported
 * IR model, and the PyTorch reference output where one exists.
 */
class TrainableModelTest {

    @Test
    void tinyDigitsForwardMatchesPyTorchAndTheInterpreter() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        // 4 x 1 x 28 x 28 NCHW with one channel: the same bytes as 4 x 28 x 28 x 1 NHWC
        float[] x = floats(Assets.require("models/pytorch/probe_input_4x1x28x28_f32.bin"));
        float[] expected = floats(Assets.require("models/pytorch/probe_output_4x10_f32.bin"));
        try (TrainableModel t = TrainableModel.of(m)) {
            float[] y = t.forward(4, x)[0];
            double vsTorch = maxAbs(y, expected);
            double vsIr = compareWithInterpreter(t, x, 4);
            System.out.printf("tiny_digits: DJL forward vs PyTorch probe max abs %.3g, vs interpreter on exported IR %.3g%n",
                    vsTorch, vsIr);
            assertTrue(vsTorch <= 1e-5, "vs PyTorch " + vsTorch);
            assertTrue(vsIr <= 1e-5, "vs interpreter " + vsIr);
        }
    }

    @Test
    void kerasResNet8WithBatchNormMatchesTheInterpreter() throws Exception {
        Model m = ModelIO.read(Assets.require("models/keras/ic_resnet8.h5"));
        assertForwardMatches(m, 3, 1e-5);
    }

    @Test
    void tfliteResNet8WithAsymmetricSamePaddingMatchesTheInterpreter() throws Exception {
        Model m = ModelIO.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
        assertForwardMatches(m, 2, 1e-5);
    }

    @Test
    void useAfterCloseFails() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        TrainableModel t = TrainableModel.of(m);
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.forward(1, new float[784]));
        assertThrows(IllegalStateException.class, () -> t.toModel(Map.of()));
    }

    static void assertForwardMatches(Model m, int batch, double tol) throws Exception {
        int per = m.graph().inputTensor(0).shape().elementCount();
        float[] x = new float[per * batch];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        try (TrainableModel t = TrainableModel.of(m)) {
            double d = compareWithInterpreter(t, x, batch);
            System.out.printf("%s: DJL forward vs interpreter on exported IR, %d samples: max abs %.3g%n",
                    m.provenance().source(), batch, d);
            assertTrue(d <= tol, "max abs " + d);
        }
    }

    /** Runs the DJL network on a batch and the interpreter on the exported IR model, sample by sample. */
    static double compareWithInterpreter(TrainableModel t, float[] x, int batch) throws Exception {
        float[] y = t.forward(batch, x)[0];
        Model exported = t.toModel(Map.of("epochs", "0"));
        assertEquals(t.source().graph().nodes(), exported.graph().nodes());
        Interpreter in = Interpreter.create(exported);
        int per = x.length / batch;
        int outPer = y.length / batch;
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            float[] xi = new float[per];
            System.arraycopy(x, b * per, xi, 0, per);
            float[] ref = in.invokeFloat(xi)[0];
            assertEquals(outPer, ref.length);
            for (int k = 0; k < outPer; k++) {
                worst = Math.max(worst, Math.abs(ref[k] - y[b * outPer + k]));
            }
        }
        return worst;
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static float[] floats(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
