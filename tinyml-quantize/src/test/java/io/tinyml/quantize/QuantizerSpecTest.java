package io.tinyml.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Provenance;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.quantize.eval.LayerError;
import io.tinyml.quantize.eval.QuantEval;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The quantized graph follows the TFLite quantization specification, on a small conv → reshape →
 * fully-connected → softmax model built in code with seeded weights and data.
 */
class QuantizerSpecTest {
    static Model model() {
        Random r = new Random(3);
        GraphBuilder b = new GraphBuilder();
        int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 4, 4, 2)));
        int w = b.addTensor(Tensor.ofFloats("w", Shape.of(3, 3, 3, 2), gauss(r, 54, 0.5f)));
        int bias = b.addTensor(Tensor.ofFloats("b", Shape.of(3), gauss(r, 3, 0.1f)));
        int c = b.addTensor(Tensor.activation("conv", DataType.FLOAT32, Shape.of(1, 4, 4, 3)));
        b.addNode("conv", new Op.Conv2D(1, 1, 1, 1, Padding.SAME, Activation.RELU), List.of(x, w, bias), List.of(c));
        int flat = b.addTensor(Tensor.activation("flat", DataType.FLOAT32, Shape.of(1, 48)));
        b.addNode("flat", new Op.Reshape(), List.of(c), List.of(flat));
        int fw = b.addTensor(Tensor.ofFloats("fw", Shape.of(5, 48), gauss(r, 240, 0.2f)));
        int fb = b.addTensor(Tensor.ofFloats("fb", Shape.of(5), gauss(r, 5, 0.1f)));
        int logits = b.addTensor(Tensor.activation("logits", DataType.FLOAT32, Shape.of(1, 5)));
        b.addNode("fc", new Op.FullyConnected(Activation.NONE, false), List.of(flat, fw, fb), List.of(logits));
        int prob = b.addTensor(Tensor.activation("prob", DataType.FLOAT32, Shape.of(1, 5)));
        b.addNode("softmax", new Op.Softmax(1f), List.of(logits), List.of(prob));
        b.addOutput(prob);
        return Model.of(b.build(), Provenance.builtInCode("spec test model"));
    }

    static float[] gauss(Random r, int n, float sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * sd;
        }
        return v;
    }

    static Dataset data(int n) {
        Random r = new Random(5);
        Dataset.Builder b = Dataset.builder(Shape.of(4, 4, 2));
        for (int i = 0; i < n; i++) {
            float[] v = new float[32];
            for (int k = 0; k < v.length; k++) {
                v[k] = r.nextFloat() * 2 - 0.5f;
            }
            b.add(v, i % 5);
        }
        return b.build();
    }

    static Tensor tensor(Graph g, String name) {
        return g.tensor(g.tensorIndex(name));
    }

    @Test
    void int8FollowsTheTfliteSpecification() throws Exception {
        List<Long> progress = new ArrayList<>();
        Model q = Quantizer.of(model()).int8().perChannel().calibrate(data(64), 50)
                .listener((task, done, total) -> {
                    assertEquals("calibrate", task);
                    progress.add(done * 1000 + total);
                }).apply();
        assertEquals(50L * 1000 + 50, progress.get(progress.size() - 1));
        Graph g = q.graph();
        Tensor x = g.inputTensor(0);
        assertEquals(DataType.INT8, x.type());
        // asymmetric per-tensor input covering [-0.5, 1.5]
        QuantParams xq = x.requireQuant();
        assertTrue(xq.isPerTensor());
        assertEquals(2f / 255, xq.scale(), 0.01f / 255);
        // symmetric per-channel weights: zero point 0, values in [-127, 127], each channel reaching ±127
        Tensor w = tensor(g, "w");
        assertEquals(DataType.INT8, w.type());
        QuantParams wq = w.requireQuant();
        assertEquals(0, wq.axis());
        assertEquals(3, wq.size());
        int[] wv = w.ints();
        int[] peak = new int[3];
        for (int i = 0; i < wv.length; i++) {
            assertTrue(wv[i] >= -127 && wv[i] <= 127);
            peak[i / 18] = Math.max(peak[i / 18], Math.abs(wv[i]));
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(0, wq.zeroPoint(c));
            assertEquals(127, peak[c]);
        }
        // int32 bias with scale input_scale * weight_scale, zero point 0
        Tensor b = tensor(g, "b");
        assertEquals(DataType.INT32, b.type());
        for (int c = 0; c < 3; c++) {
            assertEquals(xq.scale() * wq.scale(c), b.requireQuant().scale(c));
            assertEquals(0, b.requireQuant().zeroPoint(c));
        }
        // a fused ReLU: the conv output's range starts at 0 (zero point -128)
        assertEquals(-128, tensor(g, "conv").requireQuant().zeroPoint());
        // reshape keeps its input's parameters; softmax output is 1/256, -128
        assertEquals(tensor(g, "conv").requireQuant(), tensor(g, "flat").requireQuant());
        assertEquals(QuantParams.perTensor(1f / 256, -128), tensor(g, "prob").requireQuant());
        // and the interpreter runs it close to float
        List<LayerError> errs = QuantEval.layerErrors(model(), q, data(64), 1f, 0f, 20);
        for (LayerError e : errs) {
            assertTrue(e.snrDb() > 20, e.toString());
        }
    }

    @Test
    void floatIoInt16PerTensorAndWeightOnlyVariants() throws Exception {
        Model fio = Quantizer.of(model()).int8().calibrate(data(32), 32).floatIO(true).apply();
        assertEquals(DataType.FLOAT32, fio.graph().inputTensor(0).type());
        assertEquals(DataType.FLOAT32, fio.graph().outputTensor(0).type());
        float[] y = Interpreter.create(fio).invokeFloat(data(1).get(0).values())[0];
        float[] ref = Interpreter.create(model()).invokeFloat(data(1).get(0).values())[0];
        for (int i = 0; i < y.length; i++) {
            assertEquals(ref[i], y[i], 0.02f);
        }

        Model i16 = Quantizer.of(model()).int16x8().calibrate(data(32), 32).apply();
        Graph g = i16.graph();
        assertEquals(DataType.INT16, g.inputTensor(0).type());
        assertEquals(0, g.inputTensor(0).requireQuant().zeroPoint());
        assertEquals(DataType.INT64, tensor(g, "b").type());
        assertEquals(DataType.INT8, tensor(g, "w").type());
        for (LayerError e : QuantEval.layerErrors(model(), i16, data(32), 1f, 0f, 20)) {
            assertTrue(e.snrDb() > 35, e.toString()); // bounded by the int8 weights
        }

        Model pt = Quantizer.of(model()).int8().perTensor().calibrate(data(32), 32).apply();
        assertTrue(tensor(pt.graph(), "w").requireQuant().isPerTensor());

        Model half = Quantizer.of(model()).fp16().apply();
        assertEquals(DataType.FLOAT16, tensor(half.graph(), "w/fp16").type());
        Model dyn = Quantizer.of(model()).dynamicRange().apply();
        assertEquals(DataType.INT8, tensor(dyn.graph(), "w/int8").type());
        float[] yd = Interpreter.create(dyn).invokeFloat(data(1).get(0).values())[0];
        for (int i = 0; i < yd.length; i++) {
            assertEquals(ref[i], yd[i], 0.02f);
        }
        long dequantizers = dyn.graph().nodes().stream().filter(n -> n.op() instanceof Op.Dequantize).count();
        assertEquals(2, dequantizers);
    }

    @Test
    void misuseIsReportedAsExpectedFound() throws Exception {
        Model q = Quantizer.of(model()).int8().calibrate(data(8), 8).apply();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantizer.of(q));
        assertTrue(e.getMessage().startsWith("expected a float model (FLOAT32 input), found input 'x' of type INT8"),
                e.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.of(model()).int8().calibrate(data(8), 0));
        assertEquals("expected at least 1 calibration sample, found 0", s.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CalibrationMethod.parse("kl"));
    }

    @Test
    void everyMethodGivesARangeInsideMinMax() throws Exception {
        for (CalibrationMethod m : CalibrationMethod.values()) {
            Model q = Quantizer.of(model()).int8().calibrate(data(64), 64).method(m).apply();
            float s = tensor(q.graph(), "logits").requireQuant().scale();
            float sMinMax = tensor(Quantizer.of(model()).int8().calibrate(data(64), 64).apply().graph(), "logits")
                    .requireQuant().scale();
            assertTrue(s > 0 && s <= sMinMax * 1.0001f, m + " scale " + s + " vs minmax " + sMinMax);
            assertTrue(Node.ABSENT < 0);
        }
    }
}
