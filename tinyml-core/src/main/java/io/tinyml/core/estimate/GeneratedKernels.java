package io.tinyml.core.estimate;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;
import io.tinyml.core.quant.Quant;

/**
 * Which specialised int8 kernel tinyml-codegen generates for a convolution: the generator and the
 * estimator both ask this class, so they always agree. Stateless.
 *
 * <ul>
 * <li>{@link Kind#POINTWISE}: 1x1 convolution, no padding, input channels a multiple of 4 (pw_s8.c).</li>
 * <li>{@link Kind#DEPTHWISE_3X3}: 3x3 depthwise, multiplier 1, dilation 1, channels a multiple of 4
 * (dw3_s8.c).</li>
 * <li>{@link Kind#DEPTHWISE_1X3X3}: 3x3 depthwise of a one-channel input, dilation 1 (dw1_3x3_s8.c).</li>
 * </ul>
 * Each needs {@link #boundedRequant}: their requantization (tm_rq_bounded) is exact only when every
 * output channel has a right shift of at least 1 and its largest possible accumulator,
 * {@code |bias| + 255 * sum |w|} ({@code |x + input offset| <= 255}), stays below 2^30.
 */
public final class GeneratedKernels {
    /** The specialised kernels. */
    public enum Kind {
        /** None: the general kernels. */
        GENERAL,
        /** pw_s8.c. */
        POINTWISE,
        /** dw3_s8.c. */
        DEPTHWISE_3X3,
        /** dw1_3x3_s8.c. */
        DEPTHWISE_1X3X3
    }

    private GeneratedKernels() {
    }

    /**
     * The kernel the generator picks for an int8 convolution or depthwise convolution node with constant
     * int8 weights (zero point 0), per-tensor input and output; {@link Kind#GENERAL} for anything else.
     *
     * @param g the graph
     * @param n the node
     * @return the kind, never null
     */
    public static Kind choose(Graph g, Node n) {
        OpKind k = n.op().kind();
        if (k != OpKind.CONV_2D && k != OpKind.DEPTHWISE_CONV_2D || n.inputs().size() < 2) {
            return Kind.GENERAL;
        }
        if (!int8Operands(g, n, 4)) {
            return Kind.GENERAL;
        }
        Tensor w = g.tensor(n.input(1));
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bias != Node.ABSENT && (g.tensor(bias).type() != DataType.INT32 || !g.tensor(bias).isConstant())) {
            return Kind.GENERAL;
        }
        for (long zp : w.requireQuant().zeroPoints()) {
            if (zp != 0) {
                return Kind.GENERAL;
            }
        }
        ConvGeometry geo = ConvGeometry.of(g, n);
        boolean dil1 = geo.dilationH() == 1 && geo.dilationW() == 1;
        boolean k3 = geo.kH() == 3 && geo.kW() == 3 && dil1;
        Kind kind;
        if (k == OpKind.CONV_2D) {
            kind = w.shape().dim(3) == geo.inC() && geo.kH() == 1 && geo.kW() == 1 && geo.padH() == 0
                    && geo.padW() == 0 && geo.inC() % 4 == 0 ? Kind.POINTWISE : Kind.GENERAL;
            if (kind == Kind.POINTWISE) {
                SparseWeights.Choice c = SparseWeights.choose(g, n);
                if (c != null && c.sparse()) {
                    kind = Kind.GENERAL; // the generator prefers the sparse kernel (see SparseWeights)
                }
            }
        } else if (k3 && geo.inC() == geo.outC() && geo.inC() % 4 == 0) {
            kind = Kind.DEPTHWISE_3X3;
        } else if (k3 && geo.inC() == 1) {
            kind = Kind.DEPTHWISE_1X3X3;
        } else {
            kind = Kind.GENERAL;
        }
        if (kind != Kind.GENERAL && !boundedRequant(g, n, geo.outC(), k == OpKind.DEPTHWISE_CONV_2D)) {
            return Kind.GENERAL;
        }
        return kind;
    }

    /**
     * Whether the generator runs an int8 fully-connected node with fc_s8_4x.c (4 rows x 2 accumulations
     * per __SMLAD): weights of zero point 0, input and output counts multiples of 4, not generated sparse
     * (see {@link SparseWeights}).
     *
     * @param g the graph
     * @param n the node
     * @return true for the 4-row kernel
     */
    public static boolean fourRowFullyConnected(Graph g, Node n) {
        if (n.op().kind() != OpKind.FULLY_CONNECTED || n.inputs().size() < 2) {
            return false;
        }
        if (!int8Operands(g, n, 2)) {
            return false;
        }
        Tensor w = g.tensor(n.input(1));
        QuantParams wq = w.requireQuant();
        if (wq.isPerTensor() ? wq.zeroPoint() != 0 : wq.axis() != 0 || wq.size() != w.shape().dim(0)) {
            return false;
        }
        SparseWeights.Choice c = SparseWeights.choose(g, n);
        return w.shape().dim(0) % 4 == 0 && w.shape().dim(1) % 4 == 0 && (c == null || !c.sparse());
    }

    /** int8 per-tensor input and output, constant quantized int8 weights of the given rank. */
    private static boolean int8Operands(Graph g, Node n, int weightRank) {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        return x.type() == DataType.INT8 && y.type() == DataType.INT8 && w.type() == DataType.INT8 && w.isConstant()
                && w.quant().isPresent() && Quant.perTensor(x) && Quant.perTensor(y) && w.shape().rank() == weightRank;
    }

    /**
     * Whether every output channel qualifies for tm_rq_bounded (see the class documentation).
     *
     * @param g the graph
     * @param n a convolution or depthwise convolution node
     * @param outC output channels
     * @param channelLast the filter is [.., outC] (depthwise) instead of [outC, ..]
     * @return true when the bounded requantization is exact for every channel
     */
    public static boolean boundedRequant(Graph g, Node n, int outC, boolean channelLast) {
        ConvParams q;
        try {
            q = ConvParams.of(g, n);
        } catch (UnsupportedOperatorException e) {
            return false;
        }
        for (int c = 0; c < outC; c++) {
            if (q.shifts()[c] > -1 || q.multipliers()[c] <= 0) {
                return false;
            }
        }
        byte[] w = g.tensor(n.input(1)).bytes();
        int bias = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        int[] b = bias == Node.ABSENT ? new int[outC] : g.tensor(bias).ints();
        int row = w.length / outC;
        for (int oc = 0; oc < outC; oc++) {
            long sum = Math.abs((long) b[oc]);
            for (int i = 0; i < row; i++) {
                sum += 255L * Math.abs(w[channelLast ? i * outC + oc : oc * row + i]);
            }
            if (sum >= 1L << 30) {
                return false;
            }
        }
        return true;
    }
}
