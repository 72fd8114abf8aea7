package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;

/**
 * Float32 convolution, depthwise convolution and fully-connected kernels. Weights that are INT8
 * (per-tensor or per-channel, "hybrid" models) or FLOAT16 constants are dequantized to float32 once
 * at preparation; the activations then stay in float32. (TFLite's own hybrid kernels instead
 * quantize the activations per batch to int8 and accumulate in int32, so hybrid outputs differ from
 * TFLite's by that activation rounding.) Products are accumulated in double, in the fixed order
 * filter-y, filter-x, input channel, then the bias (TFLite's reference order), and rounded once to
 * float32: the result is deterministic and within float32 rounding of a float64 reference.
 */
final class FloatConvKernels {
    private FloatConvKernels() {
    }

    /** Returns the weights of a float op as float32, dequantizing a constant if needed. */
    static float[] floatWeights(Graph g, Node node, int idx, Object[] arrays) throws UnsupportedOperatorException {
        if (idx == Node.ABSENT) {
            return null;
        }
        Tensor t = g.tensor(idx);
        if (t.type() == DataType.FLOAT32) {
            return (float[]) arrays[idx];
        }
        if (t.isConstant() && (t.type() == DataType.FLOAT16 || t.quant().isPresent())) {
            return Quant.dequantizeConstant(t);
        }
        throw Quant.unsupported(node, "float input and " + (t.isConstant() ? "" : "non-constant ") + t.type()
                + " tensor '" + t.name() + "'");
    }

    static Kernel conv(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Conv2D op = (Op.Conv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        ConvGeometry geo = ConvGeometry.of(g, node);
        float[] x = (float[]) arrays[node.input(0)];
        float[] w = floatWeights(g, node, node.input(1), arrays);
        float[] bias = floatWeights(g, node, node.input(2), arrays);
        float[] y = (float[]) arrays[node.output(0)];
        int fIn = wt.shape().dim(3);
        int groups = geo.inC() / fIn;
        int perGroup = geo.outC() / groups;
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC(), outC = geo.outC();
            int o = 0;
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    int iy0 = oy * geo.strideH() - geo.padH();
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int ix0 = ox * geo.strideW() - geo.padW();
                        for (int oc = 0; oc < outC; oc++) {
                            int icBase = (oc / perGroup) * fIn;
                            double acc = 0;
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
                                        acc += (double) x[xi + ic] * w[wi + ic];
                                    }
                                }
                            }
                            if (bias != null) {
                                acc += bias[oc];
                            }
                            y[o++] = Math.max(lo, Math.min(hi, (float) acc));
                        }
                    }
                }
            }
            Quant.applyTanh(act, y);
        };
    }

    static Kernel depthwise(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.DepthwiseConv2D op = (Op.DepthwiseConv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        ConvGeometry geo = ConvGeometry.of(g, node);
        float[] x = (float[]) arrays[node.input(0)];
        float[] w = floatWeights(g, node, node.input(1), arrays);
        float[] bias = floatWeights(g, node, node.input(2), arrays);
        float[] y = (float[]) arrays[node.output(0)];
        int mult = geo.outC() / geo.inC();
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC(), outC = geo.outC();
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    int iy0 = oy * geo.strideH() - geo.padH();
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int ix0 = ox * geo.strideW() - geo.padW();
                        int obase = ((b * geo.outH() + oy) * geo.outW() + ox) * outC;
                        for (int ic = 0; ic < inC; ic++) {
                            for (int m = 0; m < mult; m++) {
                                int oc = ic * mult + m;
                                double acc = 0;
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
                                        acc += (double) x[((b * inH + iy) * inW + ix) * inC + ic] * w[(ky * kW + kx) * outC + oc];
                                    }
                                }
                                if (bias != null) {
                                    acc += bias[oc];
                                }
                                y[obase + oc] = Math.max(lo, Math.min(hi, (float) acc));
                            }
                        }
                    }
                }
            }
            Quant.applyTanh(act, y);
        };
    }

    static Kernel fullyConnected(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.FullyConnected op = (Op.FullyConnected) node.op();
        Tensor wt = g.tensor(node.input(1));
        int outN = wt.shape().dim(0);
        int inN = wt.shape().dim(1);
        float[] x = (float[]) arrays[node.input(0)];
        float[] w = floatWeights(g, node, node.input(1), arrays);
        float[] bias = floatWeights(g, node, node.input(2), arrays);
        float[] y = (float[]) arrays[node.output(0)];
        int batches = x.length / inN;
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            for (int b = 0; b < batches; b++) {
                int xb = b * inN;
                for (int o = 0; o < outN; o++) {
                    double acc = 0;
                    int wb = o * inN;
                    for (int i = 0; i < inN; i++) {
                        acc += (double) x[xb + i] * w[wb + i];
                    }
                    if (bias != null) {
                        acc += bias[o];
                    }
                    y[b * outN + o] = Math.max(lo, Math.min(hi, (float) acc));
                }
            }
            Quant.applyTanh(act, y);
        };
    }
}
