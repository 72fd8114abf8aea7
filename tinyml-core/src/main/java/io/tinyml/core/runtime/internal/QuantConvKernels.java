package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;

import java.util.Arrays;

/**
 * Integer convolution, depthwise convolution and fully-connected kernels, bit-exact with TFLite's
 * reference kernels (reference/integer_ops/conv.h, depthwise_conv.h, fully_connected.h): int8
 * activations with int8 weights and int32 bias, and int16 activations with int8 weights and int64
 * (or int32) bias ("16x8"), over the parameters {@link ConvParams} prepares (the C generator emits the same ones).
 */
final class QuantConvKernels {
    private QuantConvKernels() {
    }

    /** The prepared integer parameters shared by the three operators, with the bias array they bind. */
    private record Params(ConvParams q, int[] bias32, long[] bias64) {
        int inputOffset() {
            return q.inputOffset();
        }

        int filterOffset() {
            return q.filterOffset();
        }

        int outputOffset() {
            return q.outputOffset();
        }

        int[] mult() {
            return q.multipliers();
        }

        int[] shift() {
            return q.shifts();
        }

        int actMin() {
            return q.activationMin();
        }

        int actMax() {
            return q.activationMax();
        }
    }

    private static Params params(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        ConvParams q = ConvParams.of(g, node);
        Tensor in = g.tensor(node.input(0));
        int[] b32 = null;
        long[] b64 = null;
        int bi = node.input(2);
        if (bi != Node.ABSENT) {
            Object b = arrays[bi];
            if (b instanceof int[] ib) {
                b32 = ib;
                b64 = new long[ib.length];
                for (int i = 0; i < ib.length; i++) {
                    b64[i] = ib[i];
                }
            } else if (b instanceof long[] lb) {
                b64 = lb;
            } else {
                throw Quant.unsupported(node, "bias of type " + g.tensor(bi).type());
            }
        }
        if (in.type() == DataType.INT8 && b32 == null && b64 != null) {
            throw Quant.unsupported(node, "INT8 input and INT64 bias");
        }
        return new Params(q, b32, b64);
    }

    static Kernel conv(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
        Op.Conv2D op = (Op.Conv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        ConvGeometry geo = ConvGeometry.of(g, node);
        Params p = params(g, node, arrays);
        byte[] w = (byte[]) arrays[node.input(1)];
        int fIn = wt.shape().dim(3);
        int perGroup = geo.outC() / (geo.inC() / fIn);
        if (type == DataType.INT8) {
            return convInt8(geo, p, (byte[]) arrays[node.input(0)], w, (byte[]) arrays[node.output(0)], fIn,
                    perGroup, g.tensor(node.input(1)).isConstant(), node, shared);
        }
        if (type == DataType.INT16) {
            short[] x = (short[]) arrays[node.input(0)];
            short[] y = (short[]) arrays[node.output(0)];
            long[] bias = p.bias64();
            return () -> {
                int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC();
                int outC = geo.outC();
                int o = 0;
                for (int b = 0; b < geo.batches(); b++) {
                    for (int oy = 0; oy < geo.outH(); oy++) {
                        int iy0 = oy * geo.strideH() - geo.padH();
                        for (int ox = 0; ox < geo.outW(); ox++) {
                            int ix0 = ox * geo.strideW() - geo.padW();
                            for (int oc = 0; oc < outC; oc++) {
                                int icBase = (oc / perGroup) * fIn;
                                long acc = 0;
                                for (int ky = 0; ky < kH; ky++) {
                                    int iy = iy0 + geo.dilationH() * ky;
                                    if (iy < 0 || iy >= inH) {
                                        continue;
                                    }
                                    for (int kx = 0; kx < kW; kx++) {
                                        int ix = ix0 + geo.dilationW() * kx;
                                        if (ix < 0 || ix >= inW) {
                                            continue;
                                        }
                                        int xi = ((b * inH + iy) * inW + ix) * inC + icBase;
                                        int wi = ((oc * kH + ky) * kW + kx) * fIn;
                                        for (int ic = 0; ic < fIn; ic++) {
                                            acc += w[wi + ic] * x[xi + ic];
                                        }
                                    }
                                }
                                if (bias != null) {
                                    acc += bias[oc];
                                }
                                int v = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[oc], p.shift()[oc]);
                                v += p.outputOffset();
                                y[o++] = (short) Math.max(p.actMin(), Math.min(p.actMax(), v));
                            }
                        }
                    }
                }
            };
        }
        throw Quant.unsupported(node, type + " input");
    }

