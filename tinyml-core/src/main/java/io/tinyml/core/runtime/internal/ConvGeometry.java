package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;

/**
 * Resolved geometry of a 2-D window operator (convolution, depthwise convolution, pooling) over
 * NHWC tensors: sizes, strides, dilations and the leading padding computed by TFLite's rule.
 *
 * @param batches N
 * @param inH input height
 * @param inW input width
 * @param inC input channels
 * @param kH window height
 * @param kW window width
 * @param outH output height
 * @param outW output width
 * @param outC output channels
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param dilationH vertical dilation
 * @param dilationW horizontal dilation
 * @param padH padding above
 * @param padW padding left
 */
public record ConvGeometry(int batches, int inH, int inW, int inC, int kH, int kW, int outH, int outW, int outC,
                           int strideH, int strideW, int dilationH, int dilationW, int padH, int padW) {

    /**
     * Resolves the geometry from the input and output shapes.
     *
     * @param in the input shape {@code [N,H,W,C]}
     * @param out the output shape {@code [N,OH,OW,OC]}
     * @param kH window height
     * @param kW window width
     * @param strideH vertical stride
     * @param strideW horizontal stride
     * @param dilationH vertical dilation
     * @param dilationW horizontal dilation
     * @param padding the padding rule
     * @return the geometry
     * @throws IllegalArgumentException if the shapes are not 4-D
     */
    public static ConvGeometry of(Shape in, Shape out, int kH, int kW, int strideH, int strideW, int dilationH,
                                  int dilationW, Padding padding) {
        if (in.rank() != 4 || out.rank() != 4) {
            throw new IllegalArgumentException("expected 4-D NHWC input and output, found " + in + " and " + out);
        }
        int oh = out.dim(1);
        int ow = out.dim(2);
        int ph = padding.padBefore(in.dim(1), kH, strideH, dilationH, oh);
        int pw = padding.padBefore(in.dim(2), kW, strideW, dilationW, ow);
        return new ConvGeometry(in.dim(0), in.dim(1), in.dim(2), in.dim(3), kH, kW, oh, ow, out.dim(3),
                strideH, strideW, dilationH, dilationW, ph, pw);
    }

    /**
     * Resolves the geometry of a Conv2D or DepthwiseConv2D node from its input, filter ([_, KH, KW, _])
     * and output shapes and its stride, dilation and padding.
     *
     * @param g the graph
     * @param node a CONV_2D or DEPTHWISE_CONV_2D node
     * @return the geometry
     * @throws IllegalArgumentException if the node is neither, or the shapes are not 4-D
     */
    public static ConvGeometry of(Graph g, Node node) {
        Shape w = g.tensor(node.input(1)).shape();
        Shape in = g.tensor(node.input(0)).shape();
        Shape out = g.tensor(node.output(0)).shape();
        if (node.op() instanceof Op.Conv2D c) {
            return of(in, out, w.dim(1), w.dim(2), c.strideH(), c.strideW(), c.dilationH(), c.dilationW(), c.padding());
        }
        if (node.op() instanceof Op.DepthwiseConv2D d) {
            return of(in, out, w.dim(1), w.dim(2), d.strideH(), d.strideW(), d.dilationH(), d.dilationW(), d.padding());
        }
        throw new IllegalArgumentException("expected a CONV_2D or DEPTHWISE_CONV_2D node, found " + node);
    }

    /**
     * Resolves the geometry of an AveragePool2D or MaxPool2D node (its window as the kernel, dilation 1).
     *
     * @param g the graph
     * @param node an AVERAGE_POOL_2D or MAX_POOL_2D node
     * @return the geometry
     * @throws IllegalArgumentException if the node is neither, or the shapes are not 4-D
     */
    public static ConvGeometry ofPool(Graph g, Node node) {
        Shape in = g.tensor(node.input(0)).shape();
        Shape out = g.tensor(node.output(0)).shape();
        if (node.op() instanceof Op.AveragePool2D a) {
            return of(in, out, a.filterH(), a.filterW(), a.strideH(), a.strideW(), 1, 1, a.padding());
        }
        if (node.op() instanceof Op.MaxPool2D m) {
            return of(in, out, m.filterH(), m.filterW(), m.strideH(), m.strideW(), 1, 1, m.padding());
        }
        throw new IllegalArgumentException("expected an AVERAGE_POOL_2D or MAX_POOL_2D node, found " + node);
    }
}
