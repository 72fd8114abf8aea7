package io.tinyml.core.io.onnx;

import static io.tinyml.core.io.onnx.OnnxLayoutTest.floats;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.ints;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.intAttr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The QDQ layout ONNX Runtime's static quantizer writes (float input → QuantizeLinear →
 * DequantizeLinear → Conv with DequantizeLinear'd per-channel INT8 weights and INT32 bias →
 * QuantizeLinear → DequantizeLinear → Relu → ... → Gemm → output, a Q/DQ pair on every activation)
 * reads as QUANTIZE, int8 operators and one DEQUANTIZE, and agrees with ONNX Runtime (which runs
 * the same groups as integer kernels) within one output quantization step.
 */
class OrtQdqFusionTest {
    private static final Random RND = new Random(11);

    private static OnnxProtoWriter scalar(String name, int type, byte[] bytes) {
        return new OnnxProtoWriter().varint(2, type).string(8, name).bytes(9, bytes);
    }

    private static OnnxProtoWriter f32(String name, float v) {
        return scalar(name, OnnxProto.FLOAT, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    private static OnnxProtoWriter i8(String name, byte v) {
        return scalar(name, OnnxProto.INT8, new byte[] {v});
    }

    private static OnnxProtoWriter tensor(String name, int type, byte[] data, long... dims) {
        OnnxProtoWriter t = new OnnxProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, type).string(8, name).bytes(9, data);
    }

    /** Adds Q → DQ on an activation, as ORT's quantizer does; returns the dequantized name. */
    private static String qdq(OnnxCraftedTest.Raw r, String x, float scale, byte zp) {
        r.inits.add(f32(x + "_scale", scale));
        r.inits.add(i8(x + "_zp", zp));
        r.node("QuantizeLinear", x + "_q", List.of(x, x + "_scale", x + "_zp"), List.of(x + "_quantized"));
        r.node("DequantizeLinear", x + "_dq", List.of(x + "_quantized", x + "_scale", x + "_zp"), List.of(x + "_dequant"));
        return x + "_dequant";
    }

    static byte[] model() {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("input", 1, 2, 6, 6));
        r.outputs.add(OnnxCraftedTest.Raw.value("output", 1, 5));
        float inScale = 0.02f;
        String x = qdq(r, "input", inScale, (byte) 3);
        // conv weights: per output channel int8, symmetric
        int oc = 4;
        byte[] w = new byte[oc * 2 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (RND.nextInt(255) - 127);
        }
        float[] ws = {0.004f, 0.003f, 0.005f, 0.002f};
        ByteBuffer wsb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : ws) {
            wsb.putFloat(s);
        }
        r.inits.add(tensor("w_q", OnnxProto.INT8, w, oc, 2, 3, 3));
        r.inits.add(tensor("w_scale", OnnxProto.FLOAT, wsb.array(), oc));
        r.inits.add(tensor("w_zp", OnnxProto.INT8, new byte[oc], oc));
        r.node("DequantizeLinear", "w_dq", List.of("w_q", "w_scale", "w_zp"), List.of("w"), intAttr("axis", 0));
        ByteBuffer b = ByteBuffer.allocate(4 * oc).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bs = ByteBuffer.allocate(4 * oc).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < oc; c++) {
            b.putInt(RND.nextInt(2001) - 1000);
            bs.putFloat(inScale * ws[c]);
        }
        r.inits.add(tensor("b_q", OnnxProto.INT32, b.array(), oc));
        r.inits.add(tensor("b_scale", OnnxProto.FLOAT, bs.array(), oc));
        r.inits.add(tensor("b_zp", OnnxProto.INT32, new byte[4 * oc], oc));
        r.node("DequantizeLinear", "b_dq", List.of("b_q", "b_scale", "b_zp"), List.of("b"), intAttr("axis", 0));
        r.node("Conv", "conv", List.of(x, "w", "b"), List.of("conv_out"), ints("kernel_shape", 3, 3),
                ints("pads", 1, 1, 1, 1));
        String c = qdq(r, "conv_out", 0.05f, (byte) -10);
        r.node("Relu", "relu", List.of(c), List.of("relu_out"));
        String rl = qdq(r, "relu_out", 0.05f, (byte) -128);
        r.node("Flatten", "flatten", List.of(rl), List.of("flat"), intAttr("axis", 1));
        String f = qdq(r, "flat", 0.05f, (byte) -128);
        byte[] g = new byte[5 * 144];
        for (int i = 0; i < g.length; i++) {
            g[i] = (byte) (RND.nextInt(255) - 127);
        }
        r.inits.add(tensor("g_q", OnnxProto.INT8, g, 144, 5));
        r.inits.add(f32("g_scale", 0.001f));
        r.inits.add(i8("g_zp", (byte) 0));
        r.node("DequantizeLinear", "g_dq", List.of("g_q", "g_scale", "g_zp"), List.of("g"));
        r.node("MatMul", "fc", List.of(f, "g"), List.of("fc_out"));
        qdq(r, "fc_out", 0.08f, (byte) 2);
        r.node("Identity", "out", List.of("fc_out_dequant"), List.of("output"));
        r.opset = 13;
        return r.build();
    }

    @Test
    void ortStyleQdqBecomesInt8OperatorsAndAgreesWithOnnxRuntime() throws Exception {
        byte[] onnx = model();
        Model m = OnnxReader.read(onnx, "ort_qdq.onnx");
        List<OpKind> kinds = new ArrayList<>();
        for (Node n : m.graph().nodes()) {
            kinds.add(n.op().kind());
        }
        assertEquals(OpKind.QUANTIZE, kinds.get(0), kinds.toString());
        assertTrue(kinds.contains(OpKind.CONV_2D) && kinds.contains(OpKind.FULLY_CONNECTED), kinds.toString());
        for (Node n : m.graph().nodes()) {
            if (n.op().kind() == OpKind.CONV_2D || n.op().kind() == OpKind.FULLY_CONNECTED) {
                assertEquals(DataType.INT8, m.graph().tensor(n.input(0)).type(), kinds.toString());
                assertEquals(DataType.INT8, m.graph().tensor(n.output(0)).type(), kinds.toString());
            }
        }
        assertEquals(1, kinds.stream().filter(k -> k == OpKind.DEQUANTIZE).count(), kinds.toString());
        for (int trial = 0; trial < 5; trial++) {
            float[] v = new float[72];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) RND.nextGaussian();
            }
            Tensor in = Tensor.ofFloats("input", Shape.of(1, 2, 6, 6), v);
            float[] ours = OnnxCases.run(m, Map.of("input", in)).get(0).floats();
            float[] ort;
            try (Ort o = new Ort(onnx)) {
                ort = o.run(Map.of("input", in)).get(0).floats();
            }
            for (int i = 0; i < ours.length; i++) {
                assertTrue(Math.abs(ours[i] - ort[i]) <= 0.08f * 1.01f,
                        "trial " + trial + " output " + i + ": " + ours[i] + " vs ONNX Runtime " + ort[i]);
            }
        }
    }

    @Test
    void aGroupNoInt8KernelTakesKeepsTheGraphRunnableInFloat() throws Exception {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.inputs.add(OnnxCraftedTest.Raw.value("input", 1, 10));
        r.outputs.add(OnnxCraftedTest.Raw.value("output", 1, 10));
        String x = qdq(r, "input", 0.1f, (byte) 0);
        r.node("Softmax", "softmax", List.of(x), List.of("probs"), intAttr("axis", 1));
        qdq(r, "probs", 0.05f, (byte) 0); // TFLite's int8 softmax needs scale 1/256, zero point -128
        r.node("Identity", "out", List.of("probs_dequant"), List.of("output"));
        byte[] onnx = r.build();
        Model m = OnnxReader.read(onnx, "softmax_qdq.onnx");
        float[] v = new float[10];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) RND.nextGaussian();
        }
        Tensor in = Tensor.ofFloats("input", Shape.of(1, 10), v);
        float[] ours = OnnxCases.run(m, Map.of("input", in)).get(0).floats();
        float[] ort;
        try (Ort o = new Ort(onnx)) {
            ort = o.run(Map.of("input", in)).get(0).floats();
        }
        for (int i = 0; i < ours.length; i++) {
            assertTrue(Math.abs(ours[i] - ort[i]) <= 0.05f * 1.01f, i + ": " + ours[i] + " vs " + ort[i]);
        }
    }
}
