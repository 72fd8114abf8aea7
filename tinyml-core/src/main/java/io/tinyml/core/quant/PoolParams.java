package io.tinyml.core.quant;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;

/**
 * Prepared parameters of an integer AVERAGE_POOL_2D or MAX_POOL_2D (TFLite's reference pooling.h): the
 * window geometry and the clamp of the fused activation. The input and output share their per-tensor
 * quantization, so values are pooled without requantization.
 *
 * @param geometry the window geometry
 * @param activationMin the lower clamp of the fused activation
 * @param activationMax the upper clamp of the fused activation
 */
public record PoolParams(ConvGeometry geometry, int activationMin, int activationMax) {

    /**
     * Prepares the parameters of an integer pooling node.
     *
     * @param g the graph
     * @param node an AVERAGE_POOL_2D or MAX_POOL_2D node
     * @return the parameters
     * @throws UnsupportedOperatorException if the input is not per-tensor quantized, the output is quantized
     *     differently, or the fused activation has no quantized form
     * @throws IllegalArgumentException if the node is of another operator, or the shapes are not 4-D
     */
    public static PoolParams of(Graph g, Node node) throws UnsupportedOperatorException {
        ConvGeometry geo = ConvGeometry.of(g, node);
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        if (!Quant.perTensor(in) || !in.quant().equals(out.quant())) {
            throw Quant.unsupported(node, in.type() + " input and output with different quantization");
        }
        int[] range = Quant.activationRange(node.op().activation(), out, node);
        return new PoolParams(geo, range[0], range[1]);
    }
}
