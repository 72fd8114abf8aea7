package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

/**
 * Prepared integer parameters of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED node with INT8 weights,
 * as TFLite's {@code PopulateConvolutionQuantizationParams} prepares them: the input, filter and output
 * offsets, one requantization multiplier and shift per output channel
 * ({@code input_scale * filter_scale[c] / output_scale} in double from the float32 scales; a per-tensor
 * filter repeats its one value in every channel) and the clamp of the fused activation. The accumulator of
 * output channel {@code c} becomes {@code clamp(MultiplyByQuantizedMultiplier(acc, multipliers[c],
 * shifts[c]) + outputOffset, activationMin, activationMax)}.
 *
 * <p>The arrays are shared, not copied: callers must not modify them.
 *
 * @param inputOffset minus the input zero point
 * @param filterOffset minus the filter zero point of a per-tensor FULLY_CONNECTED filter; 0 otherwise
 *     (convolution filters must be symmetric)
 * @param outputOffset the output zero point
 * @param multipliers the Q31 multiplier of each output channel
 * @param shifts the shift of each output channel (positive = left)
 * @param activationMin the lower clamp of the fused activation
 * @param activationMax the upper clamp of the fused activation
 * @param perChannel whether the filter is quantized per output channel (otherwise all channels share
 *     the values at index 0)
 */
public record ConvParams(int inputOffset, int filterOffset, int outputOffset, int[] multipliers, int[] shifts,
                         int activationMin, int activationMax, boolean perChannel) {

    /**
     * Prepares the parameters of a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED node. The output channels
     * are the last output dimension of a convolution and the first filter dimension of a fully-connected
     * layer; per-channel filters must be quantized along axis 0 (3 for a depthwise filter).
     *
     * @param g the graph
     * @param node the node
     * @return the parameters
     * @throws UnsupportedOperatorException if the weights are not quantized INT8, the input or output is not
     *     per-tensor quantized, the filter is quantized along another axis, a convolution filter has a
     *     non-zero zero point, an INT16 input has a non-zero zero point, or the fused activation has no
     *     quantized form
     * @throws IllegalArgumentException if the node is of another operator
     */
    public static ConvParams of(Graph g, Node node) throws UnsupportedOperatorException {
        OpKind kind = node.op().kind();
        if (kind != OpKind.CONV_2D && kind != OpKind.DEPTHWISE_CONV_2D && kind != OpKind.FULLY_CONNECTED) {
            throw new IllegalArgumentException("expected a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED node, found "
                    + node);
        }
        Tensor in = g.tensor(node.input(0));
        Tensor w = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        boolean fc = kind == OpKind.FULLY_CONNECTED;
        int channels = fc ? w.shape().dim(0) : out.shape().dim(out.shape().rank() - 1);
        int filterAxis = kind == OpKind.DEPTHWISE_CONV_2D ? 3 : 0;
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !Quant.perTensor(in) || !Quant.perTensor(out)) {
            throw Quant.unsupported(node, in.type() + " input, " + w.type() + " weights "
                    + w.quant().map(Object::toString).orElse("without quantization"));
        }
        QuantParams wq = w.requireQuant();
        if (!wq.isPerTensor() && (wq.axis() != filterAxis || wq.size() != channels)) {
            throw Quant.unsupported(node, "weights quantized on axis " + wq.axis() + " (expected per-tensor or axis "
                    + filterAxis + ")");
        }
        if (!fc) {
            for (long zp : wq.zeroPoints()) {
                if (zp != 0) {
                    throw Quant.unsupported(node, "weights with non-zero zero point " + zp
                            + " (expected symmetric int8 weights)");
                }
            }
        }
        long[] packed = Quant.channelMultipliers(in.requireQuant().scale(), wq, out.requireQuant().scale(), channels);
        int[] m = new int[channels];
        int[] s = new int[channels];
        for (int c = 0; c < channels; c++) {
            m[c] = FixedPoint.multiplier(packed[c]);
            s[c] = FixedPoint.shift(packed[c]);
        }
        int[] range = Quant.activationRange(node.op().activation(), out, node);
        if (in.type() == DataType.INT16 && in.requireQuant().zeroPoint() != 0) {
            throw Quant.unsupported(node, "INT16 input with non-zero zero point");
        }
        int filterOffset = fc && wq.isPerTensor() ? -wq.zeroPoint() : 0;
        return new ConvParams(-in.requireQuant().zeroPoint(), filterOffset, out.requireQuant().zeroPoint(), m, s,
                range[0], range[1], !wq.isPerTensor());
    }
}
