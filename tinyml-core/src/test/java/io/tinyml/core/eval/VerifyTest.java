package io.tinyml.core.eval;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runner.InterpreterRunner;
import io.tinyml.core.runner.ModelRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verify and InterpreterRunner on small models built in code. */
class VerifyTest {

    /** x [1,2,2,3] NHWC -> per-channel weights (Mul) -> Mean over H,W -> [1,3], plus {@code bias}. */
    private static Model model(float bias, Map<String, String> metadata) {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        int w = b.addTensor(Tensor.ofFloats("w", Shape.of(3), new float[] {1f, -2f, 3f}));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 2, 2, 3)));
        b.addNode("mul", new Op.Mul(Activation.NONE), List.of(x, w), List.of(y));
        int m = b.addTensor(Tensor.activation("m", DataType.FLOAT32, Shape.of(1, 3)));
        b.addNode("mean", new Op.Mean(List.of(1, 2), false), List.of(y), List.of(m));
        int c = b.addTensor(Tensor.ofFloats("c", Shape.of(3), new float[] {bias, bias, bias}));
        int z = b.addTensor(Tensor.activation("z", DataType.FLOAT32, Shape.of(1, 3)));
        b.addNode("add", new Op.Add(Activation.NONE), List.of(m, c), List.of(z));
        b.addOutput(z);
        return Model.of(b.build(), metadata, Provenance.builtInCode("verify test"));
    }

    @Test
    void identicalModelsAgreeExactly() throws Exception {
        try (InterpreterRunner a = new InterpreterRunner(model(0f, Map.of()));
             InterpreterRunner b = new InterpreterRunner(model(0f, Map.of()))) {
            VerifyResult r = Verify.random(a, b, 7, 3L);
            assertEquals(new VerifyResult(0.0, 0.0, 1.0, 7), r);
            assertEquals("{\"maxAbsError\":0.0,\"maxRelError\":0.0,\"argmaxAgreement\":1.0,\"samples\":7}", r.toJson());
        }
    }

    @Test
    void measuresAnOffset() throws Exception {
        try (InterpreterRunner a = new InterpreterRunner(model(0f, Map.of()));
             InterpreterRunner b = new InterpreterRunner(model(0.25f, Map.of()))) {
            VerifyResult r = Verify.random(a, b, 5, 9L);
            assertEquals(0.25, r.maxAbsError(), 1e-6);
            assertTrue(r.maxRelError() > 0 && r.maxRelError() <= 1.0, "rel " + r.maxRelError());
            assertEquals(1.0, r.argmaxAgreement());
            assertEquals(5, r.samples());
        }
    }

    @Test
    void interpreterRunnerTakesNchwForInputsMarkedNchw() throws Exception {
        Model nchw = model(0f, Map.of(InterpreterRunner.INPUT_LAYOUT_KEY + "x", "NCHW"));
        try (InterpreterRunner r = new InterpreterRunner(nchw);
             InterpreterRunner plain = new InterpreterRunner(model(0f, Map.of()))) {
            ModelRunner.TensorSpec in = r.inputs().get(0);
            assertEquals(Shape.of(1, 3, 2, 2), in.shape());
            assertEquals(ModelRunner.Layout.NCHW, in.layout());
            assertEquals(ModelRunner.Layout.NHWC, plain.inputs().get(0).layout());
            // channel k holds the value k+1 everywhere: in NCHW the channels are contiguous blocks
            float[] chw = {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
            assertArrayEquals(new float[] {1f, -4f, 9f}, r.run(chw)[0], 1e-6f);
            float[] hwc = {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
            assertArrayEquals(new float[] {1f, -4f, 9f}, plain.run(hwc)[0], 1e-6f);
            // Verify transposes between the two layouts: exact agreement
            VerifyResult v = Verify.random(plain, r, 4, 1L);
            assertEquals(0.0, v.maxAbsError());
            VerifyResult back = Verify.random(r, plain, 4, 1L);
            assertEquals(0.0, back.maxAbsError());
        }
    }

    @Test
    void unmatchableShapesAreRejectedNamingBoth() throws Exception {
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 5)));
        int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 5)));
        b.addNode("relu", new Op.Relu(), List.of(x), List.of(y));
        b.addOutput(y);
        Model other = Model.of(b.build(), Provenance.builtInCode("relu"));
        try (InterpreterRunner a = new InterpreterRunner(model(0f, Map.of()));
             InterpreterRunner c = new InterpreterRunner(other)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Verify.random(a, c, 1, 0L));
            assertTrue(e.getMessage().contains("[1, 2, 2, 3]") || e.getMessage().contains("[1,2,2,3]"), e.getMessage());
            assertTrue(e.getMessage().contains("5]"), e.getMessage());
            assertTrue(e.getMessage().startsWith("expected input 0 shapes equal up to NCHW/NHWC layout, found"),
                    e.getMessage());
        }
    }

    @Test
    void datasetSamplesAreMappedScaledAndCounted() throws Exception {
        Dataset.Builder db = Dataset.builder(Shape.of(2, 2, 3));
        for (int s = 0; s < 6; s++) {
            float[] v = new float[12];
            for (int i = 0; i < v.length; i++) {
                v[i] = (s * 12 + i) % 255;
            }
            db.add(v, s % 3);
        }
        Dataset ds = db.build();
        try (InterpreterRunner a = new InterpreterRunner(model(0f, Map.of()));
             InterpreterRunner b = new InterpreterRunner(model(0.5f, Map.of(InterpreterRunner.INPUT_LAYOUT_KEY + "x",
                     "NCHW")))) {
            List<Long> seen = new ArrayList<>();
            ProgressListener p = (task, done, total) -> seen.add(done);
            VerifyResult r = Verify.dataset(a, b, ds.slice(1, 5), Verify.mappingFor(a, 1f / 255, 0f), p);
            assertEquals(4, r.samples());
            assertEquals(0.5, r.maxAbsError(), 1e-6);
            assertEquals(List.of(1L, 2L, 3L, 4L), seen);
        }
    }

    @Test
    void randomInputsCoverTheQuantizedRange() {
        QuantParams q = QuantParams.perTensor(0.5f, -28);
        Recording a = new Recording(new ModelRunner.TensorSpec("q", Shape.of(1, 1000), DataType.INT8,
                ModelRunner.Layout.ANY, q));
        Recording b = new Recording(a.inputs().get(0));
        VerifyResult r = Verify.random(a, b, 3, 11L);
        assertEquals(3, r.samples());
        float[] range = minMax(a.seen);
        float low = (-128 + 28) * 0.5f;
        float high = (127 + 28) * 0.5f;
        assertTrue(range[0] >= low && range[0] < low + 1, "min " + range[0]);
        assertTrue(range[1] <= high && range[1] > high - 1, "max " + range[1]);
        // b received the same values (same shape: no transposition)
        assertArrayEquals(a.seen.get(2), b.seen.get(2));
        assertThrows(IllegalArgumentException.class, () -> Verify.random(a, b, 0, 1L));
    }

    /** A quantized model against a float one: the quantized input's range, whichever is named first. */
    @Test
    void randomInputsComeFromTheRangeBothAcceptInEitherOrder() {
        ModelRunner.TensorSpec int8 = new ModelRunner.TensorSpec("q", Shape.of(1, 500), DataType.INT8,
                ModelRunner.Layout.ANY, QuantParams.perTensor(0.25f, 10));
        ModelRunner.TensorSpec float32 = new ModelRunner.TensorSpec("f", Shape.of(1, 500), DataType.FLOAT32,
                ModelRunner.Layout.ANY, null);
        Recording q1 = new Recording(int8);
        Recording f1 = new Recording(float32);
        Verify.random(q1, f1, 2, 5L);
        Recording q2 = new Recording(int8);
        Recording f2 = new Recording(float32);
        Verify.random(f2, q2, 2, 5L);
        assertArrayEquals(q1.seen.get(1), q2.seen.get(1), "the same inputs in either order");
        assertEquals(List.of(new Verify.Range(-138 * 0.25f, 117 * 0.25f)), Verify.randomRanges(f2, q2));
        float[] range = minMax(f2.seen);
        assertTrue(range[0] >= -34.5f && range[0] < -33.5f && range[1] <= 29.25f && range[1] > 28.25f,
                range[0] + " " + range[1]);
        // two float models: [0, 1)
        assertEquals(List.of(new Verify.Range(0f, 1f)), Verify.randomRanges(f1, f2));
        // two quantized inputs that share no real value
        Recording far = new Recording(new ModelRunner.TensorSpec("u", Shape.of(1, 500), DataType.UINT8,
                ModelRunner.Layout.ANY, QuantParams.perTensor(0.1f, -500)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Verify.random(q1, far, 1, 1L));
        assertTrue(e.getMessage().startsWith("expected input 0 ranges that overlap"), e.getMessage());
    }

    private static float[] minMax(List<float[]> seen) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[] in : seen) {
            for (float v : in) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new float[] {min, max};
    }

    /** Echoes its input, recording it. */
    private static final class Recording implements ModelRunner {
        final TensorSpec spec;
        final List<float[]> seen = new ArrayList<>();

        Recording(TensorSpec spec) {
            this.spec = spec;
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(spec);
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("y", spec.shape(), DataType.FLOAT32, Layout.ANY, null));
        }

        @Override
        public float[][] run(float[]... inputs) {
            ModelRunner.checkInputs(inputs(), inputs);
            seen.add(inputs[0].clone());
            return new float[][] {inputs[0].clone()};
        }

        @Override
        public void close() {
        }
    }
}
