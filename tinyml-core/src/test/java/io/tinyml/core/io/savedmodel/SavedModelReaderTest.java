package io.tinyml.core.io.savedmodel;

import io.tinyml.core.eval.Verify;
import io.tinyml.core.eval.VerifyResult;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runner.InterpreterRunner;
import io.tinyml.core.runner.SavedModelRunner;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Imports the MLPerf Tiny keyword spotter SavedModel and checks it against TensorFlow Java's execution. */
class SavedModelReaderTest {
    private static Path dir;
    private static Model model;

    @BeforeAll
    static void read() throws Exception {
        dir = Assets.require("models/savedmodel/kws_dscnn");
        model = SavedModelReader.read(dir);
    }

    @Test
    void importsTheKeywordSpotter() {
        Tensor in = model.graph().inputTensor(0);
        assertEquals("input_1", in.name());
        assertEquals(Shape.of(1, 49, 10, 1), in.shape());
        assertEquals(DataType.FLOAT32, in.type());
        assertEquals(Shape.of(1, 12), model.graph().outputTensor(0).shape());
        assertEquals("dense", model.graph().outputTensor(0).name());
        assertEquals(SavedModelReader.READER, model.provenance().reader());
        assertEquals(64, model.provenance().sourceSha256().length());
        Map<OpKind, Long> kinds = model.graph().nodes().stream()
                .collect(Collectors.groupingBy(n -> n.op().kind(), Collectors.counting()));
        System.out.println("kws_dscnn SavedModel import: " + model.graph().nodes().size() + " nodes " + kinds);
        assertEquals(5L, kinds.get(OpKind.CONV_2D));
        assertEquals(4L, kinds.get(OpKind.DEPTHWISE_CONV_2D));
        assertEquals(9L, kinds.get(OpKind.BATCH_NORMALIZATION));
        assertEquals(1L, kinds.get(OpKind.FULLY_CONNECTED));
        assertEquals(1L, kinds.get(OpKind.SOFTMAX));
        // every BiasAdd was fused: no ADD nodes remain, and every conv and the dense layer have a bias
        assertTrue(!kinds.containsKey(OpKind.ADD), "expected BiasAdd fused, found ADD nodes");
        model.graph().nodes().stream()
                .filter(n -> n.op().kind() == OpKind.CONV_2D || n.op().kind() == OpKind.FULLY_CONNECTED
                        || n.op().kind() == OpKind.DEPTHWISE_CONV_2D)
                .forEach(n -> assertTrue(n.input(2) >= 0, "expected a bias on " + n.name()));
    }

    @Test
    void interpreterMatchesTensorFlowOnRandomInputs() throws Exception {
        try (InterpreterRunner ours = new InterpreterRunner(model);
             SavedModelRunner tf = SavedModelRunner.open(dir)) {
            VerifyResult r = Verify.random(ours, tf, 20, 1234L);
            System.out.printf("kws_dscnn SavedModel vs TensorFlow Java, 20 random inputs: max abs %.3g, max rel %.3g, "
                    + "argmax agreement %.2f%n", r.maxAbsError(), r.maxRelError(), r.argmaxAgreement());
            assertEquals(20, r.samples());
            assertTrue(r.maxAbsError() <= 1e-4, "max abs error " + r.maxAbsError());
            assertEquals(1.0, r.argmaxAgreement());
        }
    }

    @Test
    void interpreterMatchesTensorFlowAndTheInt8ModelOnTheRealInput() throws Exception {
        Model int8 = TfliteReader.read(Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        Tensor q = int8.graph().inputTensor(0);
        QuantParams qp = q.requireQuant();
        assertEquals(0.5847029f, qp.scale(), 1e-7f);
        assertEquals(83, qp.zeroPoint());
        byte[] raw = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
        assertEquals(q.shape().elementCount(), raw.length);
        float[] x = new float[raw.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (raw[i] - qp.zeroPoint()) * qp.scale();
        }
        float[] ours = Interpreter.create(model).invokeFloat(x)[0];
        float[] tf;
        try (SavedModelRunner r = SavedModelRunner.open(dir)) {
            tf = r.run(x)[0];
        }
        double maxAbs = 0;
        for (int i = 0; i < ours.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(ours[i] - tf[i]));
        }
        float[] int8Scores = Interpreter.create(int8).invokeFloat(x)[0];
        System.out.printf("kws_dscnn real input: max abs vs TensorFlow Java %.3g; argmax ours %d, TensorFlow %d, int8 %d "
                + "(p=%.4f / %.4f / %.4f)%n", maxAbs, argmax(ours), argmax(tf), argmax(int8Scores),
                ours[argmax(ours)], tf[argmax(tf)], int8Scores[argmax(int8Scores)]);
        assertTrue(maxAbs <= 1e-4, "max abs error " + maxAbs);
        assertEquals(argmax(tf), argmax(ours));
        assertEquals(argmax(int8Scores), argmax(ours));
    }

    @Test
    void interpreterMatchesTensorFlowOnSeededGaussianFeatures() throws Exception {
        // features around the real input's scale (tens), not only [0, 1)
        SplittableRandom rnd = new SplittableRandom(7);
        try (SavedModelRunner tf = SavedModelRunner.open(dir)) {
            Interpreter it = Interpreter.create(model);
            double maxAbs = 0;
            for (int s = 0; s < 5; s++) {
                float[] x = new float[49 * 10];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextDouble() * 60 - 30);
                }
                float[] a = it.invokeFloat(x)[0];
                float[] b = tf.run(x)[0];
                for (int i = 0; i < a.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
                }
            }
            System.out.printf("kws_dscnn SavedModel vs TensorFlow Java, 5 inputs in [-30, 30): max abs %.3g%n", maxAbs);
            assertTrue(maxAbs <= 1e-4, "max abs error " + maxAbs);
        }
    }

    @Test
    void runnerRejectsUseAfterClose() throws Exception {
        SavedModelRunner tf = SavedModelRunner.open(dir);
        tf.close();
        tf.close();
        assertThrows(IllegalStateException.class, () -> tf.run(new float[490]));
    }

    @Test
    void missingDirectoryIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> SavedModelReader.read(dir.resolve("does-not-exist")));
    }

    private static int argmax(float[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[b]) {
                b = i;
            }
        }
        return b;
    }

}
