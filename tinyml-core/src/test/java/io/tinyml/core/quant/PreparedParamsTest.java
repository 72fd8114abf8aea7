package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prepared parameters against values derived by hand from TFLite's definitions: a real multiplier
 * {@code r = q * 2^(shift - 31)} with {@code q} in [2^30, 2^31) ({@code QuantizeMultiplier}), offsets as minus
 * the input zero points, clamps from {@code CalculateActivationRangeQuantized}; the softmax table against
 * {@link Math#exp}. Bit-exactness of the kernels that consume them is shown by the TFLM recordings, the ONNX
 * node tests and the generated-C tests.
 */
class PreparedParamsTest {
    private static final int HALF = 1 << 30; // q of a real multiplier that is a power of two

    private static Tensor act(String name, DataType t, Shape s, float scale, int zp) {
        return Tensor.activation(name, t, s).withQuant(QuantParams.perTensor(scale, zp));
    }

    /** A graph of one node over the given tensors (constants stay constants), and that node. */
    private static Graph graph(Op op, Tensor out, Tensor... inputs) {
        GraphBuilder b = new GraphBuilder();
        int[] in = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i].isConstant() ? b.addTensor(inputs[i]) : b.addInput(inputs[i]);
        }
        int y = b.addTensor(out);
        b.addNode("node", op, java.util.Arrays.stream(in).boxed().toList(), List.of(y));
        b.addOutput(y);
        return b.build();
    }

    private static Node node(Graph g) {
        return g.nodes().get(0);
    }

    @Test
    void fullyConnectedPerTensorRepeatsOneMultiplierAndKeepsTheFilterOffset() throws Exception {
        Tensor w = Tensor.ofInt8("w", Shape.of(3, 2), new byte[6]).withQuant(QuantParams.perTensor(0.25f, -2));
        Graph g = graph(new Op.FullyConnected(Activation.RELU6, false),
                act("y", DataType.INT8, Shape.of(1, 3), 0.125f, -1), act("x", DataType.INT8, Shape.of(1, 2), 0.5f, 3), w);
        ConvParams p = ConvParams.of(g, node(g));
        // 0.5 * 0.25 / 0.125 = 1 = 2^30 * 2^(1 - 31)
        assertArrayEquals(new int[] {HALF, HALF, HALF}, p.multipliers());
        assertArrayEquals(new int[] {1, 1, 1}, p.shifts());
        assertEquals(-3, p.inputOffset());
        assertEquals(2, p.filterOffset());
        assertEquals(-1, p.outputOffset());
        // RELU6 on scale 1/8, zero point -1: [-1 + 0, -1 + 48]
        assertEquals(-1, p.activationMin());
        assertEquals(47, p.activationMax());
        assertFalse(p.perChannel());
    }

    @Test
    void convolutionPerChannelMultipliers() throws Exception {
        float[] scales = {0.75f, 0x1p-10f, 3f};
        Tensor w = Tensor.ofInt8("w", Shape.of(3, 1, 1, 2), new byte[6])
                .withQuant(QuantParams.perAxis(scales, new long[3], 0));
        Graph g = graph(new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE),
                act("y", DataType.INT8, Shape.of(1, 2, 2, 3), 1f, 0), act("x", DataType.INT8, Shape.of(1, 2, 2, 2), 1f, 0), w);
        ConvParams p = ConvParams.of(g, node(g));
        // 0.75 = 0.75 * 2^0; 2^-10 = 0.5 * 2^-9; 3 = 0.75 * 2^2
        assertArrayEquals(new int[] {3 << 29, HALF, 3 << 29}, p.multipliers());
        assertArrayEquals(new int[] {0, -9, 2}, p.shifts());
        assertEquals(0, p.filterOffset());
        assertEquals(-128, p.activationMin());
        assertEquals(127, p.activationMax());
        assertTrue(p.perChannel());
    }

    @Test
    void convolutionRefusesAsymmetricFiltersAndTheWrongAxis() {
        Tensor w = Tensor.ofInt8("w", Shape.of(2, 1, 1, 2), new byte[4]).withQuant(QuantParams.perTensor(0.1f, 1));
        Graph g = graph(new Op.Conv2D(1, 1, 1, 1, Padding.VALID, Activation.NONE),
                act("y", DataType.INT8, Shape.of(1, 2, 2, 2), 1f, 0), act("x", DataType.INT8, Shape.of(1, 2, 2, 2), 1f, 0), w);
        UnsupportedOperatorException e = assertThrows(UnsupportedOperatorException.class, () -> ConvParams.of(g, node(g)));
        assertTrue(e.getMessage().contains("non-zero zero point 1"), e.getMessage());

        Tensor dw = Tensor.ofInt8("w", Shape.of(1, 1, 1, 2), new byte[2])
                .withQuant(QuantParams.perAxis(new float[] {0.1f}, new long[1], 0));
        Graph h = graph(new Op.DepthwiseConv2D(1, 1, 1, 1, Padding.VALID, 1, Activation.NONE),
                act("y", DataType.INT8, Shape.of(1, 2, 2, 2), 1f, 0), act("x", DataType.INT8, Shape.of(1, 2, 2, 2), 1f, 0), dw);
        e = assertThrows(UnsupportedOperatorException.class, () -> ConvParams.of(h, node(h)));
        assertTrue(e.getMessage().contains("axis 0"), e.getMessage());
    }

    @Test
    void addAndMulMultipliers() throws Exception {
        Shape s = Shape.of(4);
        Graph add = graph(new Op.Add(Activation.NONE), act("y", DataType.INT8, s, 1f, 5), act("a", DataType.INT8, s, 1f, 2),
                act("b", DataType.INT8, s, 1f, -3));
        ElementwiseParams p = ElementwiseParams.of(add, node(add));
        // inputs 1 / (2 * 1) = 0.5 * 2^0; output 2 / (2^20 * 1) = 0.5 * 2^-18
        assertEquals(20, p.leftShift());
        assertEquals(HALF, p.input1Multiplier());
        assertEquals(0, p.input1Shift());
        assertEquals(HALF, p.input2Multiplier());
        assertEquals(0, p.input2Shift());
        assertEquals(HALF, p.outputMultiplier());
        assertEquals(-18, p.outputShift());
        assertEquals(-2, p.input1Offset());
        assertEquals(3, p.input2Offset());
        assertEquals(5, p.outputOffset());

        Graph add16 = graph(new Op.Add(Activation.NONE), act("y", DataType.INT16, s, 1f, 0),
                act("a", DataType.INT16, s, 1f, 0), act("b", DataType.INT16, s, 1f, 0));
        ElementwiseParams p16 = ElementwiseParams.of(add16, node(add16));
        assertEquals(15, p16.leftShift());
        assertEquals(-13, p16.outputShift()); // 2 / 2^15 = 0.5 * 2^-13

        Graph mul = graph(new Op.Mul(Activation.NONE), act("y", DataType.INT8, s, 0.125f, 0),
                act("a", DataType.INT8, s, 0.5f, 0), act("b", DataType.INT8, s, 0.25f, 0));
        ElementwiseParams m = ElementwiseParams.of(mul, node(mul));
        assertEquals(HALF, m.outputMultiplier()); // 0.5 * 0.25 / 0.125 = 1 = 0.5 * 2^1
        assertEquals(1, m.outputShift());

        Tensor perAxis = Tensor.activation("b", DataType.INT8, s)
                .withQuant(QuantParams.perAxis(new float[] {1f, 1f, 1f, 1f}, new long[4], 0));
        Graph mixed = graph(new Op.Add(Activation.NONE), act("y", DataType.INT8, s, 1f, 0),
                act("a", DataType.INT8, s, 1f, 0), perAxis);
        assertThrows(UnsupportedOperatorException.class, () -> ElementwiseParams.of(mixed, node(mixed)));
    }

    @Test
    void meanFoldsTheCountIntoTheMultiplier() throws Exception {
        Graph g = graph(new Op.Mean(List.of(1, 2), false), act("y", DataType.INT8, Shape.of(1, 3), 1f, 0),
                act("x", DataType.INT8, Shape.of(1, 2, 2, 3), 1f, 0));
        MeanParams p = MeanParams.of(g, node(g));
        // 1 = 2^30 * 2^(1 - 31); / 4: q shifted up by 2 and divided by 4, shift 1 - 2
        assertEquals(4, p.count());
        assertTrue(p.sameQuantization());
        assertEquals(HALF, p.multiplier());
        assertEquals(-1, p.shift());
    }

    @Test
    void requantizeMultiplier() throws Exception {
        Graph g = graph(new Op.Quantize(), act("y", DataType.INT8, Shape.of(4), 0.25f, -3),
                act("x", DataType.INT8, Shape.of(4), 0.5f, 1));
        RequantizeParams p = RequantizeParams.of(g, node(g));
        assertEquals(HALF, p.multiplier()); // 0.5 / 0.25 = 2 = 0.5 * 2^2
        assertEquals(2, p.shift());
        assertEquals(1, p.inputZeroPoint());
        assertEquals(-3, p.outputZeroPoint());
        assertEquals(-128, p.min());
        assertEquals(127, p.max());
    }

    @Test
    void poolGeometryAndSharedQuantization() throws Exception {
        Op pool = new Op.AveragePool2D(2, 2, 2, 2, Padding.SAME, Activation.RELU);
        Graph g = graph(pool, act("y", DataType.INT8, Shape.of(1, 3, 3, 1), 0.1f, -10),
                act("x", DataType.INT8, Shape.of(1, 5, 5, 1), 0.1f, -10));
        PoolParams p = PoolParams.of(g, node(g));
        assertEquals(new ConvGeometry(1, 5, 5, 1, 2, 2, 3, 3, 1, 2, 2, 1, 1, 0, 0), p.geometry());
        assertEquals(-10, p.activationMin());
        assertEquals(127, p.activationMax());
        Graph h = graph(pool, act("y", DataType.INT8, Shape.of(1, 3, 3, 1), 0.2f, -10),
                act("x", DataType.INT8, Shape.of(1, 5, 5, 1), 0.1f, -10));
        assertThrows(UnsupportedOperatorException.class, () -> PoolParams.of(h, node(h)));
    }

    @Test
    void softmaxTableFollowsExp() {
        float scale = 0.0625f;
        float beta = 1f;
        SoftmaxParams p = SoftmaxParams.of(scale, beta);
        assertTrue(p.diffMin() < 0);
        assertEquals(Integer.MAX_VALUE, p.expOfDiff()[0]); // exp(0) is exactly one in Q0.31
        for (int d = 1; d < 256; d++) {
            if (-d >= p.diffMin()) {
                double expected = Math.exp(-d * beta * scale) * 0x1p31;
                assertEquals(expected, p.expOfDiff()[d], expected * 1e-6 + 2, "difference -" + d);
            } else {
                assertEquals(0, p.expOfDiff()[d]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SoftmaxParams.of(0x1p-27f, 1f));
    }
}
