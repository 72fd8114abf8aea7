package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.Quant;

/**
 * Kernels for integer tensors that carry no quantization parameters: plain integer arithmetic as
 * ONNX defines it for Add, Sub and Mul (results wrap in the element type), clamping for Relu, Relu6
 * and Clip, and max pooling. Values are widened to {@code long} once per run (signed, or unsigned
 * for UINT8), computed in tight loops and narrowed back; the type is resolved at preparation.
 */
final class PlainIntegerKernels {
    private PlainIntegerKernels() {
    }

    /**
     * Tells whether a node works on plain integers: every input and output is an integer type
     * without quantization parameters.
     */
    static boolean applies(Graph g, Node node) {
        for (int i : node.inputs()) {
            if (i != Node.ABSENT && !plain(g.tensor(i))) {
                return false;
            }
        }
        for (int o : node.outputs()) {
            if (!plain(g.tensor(o))) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain(Tensor t) {
        return t.quant().isEmpty() && switch (t.type()) {
            case INT8, UINT8, INT16, INT32, INT64 -> true;
            default -> false;
        };
    }

    static Kernel create(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        return switch (node.op().kind()) {
            case ADD, SUB, MUL -> binary(g, node, arrays);
            case RELU, RELU6, CLIP -> clamp(g, node, arrays);
            case MAX_POOL_2D -> maxPool(g, node, arrays);
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MEAN, RESHAPE, CONCATENATION, PAD,
                    SOFTMAX, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE, DEQUANTIZE, TRANSPOSE,
                    BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    throw Quant.unsupported(node, "plain (unquantized) " + g.tensor(node.input(0)).type() + " input");
        };
    }

    private static Kernel binary(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        if (node.op().activation() != Activation.NONE) {
            throw Quant.unsupported(node, "a fused activation on plain integers");
        }
        Tensor a = g.tensor(node.input(0));
        Tensor b = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        int[] ma = Broadcast.indexMap(a.shape(), out.shape());
        int[] mb = Broadcast.indexMap(b.shape(), out.shape());
        Object xa = arrays[node.input(0)];
        Object xb = arrays[node.input(1)];
        Object y = arrays[node.output(0)];
        DataType ta = a.type();
        DataType tb = b.type();
        DataType ty = out.type();
        int op = switch (node.op().kind()) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE,
                    CONCATENATION, PAD, SOFTMAX, RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE,
                    DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    throw Quant.unsupported(node, "plain integer arithmetic (only ADD, SUB and MUL)");
        };
        long[] wa = new long[a.shape().elementCount()];
        long[] wb = new long[b.shape().elementCount()];
        long[] wy = new long[out.shape().elementCount()];
        return () -> {
            widen(ta, xa, wa);
            widen(tb, xb, wb);
            switch (op) {
                case 0 -> {
                    for (int i = 0; i < wy.length; i++) {
                        wy[i] = wa[ma == null ? i : ma[i]] + wb[mb == null ? i : mb[i]];
                    }
                }
                case 1 -> {
                    for (int i = 0; i < wy.length; i++) {
                        wy[i] = wa[ma == null ? i : ma[i]] - wb[mb == null ? i : mb[i]];
                    }
                }
                default -> {
                    for (int i = 0; i < wy.length; i++) {
                        wy[i] = wa[ma == null ? i : ma[i]] * wb[mb == null ? i : mb[i]];
                    }
                }
            }
            narrow(ty, wy, y);
        };
    }

    private static Kernel clamp(Graph g, Node node, Object[] arrays) {
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        double lo;
        double hi;
        Op op = node.op();
        if (op instanceof Op.Clip c) {
            lo = c.min();
            hi = c.max();
        } else {
            lo = 0;
            hi = op.kind() == OpKind.RELU6 ? 6 : Double.POSITIVE_INFINITY;
        }
        // integer bounds: the smallest integer >= lo and the largest <= hi, within long
        long min = lo == Double.NEGATIVE_INFINITY ? Long.MIN_VALUE : (long) Math.ceil(lo);
        long max = hi == Double.POSITIVE_INFINITY ? Long.MAX_VALUE : (long) Math.floor(hi);
        Object x = arrays[node.input(0)];
        Object y = arrays[node.output(0)];
        long[] w = new long[in.shape().elementCount()];
        return () -> {
            widen(in.type(), x, w);
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.min(Math.max(w[i], min), max);
            }
            narrow(out.type(), w, y);
        };
    }

    private static Kernel maxPool(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.MaxPool2D p = (Op.MaxPool2D) node.op();
        if (p.activation() != Activation.NONE) {
            throw Quant.unsupported(node, "a fused activation on plain integers");
        }
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        ConvGeometry geo = ConvGeometry.of(g, node);
        Object x = arrays[node.input(0)];
        Object y = arrays[node.output(0)];
        long[] wx = new long[in.shape().elementCount()];
        long[] wy = new long[out.shape().elementCount()];
        return () -> {
            widen(in.type(), x, wx);
            int c = geo.inC();
            for (int n = 0; n < geo.batches(); n++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int iy0 = oy * geo.strideH() - geo.padH();
                        int ix0 = ox * geo.strideW() - geo.padW();
                        int yBase = ((n * geo.outH() + oy) * geo.outW() + ox) * c;
                        for (int ch = 0; ch < c; ch++) {
                            long best = Long.MIN_VALUE;
                            for (int ky = 0; ky < geo.kH(); ky++) {
                                int iy = iy0 + ky;
                                if (iy < 0 || iy >= geo.inH()) {
                                    continue;
                                }
                                for (int kx = 0; kx < geo.kW(); kx++) {
                                    int ix = ix0 + kx;
                                    if (ix >= 0 && ix < geo.inW()) {
                                        best = Math.max(best, wx[((n * geo.inH() + iy) * geo.inW() + ix) * c + ch]);
                                    }
                                }
                            }
                            wy[yBase + ch] = best;
                        }
                    }
                }
            }
            narrow(out.type(), wy, y);
        };
    }

    private static void widen(DataType t, Object src, long[] dst) {
        switch (t) {
            case INT8 -> {
                byte[] s = (byte[]) src;
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = s[i];
                }
            }
            case UINT8 -> {
                byte[] s = (byte[]) src;
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = s[i] & 0xff;
                }
            }
            case INT16 -> {
                short[] s = (short[]) src;
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = s[i];
                }
            }
            case INT32 -> {
                int[] s = (int[]) src;
                for (int i = 0; i < dst.length; i++) {
                    dst[i] = s[i];
                }
            }
            case INT64 -> System.arraycopy((long[]) src, 0, dst, 0, dst.length);
            default -> throw new IllegalStateException("expected an integer type, found " + t);
        }
    }

    private static void narrow(DataType t, long[] src, Object dst) {
        switch (t) {
            case INT8, UINT8 -> {
                byte[] d = (byte[]) dst;
                for (int i = 0; i < src.length; i++) {
                    d[i] = (byte) src[i];
                }
            }
            case INT16 -> {
                short[] d = (short[]) dst;
                for (int i = 0; i < src.length; i++) {
                    d[i] = (short) src[i];
                }
            }
            case INT32 -> {
                int[] d = (int[]) dst;
                for (int i = 0; i < src.length; i++) {
                    d[i] = (int) src[i];
                }
            }
            case INT64 -> System.arraycopy(src, 0, (long[]) dst, 0, src.length);
            default -> throw new IllegalStateException("expected an integer type, found " + t);
        }
    }
}
