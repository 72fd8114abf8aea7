package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

/**
 * Prepared integer parameters of a binary element-wise ADD, SUB or MUL over per-tensor quantized INT8
 * or INT16 tensors, as TFLite Micro prepares them.
 *
 * <p>ADD and SUB (reference add.h / sub.h): each input, offset and shifted left by {@code leftShift}
 * (20 for INT8, 15 for INT16), is scaled by its own multiplier {@code s_i / (2 max(s1, s2))}, the two
 * are added or subtracted and the result scaled by {@code 2 max(s1, s2) / (2^leftShift s_out)}. ADD
 * derives these real multipliers in double (add_common.cc), SUB in float and then widens them
 * (sub_common.cc), which can change a last bit. MUL (integer_ops/mul.h): the product of the offset
 * inputs is scaled by one multiplier {@code s1 s2 / s_out} derived in double; its {@code leftShift}
 * and input multipliers are 0.
 *
 * @param kind ADD, SUB or MUL
 * @param leftShift the left shift of the offset inputs (ADD and SUB)
 * @param input1Offset minus the first input's zero point
 * @param input2Offset minus the second input's zero point
 * @param outputOffset the output zero point
 * @param input1Multiplier the first input's Q31 multiplier (ADD and SUB)
 * @param input1Shift its shift (positive = left)
 * @param input2Multiplier the second input's Q31 multiplier (ADD and SUB)
 * @param input2Shift its shift
 * @param outputMultiplier the output's Q31 multiplier
 * @param outputShift its shift
 * @param activationMin the lower clamp of the fused activation
 * @param activationMax the upper clamp of the fused activation
 */
public record ElementwiseParams(OpKind kind, int leftShift, int input1Offset, int input2Offset, int outputOffset,
                                int input1Multiplier, int input1Shift, int input2Multiplier, int input2Shift,
                                int outputMultiplier, int outputShift, int activationMin, int activationMax) {

    /**
     * Prepares the parameters of an ADD, SUB or MUL node.
     *
     * @param g the graph
     * @param node the node
     * @return the parameters
     * @throws UnsupportedOperatorException if the inputs and output are not all per-tensor INT8 or all
     *     per-tensor INT16, or the fused activation has no quantized form
     * @throws IllegalArgumentException if the node is not ADD, SUB or MUL
     */
    public static ElementwiseParams of(Graph g, Node node) throws UnsupportedOperatorException {
        OpKind kind = node.op().kind();
        if (kind != OpKind.ADD && kind != OpKind.SUB && kind != OpKind.MUL) {
            throw new IllegalArgumentException("expected an ADD, SUB or MUL node, found " + node);
        }
        Tensor a = g.tensor(node.input(0));
        Tensor b = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        if ((a.type() != DataType.INT8 && a.type() != DataType.INT16) || b.type() != a.type()
                || out.type() != a.type() || !Quant.perTensor(a) || !Quant.perTensor(b) || !Quant.perTensor(out)) {
            throw Quant.unsupported(node, a.type() + " and " + b.type() + " inputs");
        }
        float s1 = a.requireQuant().scale();
        float s2 = b.requireQuant().scale();
        float so = out.requireQuant().scale();
        int[] range = Quant.activationRange(node.op().activation(), out, node);
        int off1 = -a.requireQuant().zeroPoint();
        int off2 = -b.requireQuant().zeroPoint();
        int offO = out.requireQuant().zeroPoint();
        if (kind == OpKind.MUL) {
            long m = FixedPoint.quantizeMultiplier((double) s1 * (double) s2 / (double) so);
            return new ElementwiseParams(kind, 0, off1, off2, offO, 0, 0, 0, 0, FixedPoint.multiplier(m),
                    FixedPoint.shift(m), range[0], range[1]);
        }
        int leftShift = a.type() == DataType.INT8 ? 20 : 15;
        long m1;
        long m2;
        long mo;
        if (kind == OpKind.SUB) {
            // TFLM's sub_common.cc derives the real multipliers in float, then widens them
            float twiceMax = 2 * Math.max(s1, s2);
            m1 = FixedPoint.quantizeMultiplier((double) (s1 / twiceMax));
            m2 = FixedPoint.quantizeMultiplier((double) (s2 / twiceMax));
            mo = FixedPoint.quantizeMultiplier((double) (twiceMax / ((1 << leftShift) * so)));
        } else {
            // TFLM's add_common.cc derives them in double
            double twiceMax = 2 * (double) Math.max(s1, s2);
            m1 = FixedPoint.quantizeMultiplier(s1 / twiceMax);
            m2 = FixedPoint.quantizeMultiplier(s2 / twiceMax);
            mo = FixedPoint.quantizeMultiplier(twiceMax / ((1 << leftShift) * (double) so));
        }
        return new ElementwiseParams(kind, leftShift, off1, off2, offO, FixedPoint.multiplier(m1), FixedPoint.shift(m1),
                FixedPoint.multiplier(m2), FixedPoint.shift(m2), FixedPoint.multiplier(mo), FixedPoint.shift(mo),
                range[0], range[1]);
    }
}
