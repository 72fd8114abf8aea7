package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;

/**
 * Prepared parameters of a QUANTIZE node between two per-tensor quantized integer tensors (TFLite's
 * {@code Requantize}): {@code clamp(MultiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift)
 * + outputZeroPoint, min, max)} with the multiplier of {@code s_in / s_out} derived in double.
 *
 * @param inputZeroPoint the input zero point
 * @param outputZeroPoint the output zero point
 * @param multiplier the Q31 multiplier
 * @param shift its shift (positive = left)
 * @param min the smallest output value: the output type's, raised to the node's narrowed minimum
 * @param max the largest output value: the output type's, lowered to the node's narrowed maximum
 */
public record RequantizeParams(int inputZeroPoint, int outputZeroPoint, int multiplier, int shift, int min, int max) {

    /**
     * Prepares the parameters of a QUANTIZE node from an integer tensor to another.
     *
     * @param g the graph
     * @param node a QUANTIZE node
     * @return the parameters
     * @throws UnsupportedOperatorException if the input or output is not per-tensor quantized
     * @throws IllegalArgumentException if the node is not a QUANTIZE
     */
    public static RequantizeParams of(Graph g, Node node) throws UnsupportedOperatorException {
        if (!(node.op() instanceof Op.Quantize op)) {
            throw new IllegalArgumentException("expected a QUANTIZE node, found " + node);
        }
        Quant.requirePerTensorInOut(g, node);
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        long packed = FixedPoint.quantizeMultiplier((double) in.requireQuant().scale()
                / (double) out.requireQuant().scale());
        return new RequantizeParams(in.requireQuant().zeroPoint(), out.requireQuant().zeroPoint(),
                FixedPoint.multiplier(packed), FixedPoint.shift(packed), Math.max(Quant.qmin(out.type()), op.min()),
                Math.min(Quant.qmax(out.type()), op.max()));
    }
}
