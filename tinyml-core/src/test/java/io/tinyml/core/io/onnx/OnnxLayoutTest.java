package io.tinyml.core.io.onnx;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Layout conversion at the reader, on graphs built in code and checked against ONNX Runtime: channel
 * axes of Concat, Softmax, ReduceMean, Pad, Transpose permutations, Squeeze/Unsqueeze and the CHW to
 * HWC column permutation of a fully-connected layer after a flatten; Div, HardSigmoid, PRelu and
 * attribute Clip; graph inputs bound to constants.
 */
class OnnxLayoutTest {
    private static final Random RND = new Random(3);

    static OnnxProtoWriter floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        OnnxProtoWriter t = new OnnxProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, OnnxProto.FLOAT).string(8, name).bytes(9, b.array());
    }

    static OnnxProtoWriter longs(String name, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return new OnnxProtoWriter().varint(1, v.length).varint(2, OnnxProto.INT64).string(8, name).bytes(9, b.array());
    }

    static float[] random(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) RND.nextGaussian();
        }
        return v;
    }

    static OnnxProtoWriter ints(String name, long... v) {
        OnnxProtoWriter a = new OnnxProtoWriter().string(1, name);
        for (long x : v) {
            a.varint(8, x);
        }
        return a.varint(20, OnnxProto.A_INTS);
    }

    static OnnxProtoWriter intAttr(String name, long v) {
        return new OnnxProtoWriter().string(1, name).varint(3, v).varint(20, OnnxProto.A_INT);
    }

    /** Runs ours and ORT on the same random input; returns the worst error. */
    static double compare(byte[] onnx, String input, int... nchw) throws Exception {
        Model m = OnnxReader.read(onnx, "layout");
        Tensor x = Tensor.ofFloats(input, Shape.of(nchw), random(Shape.of(nchw).elementCount()));
        List<Tensor> ours = OnnxCases.run(m, Map.of(input, x));
        List<Tensor> ort;
        try (Ort o = new Ort(onnx)) {
            ort = o.run(Map.of(input, x));
        }
        double worst = 0;
        for (int i = 0; i < ours.size(); i++) {
            assertEquals(ort.get(i).shape().elementCount(), ours.get(i).shape().elementCount());
            String d = OnnxCases.compare(ort.get(i), ours.get(i), 1e-5);
            assertNull(d, "output " + i + ": " + d);
            float[] a = ort.get(i).floats();
            float[] b = ours.get(i).floats();
            for (int k = 0; k < a.length; k++) {
                worst = Math.max(worst, Math.abs(a[k] - b[k]));
            }
        }
        return worst;
    }

    @Test
    void channelAxesPermutationsAndFlattenOrderMatchOnnxRuntime() throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 1, 3, 6, 5));
        r.inits.add(floats("w", random(6 * 3 * 3 * 3), 6, 3, 3, 3));
        r.inits.add(floats("b", random(6), 6));
        r.node("Conv", "conv", List.of("x", "w", "b"), List.of("c"), ints("pads", 1, 0, 1, 2), ints("strides", 1, 2));
        // c: [1, 6, 6, 3]
        r.node("Transpose", "tr", List.of("c"), List.of("t"), ints("perm", 0, 1, 3, 2)); // [1, 6, 3, 6]
        r.node("Concat", "cat", List.of("t", "t"), List.of("k"), intAttr("axis", 1)); // [1, 12, 3, 6]
        r.node("Softmax", "sm", List.of("k"), List.of("s"), intAttr("axis", 1));
        r.inits.add(longs("pads", 0, 1, 0, 2, 0, 0, 1, 0));
        r.node("Pad", "pad", List.of("s", "pads"), List.of("p")); // [1, 13, 4, 8]
        r.node("ReduceMean", "mean", List.of("p"), List.of("m"), ints("axes", 2), intAttr("keepdims", 0)); // [1, 13, 8]
        r.inits.add(longs("ax", 2));
        r.node("Unsqueeze", "unsq", List.of("m", "ax"), List.of("u")); // [1, 13, 1, 8]
        r.node("Relu", "relu", List.of("u"), List.of("v"));
        r.node("Flatten", "flat", List.of("v"), List.of("f")); // [1, 104]
        r.inits.add(floats("fw", random(104 * 7), 104, 7));
        r.node("MatMul", "mm", List.of("f", "fw"), List.of("y0"));
        r.inits.add(floats("fb", random(7), 7));
        r.node("Add", "bias", List.of("y0", "fb"), List.of("y"));
        r.outputs.add(OnnxCraftedTest.Raw.value("y", 1, 7));
        r.outputs.add(OnnxCraftedTest.Raw.value("p", 1, 13, 4, 8));
        double worst = compare(r.build(), "x", 1, 3, 6, 5);
        System.out.printf("layout graph (Conv, Transpose, Concat, Softmax axis 1, Pad, ReduceMean, Unsqueeze,"
                + " Flatten, MatMul + Add) vs ONNX Runtime: worst error %.2e%n", worst);
    }

    @Test
    void flattenBeforeGemmPermutesWeightColumnsInsteadOfTransposing() throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 1, 4, 3, 5));
        r.node("Relu", "relu", List.of("x"), List.of("a"));
        r.node("Flatten", "flat", List.of("a"), List.of("f"));
        r.inits.add(floats("w", random(6 * 60), 6, 60));
        r.inits.add(floats("c", random(6), 6));
        r.node("Gemm", "fc", List.of("f", "w", "c"), List.of("y"), intAttr("transB", 1),
                new OnnxProtoWriter().string(1, "alpha").float32(2, 0.5f).varint(20, OnnxProto.A_FLOAT));
        r.outputs.add(OnnxCraftedTest.Raw.value("y", 1, 6));
        byte[] onnx = r.build();
        Model m = OnnxReader.read(onnx, "flatten");
        assertTrue(m.graph().nodes().stream().noneMatch(n -> n.op().kind() == OpKind.TRANSPOSE),
                "expected no transpose at run time, found " + m.graph().nodes());
        assertEquals(List.of(OpKind.RELU, OpKind.RESHAPE, OpKind.FULLY_CONNECTED),
                m.graph().nodes().stream().map(n -> n.op().kind()).toList());
        compare(onnx, "x", 1, 4, 3, 5);
    }

    @Test
    void softmaxOnAnInnerAxisAndOldOpsetFlattening() throws Exception {
        for (long opset : new long[] {11, 13}) {
            OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
            r.opset = opset;
            r.inputs.add(OnnxCraftedTest.Raw.value("x", 2, 3, 4, 5));
            r.node("Softmax", "sm", List.of("x"), List.of("y"), intAttr("axis", 2));
            r.outputs.add(OnnxCraftedTest.Raw.value("y", 2, 3, 4, 5));
            compare(r.build(), "x", 2, 3, 4, 5);
        }
    }

    @Test
    void divHardSigmoidPreluAndAttributeClipMatchOnnxRuntime() throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.opset = 10;
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 1, 4, 3, 3));
        r.inits.add(floats("d", new float[] {3f, -7f, 0.1f, 1e-3f}, 4, 1, 1));
        r.node("Div", "div", List.of("x", "d"), List.of("q"));
        r.node("HardSigmoid", "hs", List.of("q"), List.of("h"),
                new OnnxProtoWriter().string(1, "alpha").float32(2, 0.3f).varint(20, OnnxProto.A_FLOAT));
        r.inits.add(floats("slope", new float[] {0.1f, -0.2f, 0.3f, 2f}, 4, 1, 1));
        r.node("PRelu", "prelu", List.of("x", "slope"), List.of("p"));
        r.node("Clip", "clip", List.of("p"), List.of("c"),
                new OnnxProtoWriter().string(1, "min").float32(2, -0.5f).varint(20, OnnxProto.A_FLOAT),
                new OnnxProtoWriter().string(1, "max").float32(2, 0.75f).varint(20, OnnxProto.A_FLOAT));
        r.outputs.add(OnnxCraftedTest.Raw.value("h", 1, 4, 3, 3));
        r.outputs.add(OnnxCraftedTest.Raw.value("c", 1, 4, 3, 3));
        compare(r.build(), "x", 1, 4, 3, 3);
    }

    @Test
    void constantBindingsFreezeGraphInputs() throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("x", 2, 6));
        OnnxProtoWriter shapeInput = new OnnxProtoWriter().string(1, "shape").message(2, new OnnxProtoWriter().message(1,
                new OnnxProtoWriter().varint(1, OnnxProto.INT64).message(2, new OnnxProtoWriter()
                        .message(1, new OnnxProtoWriter().varint(1, 2)))));
        r.inputs.add(shapeInput);
        r.node("Reshape", "reshape", List.of("x", "shape"), List.of("y"));
        r.outputs.add(OnnxCraftedTest.Raw.value("y", 3, 4));
        byte[] onnx = r.build();
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class,
                () -> OnnxReader.read(onnx, "bind"));
        assertTrue(e.getMessage().contains("expected a constant 'shape' input, found activation 'shape'"), e.getMessage());
        Tensor shape = Tensor.constant("shape", io.tinyml.core.ir.DataType.INT64, Shape.of(2), le(3, 4));
        Model m = OnnxReader.read(onnx, "bind", Map.of("shape", shape));
        assertEquals(1, m.graph().inputs().size());
        assertEquals(Shape.of(3, 4), m.graph().outputTensor(0).shape());
        assertThrows(io.tinyml.core.MalformedModelException.class, () -> OnnxReader.read(onnx, "bind",
                Map.of("nope", shape)));
    }

    private static byte[] le(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }
}
