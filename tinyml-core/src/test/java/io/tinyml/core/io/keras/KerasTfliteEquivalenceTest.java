package io.tinyml.core.io.keras;

import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Keras ResNet-8 and its TFLite conversion compute the same function: 100 seeded uniform [0, 1)
 * inputs through our interpreter, as read and after the standard passes (which fold BatchNorm).
 */
class KerasTfliteEquivalenceTest {
    private static final int INPUTS = 100;
    private static final long SEED = 20261122L;

    @Test
    void resnet8KerasAndTfliteAgree() throws Exception {
        Model keras = KerasReader.read(Assets.require(KerasReaderTest.RESNET8_H5));
        Model tflite = TfliteReader.read(Assets.require("models/tflite/ic_resnet8_float.tflite"));
        Model kerasFolded = PassPipeline.standard().run(keras);
        Model tfliteFolded = PassPipeline.standard().run(tflite);
        assertTrue(kerasFolded.graph().nodes().stream().noneMatch(n -> n.op().kind() == OpKind.BATCH_NORMALIZATION),
                "standard passes fold BatchNormalization");
        System.out.println("Keras ResNet-8 nodes: " + keras.graph().nodes().size() + " as read, "
                + kerasFolded.graph().nodes().size() + " after the standard passes (params "
                + kerasFolded.graph().parameterCount() + "); TFLite: " + tflite.graph().nodes().size() + " nodes");

        Interpreter ik = Interpreter.create(keras);
        Interpreter ikf = Interpreter.create(kerasFolded);
        Interpreter it = Interpreter.create(tflite);
        Interpreter itf = Interpreter.create(tfliteFolded);
        Random rnd = new Random(SEED);
        double maxDiff = 0;
        double maxDiffFolded = 0;
        int argmaxAgree = 0;
        int argmaxAgreeFolded = 0;
        for (int s = 0; s < INPUTS; s++) {
            float[] x = new float[32 * 32 * 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextFloat();
            }
            float[] yk = ik.invokeFloat(x)[0];
            float[] ykf = ikf.invokeFloat(x)[0];
            float[] yt = it.invokeFloat(x)[0];
            float[] ytf = itf.invokeFloat(x)[0];
            assertEquals(10, yk.length);
            for (int i = 0; i < 10; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(yk[i] - yt[i]));
                maxDiffFolded = Math.max(maxDiffFolded, Math.abs(ykf[i] - ytf[i]));
            }
            argmaxAgree += argmax(yk) == argmax(yt) ? 1 : 0;
            argmaxAgreeFolded += argmax(ykf) == argmax(ytf) ? 1 : 0;
        }
        System.out.printf("Keras vs TFLite ResNet-8 over %d inputs (seed %d): max abs diff %.3g as read, %.3g after "
                        + "standard passes; argmax agreement %d/%d as read, %d/%d after passes%n", INPUTS, SEED, maxDiff,
                maxDiffFolded, argmaxAgree, INPUTS, argmaxAgreeFolded, INPUTS);
        assertTrue(maxDiff <= 1e-4, "max abs diff as read " + maxDiff);
        assertTrue(maxDiffFolded <= 1e-4, "max abs diff after passes " + maxDiffFolded);
        assertEquals(INPUTS, argmaxAgree);
        assertEquals(INPUTS, argmaxAgreeFolded);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