    static Kernel depthwise(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
        Op.DepthwiseConv2D op = (Op.DepthwiseConv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        ConvGeometry geo = ConvGeometry.of(g, node);
        Params p = params(g, node, arrays);
        byte[] w = (byte[]) arrays[node.input(1)];
        boolean int16 = type == DataType.INT16;
        if (type != DataType.INT8 && !int16) {
            throw Quant.unsupported(node, type + " input");
        }
        if (!int16) {
            return depthwiseInt8(geo, p, (byte[]) arrays[node.input(0)], w, (byte[]) arrays[node.output(0)],
                    g.tensor(node.input(1)).isConstant(), node, shared);
        }
        short[] x16 = (short[]) arrays[node.input(0)];
        short[] y16 = (short[]) arrays[node.output(0)];
        long[] bias64 = p.bias64();
        boolean constant = g.tensor(node.input(1)).isConstant();
        double[][] tapWeights = constant
                ? shared.packed(node, "taps", () -> DepthwiseTaps.pack(geo, PackedWeights.widenToDouble(w)))
                : DepthwiseTaps.pack(geo, PackedWeights.widenToDouble(w));
        DepthwiseTaps taps = new DepthwiseTaps(geo, tapWeights);
        return () -> {
            if (!constant) {
                DepthwiseTaps.repack(w, tapWeights);
            }
            int outC = geo.outC();
            taps.load(x16);
            double[] acc = taps.acc();
            int o = 0;
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        taps.pixel(b, oy, ox);
                        for (int oc = 0; oc < outC; oc++) {
                            // the exact sum is TFLite's int64 accumulator
                            long a = (long) acc[oc];
                            if (bias64 != null) {
                                a += bias64[oc];
                            }
                            int v = FixedPoint.multiplyByQuantizedMultiplier(a, p.mult()[oc], p.shift()[oc]);
                            v += p.outputOffset();
                            y16[o++] = (short) Math.max(p.actMin(), Math.min(p.actMax(), v));
                        }
                    }
                }
            }
        };
    }

    static Kernel fullyConnected(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        int outN = wt.shape().dim(0);
        int inN = wt.shape().dim(1);
        Params p = params(g, node, arrays);
        int filterOffset = p.filterOffset();
        byte[] w = (byte[]) arrays[node.input(1)];
        if (type == DataType.INT8) {
            return fullyConnectedInt8(p, (byte[]) arrays[node.input(0)], w, (byte[]) arrays[node.output(0)], inN,
                    outN, filterOffset, wt.isConstant(), node, shared);
        }
        if (type == DataType.INT16) {
            short[] x = (short[]) arrays[node.input(0)];
            short[] y = (short[]) arrays[node.output(0)];
            int batches = x.length / inN;
            long[] bias = p.bias64();
            return () -> {
                for (int b = 0; b < batches; b++) {
                    for (int o = 0; o < outN; o++) {
                        long acc = 0;
                        int wb = o * inN;
                        int xb = b * inN;
                        for (int i = 0; i < inN; i++) {
                            acc += (w[wb + i] + filterOffset) * x[xb + i];
                        }
                        if (bias != null) {
                            acc += bias[o];
                        }
                        int v = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[o], p.shift()[o]);
                        v += p.outputOffset();
                        y[b * outN + o] = (short) Math.max(p.actMin(), Math.min(p.actMax(), v));
                    }
                }
            };
        }
        throw Quant.unsupported(node, type + " input");
    }

    /**
     * Int8 convolution over weights packed once as {@code [group][k][channel]} ints: for each output
     * pixel the int32 accumulators of all output channels of a group advance together, one input
     * value at a time (an {@code axpy} the JIT vectorises). Integer sums do not depend on their order,
     * so the result is TFLite's to the bit.
     */
    private static Kernel convInt8(ConvGeometry geo, Params p, byte[] x, byte[] w, byte[] y, int fIn, int perGroup,
                                   boolean constantWeights, Node node, SharedWeights shared) {
        int groups = geo.outC() / perGroup;
        int k = geo.kH() * geo.kW() * fIn;
        if (groups == 1 && constantWeights && VectorSupport.use()) {
            Kernel vector = Int8VectorKernels.conv(geo, p.q(), p.bias32(), x, w, y, node, shared);
            if (vector != null) {
                return vector;
            }
        }
        if (groups == 1 && constantWeights) {
            int[] packed = shared.packed(node, "gemm", () -> PackedWeights.widen(w, 0));
            int[][] rows = RowGemm.channelsInner(geo.batches() * geo.outH() * geo.outW(), geo.outC())
                    ? shared.packed(node, "rows", () -> RowGemm.weightRows(packed, geo.outC(), k)) : null;
            Int8ConvGemm gemm = new Int8ConvGemm(geo, packed, rows, new Requantizer(p.mult(), p.shift()));
            return () -> gemm.run(x, p.inputOffset(), p.bias32(), p.outputOffset(), p.actMin(), p.actMax(), y);
        }
        int[] wp = constantWeights
                ? shared.packed(node, "groups", () -> PackedWeights.convInt(w, geo.outC(), k, perGroup, 0))
                : PackedWeights.convInt(w, geo.outC(), k, perGroup, 0);
        int[] acc = new int[perGroup];
        int[] bias = p.bias32();
        int[] mult = p.mult();
        int[] shift = p.shift();
        return () -> {
            if (!constantWeights) {
                PackedWeights.convInt(w, geo.outC(), k, perGroup, 0, wp);
            }
            int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC();
            int inOff = p.inputOffset(), outOff = p.outputOffset(), lo = p.actMin(), hi = p.actMax();
            int o = 0;
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    int iy0 = oy * geo.strideH() - geo.padH();
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int ix0 = ox * geo.strideW() - geo.padW();
                        for (int gr = 0; gr < groups; gr++) {
                            Arrays.fill(acc, 0);
                            for (int ky = 0; ky < kH; ky++) {
                                int iy = iy0 + geo.dilationH() * ky;
                                if (iy < 0 || iy >= inH) {
                                    continue;
                                }
                                for (int kx = 0; kx < kW; kx++) {
                                    int ix = ix0 + geo.dilationW() * kx;
                                    if (ix < 0 || ix >= inW) {
                                        continue;
                                    }
                                    int xi = ((b * inH + iy) * inW + ix) * inC + gr * fIn;
                                    int wi = (gr * k + (ky * kW + kx) * fIn) * perGroup;
                                    axpyChannels(x, xi, fIn, inOff, wp, wi, acc, perGroup);
                                }
                            }
                            int oc0 = gr * perGroup;
                            for (int j = 0; j < perGroup; j++) {
                                int oc = oc0 + j;
                                int a = bias != null ? acc[j] + bias[oc] : acc[j];
                                a = FixedPoint.multiplyByQuantizedMultiplier(a, mult[oc], shift[oc]) + outOff;
                                y[o++] = (byte) Math.max(lo, Math.min(hi, a));
                            }
                        }
                    }
                }
            }
        };
    }

    /** {@code acc[j] += (x[xi + c] + xOff) · w[wi + c·n + j]} for each of {@code channels} inputs c. */
    private static void axpyChannels(byte[] x, int xi, int channels, int xOff, int[] w, int wi, int[] acc, int n) {
        for (int c = 0; c < channels; c++) {
            int xv = x[xi + c] + xOff;
            int row = wi + c * n;
            for (int j = 0; j < n; j++) {
                acc[j] += xv * w[row + j];
            }
        }
    }

    /**
     * Int8 depthwise convolution over {@link DepthwiseRows} (weights tiled once when constant, per
     * run otherwise), one output row at a time, requantized per channel.
     */
    private static Kernel depthwiseInt8(ConvGeometry geo, Params p, byte[] x, byte[] w, byte[] y,
                                        boolean constantWeights, Node node, SharedWeights shared) {
        int[][] tapWeights = constantWeights
                ? shared.packed(node, "rows", () -> DepthwiseRows.tile(geo, w, DepthwiseRows.intTaps(geo)))
                : DepthwiseRows.intTaps(geo);
        if (constantWeights && VectorSupport.use()) {
            Kernel vector = Int8VectorKernels.depthwise(geo, p.q(), p.bias32(), x, w, y, tapWeights, node, shared);
            if (vector != null) {
                return vector;
            }
        }
        DepthwiseRows rows = DepthwiseRows.forInt(geo, tapWeights);
        int[] bias = p.bias32();
        Requantizer rq = new Requantizer(p.mult(), p.shift());
        int outC = geo.outC();
        int len = rows.rowLength();
        return () -> {
            if (!constantWeights) {
                DepthwiseRows.tile(geo, w, tapWeights);
            }
            int inOff = p.inputOffset(), outOff = p.outputOffset(), lo = p.actMin(), hi = p.actMax();
            rows.load(x, inOff);
            int[] acc = rows.intAcc();
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    rows.rowInt(b, oy);
                    int o = (b * geo.outH() + oy) * len;
                    // channel by channel, so that its requantization constants stay in registers
                    for (int c = 0; c < outC; c++) {
                        int bc = bias != null ? bias[c] : 0;
                        for (int t = c; t < len; t += outC) {
                            int a = rq.scale(acc[t] + bc, c) + outOff;
                            y[o + t] = (byte) Math.max(lo, Math.min(hi, a));
                        }
                    }
                }
            }
        };
    }

    /**
     * Int8 fully connected over the weights transposed once to {@code [in, out]} ints with the filter
     * offset folded in.
     */
    private static Kernel fullyConnectedInt8(Params p, byte[] x, byte[] w, byte[] y, int inN, int outN,
                                             int filterOffset, boolean constantWeights, Node node,
                                             SharedWeights shared) {
        if (constantWeights && VectorSupport.use()) {
            Kernel vector = Int8VectorKernels.fullyConnected(p.q(), p.bias32(), x, w, y, inN, outN, node, shared);
            if (vector != null) {
                return vector;
            }
        }
        int batches = x.length / inN;
        int[] wp = constantWeights
                ? shared.packed(node, "transposed", () -> PackedWeights.convInt(w, outN, inN, outN, filterOffset))
                : PackedWeights.convInt(w, outN, inN, outN, filterOffset);
        int[] acc = new int[outN];
        int[] bias = p.bias32();
        int[] m = p.mult();
        int[] sh = p.shift();
        return () -> {
            if (!constantWeights) {
                PackedWeights.convInt(w, outN, inN, outN, filterOffset, wp);
            }
            int inOff = p.inputOffset(), outOff = p.outputOffset(), lo = p.actMin(), hi = p.actMax();
            for (int b = 0; b < batches; b++) {
                Arrays.fill(acc, 0);
                axpyChannels(x, b * inN, inN, inOff, wp, 0, acc, outN);
                for (int o = 0; o < outN; o++) {
                    int a = bias != null ? acc[o] + bias[o] : acc[o];
                    a = FixedPoint.multiplyByQuantizedMultiplier(a, m[o], sh[o]) + outOff;
                    y[b * outN + o] = (byte) Math.max(lo, Math.min(hi, a));
                }
            }
        };
    }
}
