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
 * TFLite's by that activation rounding.) The float accumulation contract, shared with the generated C
 * ({@code conv_f32.c}, {@code dw_f32.c}, {@code fc_f32.c}, built with {@code -ffp-contract=off}): each
 * output is the sequential float32 sum of its products in the fixed order filter-y, filter-x, input
 * channel (TFLite's reference order), starting at +0.0, then plus the bias, every product and addition
 * rounded to float32 and never fused into a multiply-add. It is deterministic, what float32 runtimes
 * compute too, and cheap on a microcontroller's single-precision FPU (a double sum would be emulated
 * in software there). Weights are re-laid-out once ({@link PackedWeights}, {@link RowGemm},
 * {@link DepthwiseRows}) so that the inner loops run across outputs and vectorise, without changing
 * any output's order of summation. When the Vector API kernels are in use ({@link VectorSupport#use()}),
 * convolutions of one group with finite constant weights and fully-connected layers with constant weights
 * run {@link FloatVectorGemm}, and depthwise convolutions of multiplier 1 over whole vectors of channels
 * {@link FloatVectorDepthwise}: lanes over outputs, each output's sum in the same order, so the outputs are
 * bit-identical to the scalar forms'.
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
            if (VectorSupport.use()) {
                return FloatVectorGemm.convKernel(geo, node, w, bias, x, y, act, shared);
            }
            float[][] rows = RowGemm.channelsInner(geo.batches() * geo.outH() * geo.outW(), geo.outC())
                    ? shared.packed(node, "rows", () -> RowGemm.weightRows(w, geo.outC(), k)) : null;
            FloatConvGemm gemm = new FloatConvGemm(geo, w, rows);
            return () -> {
                gemm.run(x, bias, y, lo, hi);
                Quant.applyTanh(act, y);
            };
        }
        float[] wp = repack ? PackedWeights.convFloat(w, geo.outC(), k, perGroup)
                : shared.packed(node, "groups", () -> PackedWeights.convFloat(w, geo.outC(), k, perGroup));
        float[] acc = new float[perGroup];
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
                            Arrays.fill(acc, 0f);
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
                                float a = bias != null ? acc[j] + bias[oc0 + j] : acc[j];
                                y[o++] = Math.max(lo, Math.min(hi, a));
                            }
                        }
                    }
                }
            }
            Quant.applyTanh(act, y);
        };
    }

    /** {@code acc[j] += x[xi + c] · w[wi + c·n + j]} for each of {@code channels} inputs c in order. */
    private static void axpyChannels(float[] x, int xi, int channels, float[] w, int wi, float[] acc, int n) {
        for (int c = 0; c < channels; c++) {
            float xv = x[xi + c];
            int row = wi + c * n;
            for (int j = 0; j < n; j++) {
                acc[j] = acc[j] + xv * w[row + j];
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
        if (VectorSupport.use() && FloatVectorDepthwise.applies(geo)) {
            return FloatVectorDepthwise.kernel(geo, w, bias, x, y, op.activation());
        }
        boolean constant = wt.isConstant();
        float[][] tapWeights = constant
                ? shared.packed(node, "rows", () -> DepthwiseRows.tile(geo, w, DepthwiseRows.floatTaps(geo)))
                : DepthwiseRows.floatTaps(geo);
        DepthwiseRows rows = DepthwiseRows.forFloat(geo, tapWeights);
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        int outC = geo.outC();
        int len = rows.rowLength();
        // the bias tiled across an output row, as the weights are
        float[] biasRow = bias == null ? null : new float[len];
        return () -> {
            if (!constant) {
                DepthwiseRows.tile(geo, w, tapWeights);
            }
            if (biasRow != null) {
                for (int t = 0; t < len; t += outC) {
                    System.arraycopy(bias, 0, biasRow, t, outC);
                }
            }
            rows.load(x);
            float[] acc = rows.floatAcc();
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    rows.rowFloat(b, oy);
                    int o = (b * geo.outH() + oy) * len;
                    // in place, then copied: a loop vectorises when its operands share the index
                    if (biasRow != null) {
                        for (int t = 0; t < len; t++) {
                            acc[t] = Math.max(lo, Math.min(hi, acc[t] + biasRow[t]));
                        }
                    } else {
                        for (int t = 0; t < len; t++) {
                            acc[t] = Math.max(lo, Math.min(hi, acc[t]));
                        }
                    }
                    System.arraycopy(acc, 0, y, o, len);
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
        if (!repack && VectorSupport.use()) {
            return FloatVectorGemm.fullyConnectedKernel(node, batches, inN, outN, w, bias, x, y, op.activation(),
                    shared);
        }
        float[] wp = repack ? PackedWeights.convFloat(w, outN, inN, outN)
                : shared.packed(node, "transposed", () -> PackedWeights.convFloat(w, outN, inN, outN));
        float[] acc = new float[outN];
        float[] r = Quant.floatRange(op.activation());
        float lo = r[0];
        float hi = r[1];
        Activation act = op.activation();
        return () -> {
            if (repack) {
                PackedWeights.convFloat(w, outN, inN, outN, wp);
            }
            for (int b = 0; b < batches; b++) {
                Arrays.fill(acc, 0f);
                axpyChannels(x, b * inN, inN, wp, 0, acc, outN);
                for (int o = 0; o < outN; o++) {
                    float a = bias != null ? acc[o] + bias[o] : acc[o];
                    y[b * outN + o] = Math.max(lo, Math.min(hi, a));
                }
            }
            Quant.applyTanh(act, y);
        };
    }
}
