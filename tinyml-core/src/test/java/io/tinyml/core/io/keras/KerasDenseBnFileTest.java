package io.tinyml.core.io.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * MLPerf Tiny's anomaly-detection autoencoder (640-128-128-128-128-8-128-128-128-128-640, each hidden
 * Dense followed by BatchNormalization and ReLU) as written by Keras itself: trained briefly on
 * random data, with BN layers using center=False, scale=False and epsilons from 1e-5 to 0.1. The file,
 * the inputs and the outputs of Keras's {@code model.predict} and of TensorFlow's own float TFLite
 * conversion come from {@code src/test/python/dense_bn_autoencoder.py}. Our reading, as read, after
 * the standard passes (BN folded into the Dense layers) and written to TFLite by us and read back,
 * must match both within 1e-4.
 */
class KerasDenseBnFileTest {
    private static final String DIR = "/keras/dense-bn-autoencoder/";
    private static final int WIDTH = 640;

    @Test
    void keraswrittenDenseBatchNormAutoencoderMatchesKerasAndTflite() throws Exception {
        Model m = KerasReader.read(resource("autoencoder.h5"), "autoencoder.h5");
        Model folded = PassPipeline.standard().run(m);
        assertTrue(folded.graph().nodes().stream().noneMatch(n -> n.op().kind() == OpKind.BATCH_NORMALIZATION),
                "every BN folded");
        float[] inputs = floats("inputs.f32");
        float[] keras = floats("keras.f32");
        float[] tflite = floats("tflite.f32");
        int rows = inputs.length / WIDTH;
        assertEquals(4, rows);
        double worst = 0;
        Model viaTflite = io.tinyml.core.io.tflite.TfliteReader.read(io.tinyml.core.io.tflite.TfliteWriter.write(folded),
                "autoencoder.tflite");
        for (Model model : new Model[] {m, folded, viaTflite}) {
            Interpreter it = Interpreter.create(model);
            for (int r = 0; r < rows; r++) {
                float[] y = it.invokeFloat(Arrays.copyOfRange(inputs, r * WIDTH, (r + 1) * WIDTH))[0];
                assertEquals(WIDTH, y.length);
                for (float[] want : new float[][] {keras, tflite}) {
                    for (int i = 0; i < WIDTH; i++) {
                        worst = Math.max(worst, Math.abs(y[i] - want[r * WIDTH + i]));
                    }
                }
            }
        }
        System.out.printf("Keras-written Dense-BN autoencoder: worst |ours - Keras or TFLite| = %.3g%n", worst);
        assertTrue(worst <= 1e-4, "worst absolute difference " + worst);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KerasDenseBnFileTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + DIR + name);
            }
            return in.readAllBytes();
        }
    }

    private static float[] floats(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(resource(name)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }
}
