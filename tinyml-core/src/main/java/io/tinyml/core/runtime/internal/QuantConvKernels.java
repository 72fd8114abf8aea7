package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

/**
 * Integer convolution, depthwise convolution and fully-connected kernels, bit-exact with TFLite's
 * reference kernels (reference/integer_ops/conv.h, depthwise_conv.h, fully_connected.h): int8
 * activations with int8 weights and int32 bias, and int16 activations with int8 weights and int64
 * (or int32) bias ("16x8"). Per-channel multipliers come from {@link Quant#channelMultipliers}.
 */
final class QuantConvKernels {
    private QuantConvKernels() {
    }

    /** The resolved integer parameters shared by the three operators. */
    private record Params(int inputOffset, int outputOffset, int[] mult, int[] shift, int actMin, int actMax,
                          int[] bias32, long[] bias64) {
    }

    private static Params params(Graph g, Node node, Object[] arrays, int channels, int filterAxis)
            throws UnsupportedOperatorException {
        Tensor in = g.tensor(node.input(0));
        Tensor w = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !Quant.perTensor(in) || !Quant.perTensor(out)) {
            throw Quant.unsupported(node, in.type() + " input, " + w.type() + " weights "
                    + w.quant().map(Object::toString).orElse("without quantization"));
        }
        QuantParams wq = w.requireQuant();
        if (!wq.isPerTensor() && (wq.axis() != filterAxis || wq.size() != channels)) {
            throw Quant.unsupported(node, "weights quantized on axis " + wq.axis() + " (expected per-tensor or axis "
                    + filterAxis + ")");
        }
        if (node.op().kind() != io.tinyml.core.ir.OpKind.FULLY_CONNECTED) {
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
        if (in.type() == DataType.INT16 && in.requireQuant().zeroPoint() != 0) {
            throw Quant.unsupported(node, "INT16 input with non-zero zero point");
        }
        return new Params(-in.requireQuant().zeroPoint(), out.requireQuant().zeroPoint(), m, s, range[0], range[1],
                b32, b64);
    }

    static Kernel conv(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Conv2D op = (Op.Conv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        ConvGeometry geo = ConvGeometry.of(g, node);
        Params p = params(g, node, arrays, geo.outC(), 0);
        byte[] w = (byte[]) arrays[node.input(1)];
        int fIn = wt.shape().dim(3);
        int perGroup = geo.outC() / (geo.inC() / fIn);
        if (type == DataType.INT8) {
            byte[] x = (byte[]) arrays[node.input(0)];
            byte[] y = (byte[]) arrays[node.output(0)];
            int[] bias = p.bias32();
            return () -> {
                int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC();
                int outC = geo.outC(), inOff = p.inputOffset();
                int o = 0;
                for (int b = 0; b < geo.batches(); b++) {
                    for (int oy = 0; oy < geo.outH(); oy++) {
                        int iy0 = oy * geo.strideH() - geo.padH();
                        for (int ox = 0; ox < geo.outW(); ox++) {
                            int ix0 = ox * geo.strideW() - geo.padW();
                            for (int oc = 0; oc < outC; oc++) {
                                int icBase = (oc / perGroup) * fIn;
                                int acc = 0;
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
                                            acc += w[wi + ic] * (x[xi + ic] + inOff);
                                        }
                                    }
                                }
                                if (bias != null) {
                                    acc += bias[oc];
                                }
                                acc = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[oc], p.shift()[oc]);
                                acc += p.outputOffset();
                                y[o++] = (byte) Math.max(p.actMin(), Math.min(p.actMax(), acc));
                            }
                        }
                    }
                }
            };
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

    static Kernel depthwise(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.DepthwiseConv2D op = (Op.DepthwiseConv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        ConvGeometry geo = ConvGeometry.of(g, node);
        Params p = params(g, node, arrays, geo.outC(), 3);
        byte[] w = (byte[]) arrays[node.input(1)];
        int mult = geo.outC() / geo.inC();
        boolean int16 = type == DataType.INT16;
        if (type != DataType.INT8 && !int16) {
            throw Quant.unsupported(node, type + " input");
        }
        byte[] x8 = int16 ? null : (byte[]) arrays[node.input(0)];
        byte[] y8 = int16 ? null : (byte[]) arrays[node.output(0)];
        short[] x16 = int16 ? (short[]) arrays[node.input(0)] : null;
        short[] y16 = int16 ? (short[]) arrays[node.output(0)] : null;
        int[] bias32 = p.bias32();
        long[] bias64 = p.bias64();
        return () -> {
            int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC();
            int outC = geo.outC(), inOff = p.inputOffset();
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    int iy0 = oy * geo.strideH() - geo.padH();
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int ix0 = ox * geo.strideW() - geo.padW();
                        int obase = ((b * geo.outH() + oy) * geo.outW() + ox) * outC;
                        for (int ic = 0; ic < inC; ic++) {
                            for (int m = 0; m < mult; m++) {
                                int oc = ic * mult + m;
                                if (!int16) {
                                    int acc = 0;
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
                                            acc += w[(ky * kW + kx) * outC + oc]
                                                    * (x8[((b * inH + iy) * inW + ix) * inC + ic] + inOff);
                                        }
                                    }
                                    if (bias32 != null) {
                                        acc += bias32[oc];
                                    }
                                    acc = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[oc], p.shift()[oc]);
                                    acc += p.outputOffset();
                                    y8[obase + oc] = (byte) Math.max(p.actMin(), Math.min(p.actMax(), acc));
                                } else {
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
                                            acc += w[(ky * kW + kx) * outC + oc]
                                                    * x16[((b * inH + iy) * inW + ix) * inC + ic];
                                        }
                                    }
                                    if (bias64 != null) {
                                        acc += bias64[oc];
                                    }
                                    int v = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[oc], p.shift()[oc]);
                                    v += p.outputOffset();
                                    y16[obase + oc] = (short) Math.max(p.actMin(), Math.min(p.actMax(), v));
                                }
                            }
                        }
                    }
                }
            }
        };
    }

    static Kernel fullyConnected(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Tensor wt = g.tensor(node.input(1));
        DataType type = g.tensor(node.input(0)).type();
        int outN = wt.shape().dim(0);
        int inN = wt.shape().dim(1);
        Params p = params(g, node, arrays, outN, 0);
        QuantParams wq = wt.requireQuant();
        int filterOffset = wq.isPerTensor() ? -wq.zeroPoint() : 0;
        byte[] w = (byte[]) arrays[node.input(1)];
        if (type == DataType.INT8) {
            byte[] x = (byte[]) arrays[node.input(0)];
            byte[] y = (byte[]) arrays[node.output(0)];
            int batches = x.length / inN;
            int[] bias = p.bias32();
            return () -> {
                int inOff = p.inputOffset();
                for (int b = 0; b < batches; b++) {
                    for (int o = 0; o < outN; o++) {
                        int acc = 0;
                        int wb = o * inN;
                        int xb = b * inN;
                        for (int i = 0; i < inN; i++) {
                            acc += (w[wb + i] + filterOffset) * (x[xb + i] + inOff);
                        }
                        if (bias != null) {
                            acc += bias[o];
                        }
                        acc = FixedPoint.multiplyByQuantizedMultiplier(acc, p.mult()[o], p.shift()[o]);
                        acc += p.outputOffset();
                        y[b * outN + o] = (byte) Math.max(p.actMin(), Math.min(p.actMax(), acc));
                    }
                }
            };
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
}
