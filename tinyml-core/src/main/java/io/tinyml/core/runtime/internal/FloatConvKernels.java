package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.Quant;

import java.util.Arrays;

/**
 * Float32 convolution, depthwise convolution and fully-connected kernels. Weights that are INT8
 * (per-tensor or per-channel, "hybrid" models) or FLOAT16 constants are dequantized to float32 once
 * at preparation; the activations then stay in float32. (TFLite's own hybrid kernels instead
 * quantize the activations per batch to int8 and accumulate in int32, so hybrid outputs differ from
 * TFLite's by that activation rounding.) Products are accumulated in double, in the fixed order
 * filter-y, filter-x, input channel, then the bias (TFLite's reference order), and rounded once to
 * float32: the result is deterministic and within float32 rounding of a float64 reference. Weights are
 * re-laid-out once ({@link PackedWeights}) so that the inner loop runs over output channels and
 * vectorises, without changing any output channel's order of summation.
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

    static Kernel conv(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
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
        int k = geo.kH() * geo.kW() * fIn;
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        boolean repack = !wt.isConstant();
        if (!repack && FloatConvGemm.applies(geo, fIn, w)) {
            double[] packed = shared.packed(node, "gemm", () -> PackedWeights.widen(w));
            double[][] rows = RowGemm.channelsInner(geo.batches() * geo.outH() * geo.outW(), geo.outC())
                    ? shared.packed(node, "rows", () -> RowGemm.weightRows(packed, geo.outC(), k)) : null;
            FloatConvGemm gemm = new FloatConvGemm(geo, packed, rows);
            return () -> {
                gemm.run(x, bias, y, lo, hi);
                Quant.applyTanh(act, y);
            };
        }
        double[] wp = repack ? PackedWeights.convFloat(w, geo.outC(), k, perGroup)
                : shared.packed(node, "groups", () -> PackedWeights.convFloat(w, geo.outC(), k, perGroup));
        double[] acc = new double[perGroup];
        return () -> {
            if (repack) {
                PackedWeights.convFloat(w, geo.outC(), k, perGroup, wp);
            }
            int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), inW = geo.inW(), inC = geo.inC(), outC = geo.outC();
            int o = 0;
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    int iy0 = oy * geo.strideH() - geo.padH();
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        int ix0 = ox * geo.strideW() - geo.padW();
                        for (int gr = 0; gr < groups; gr++) {
                            // per output channel the sum runs over filter-y, filter-x, input channel in
                            // order, as before packing: the result is bit-identical
                            Arrays.fill(acc, 0.0);
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
                                    axpyChannels(x, xi, fIn, wp, wi, acc, perGroup);
                                }
                            }
                            int oc0 = gr * perGroup;
                            for (int j = 0; j < perGroup; j++) {
                                double a = bias != null ? acc[j] + bias[oc0 + j] : acc[j];
                                y[o++] = Math.max(lo, Math.min(hi, (float) a));
                            }
                        }
                    }
                }
            }
            Quant.applyTanh(act, y);
        };
    }

    /** {@code acc[j] += x[xi + c] · w[wi + c·n + j]} for each of {@code channels} inputs c in order. */
    private static void axpyChannels(float[] x, int xi, int channels, double[] w, int wi, double[] acc, int n) {
        for (int c = 0; c < channels; c++) {
            double xv = x[xi + c];
            int row = wi + c * n;
            for (int j = 0; j < n; j++) {
                acc[j] += xv * w[row + j];
            }
        }
    }

    static Kernel depthwise(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
        Op.DepthwiseConv2D op = (Op.DepthwiseConv2D) node.op();
        Tensor wt = g.tensor(node.input(1));
        ConvGeometry geo = ConvGeometry.of(g, node);
        float[] x = (float[]) arrays[node.input(0)];
        float[] w = floatWeights(g, node, node.input(1), arrays);
        float[] bias = floatWeights(g, node, node.input(2), arrays);
        float[] y = (float[]) arrays[node.output(0)];
        boolean constant = wt.isConstant();
        double[][] tapWeights = constant
                ? shared.packed(node, "taps", () -> DepthwiseTaps.pack(geo, PackedWeights.widen(w)))
                : DepthwiseTaps.pack(geo, PackedWeights.widen(w));
        DepthwiseTaps taps = new DepthwiseTaps(geo, tapWeights);
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            if (!constant) {
                DepthwiseTaps.repack(w, tapWeights);
            }
            int outC = geo.outC();
            taps.load(x);
            double[] acc = taps.acc();
            int o = 0;
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    for (int ox = 0; ox < geo.outW(); ox++) {
                        // per output channel the sum runs over filter-y then filter-x, as TFLite's reference
                        taps.pixel(b, oy, ox);
                        for (int oc = 0; oc < outC; oc++) {
                            double a = bias != null ? acc[oc] + bias[oc] : acc[oc];
                            y[o++] = Math.max(lo, Math.min(hi, (float) a));
                        }
                    }
                }
            }
            Quant.applyTanh(act, y);
        };
    }

    static Kernel fullyConnected(Graph g, Node node, Object[] arrays, SharedWeights shared) throws UnsupportedOperatorException {
        Op.FullyConnected op = (Op.FullyConnected) node.op();
        Tensor wt = g.tensor(node.input(1));
        int outN = wt.shape().dim(0);
        int inN = wt.shape().dim(1);
        float[] x = (float[]) arrays[node.input(0)];
        float[] w = floatWeights(g, node, node.input(1), arrays);
        float[] bias = floatWeights(g, node, node.input(2), arrays);
        float[] y = (float[]) arrays[node.output(0)];
        int batches = x.length / inN;
        boolean repack = !wt.isConstant();
        double[] wp = repack ? PackedWeights.convFloat(w, outN, inN, outN)
                : shared.packed(node, "transposed", () -> PackedWeights.convFloat(w, outN, inN, outN));
        double[] acc = new double[outN];
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            if (repack) {
                PackedWeights.convFloat(w, outN, inN, outN, wp);
            }
            for (int b = 0; b < batches; b++) {
                Arrays.fill(acc, 0.0);
                axpyChannels(x, b * inN, inN, wp, 0, acc, outN);
                for (int o = 0; o < outN; o++) {
                    double a = bias != null ? acc[o] + bias[o] : acc[o];
                    y[b * outN + o] = Math.max(lo, Math.min(hi, (float) a));
                }
            }
            Quant.applyTanh(act, y);
        };
    }
}
