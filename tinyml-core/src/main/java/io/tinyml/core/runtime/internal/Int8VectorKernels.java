package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Node;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;

/**
 * The Vector API forms of the int8 convolution, depthwise convolution and fully-connected kernels of
 * {@link QuantConvKernels}, bit-exact with the scalar forms (and so with TFLite's reference kernels):
 * products and sums in {@link Int8VectorGemm} or {@link DepthwiseRows}, requantization in
 * {@link VectorRequantizer}. Each factory returns null when its form does not cover the layer (weights
 * computed at run time, sums that could leave float32's exact range, requantization parameters the
 * vector form does not reproduce), and the caller keeps its scalar kernel.
 *
 * <p>Call only after {@link VectorSupport#use()} returned true: this class links
 * {@code jdk.incubator.vector}. Everything a kernel needs is allocated here, at preparation.
 */
final class Int8VectorKernels {
    private Int8VectorKernels() {
    }

    /**
     * An int8 convolution of one group over constant OHWI weights, or null.
     *
     * @param q the prepared parameters (filter offset 0)
     * @param bias the int32 bias, or null
     */
    static Kernel conv(ConvGeometry geo, ConvParams q, int[] bias, byte[] x, byte[] w, byte[] y, Node node,
                       SharedWeights shared) {
        int n = geo.outC();
        int inC = geo.inC();
        int k = geo.kH() * geo.kW() * inC;
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts()) || !Int8VectorGemm.exact(w, n, k, 0)) {
            return null;
        }
        int top = Math.max(0, geo.padH()), left = Math.max(0, geo.padW());
        int bottom = Math.max(0, (geo.outH() - 1) * geo.strideH() + geo.dilationH() * (geo.kH() - 1) + 1
                - geo.padH() - geo.inH());
        int right = Math.max(0, (geo.outW() - 1) * geo.strideW() + geo.dilationW() * (geo.kW() - 1) + 1
                - geo.padW() - geo.inW());
        int padH = top + geo.inH() + bottom;
        int padW = left + geo.inW() + right;
        int[] tapOff = new int[geo.kH() * geo.kW()];
        for (int ky = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++) {
                tapOff[ky * geo.kW() + kx] = (ky * geo.dilationH() * padW + kx * geo.dilationW()) * inC;
            }
        }
        int pixels = geo.batches() * geo.outH() * geo.outW();
        int[] pixelBase = new int[pixels];
        int m = 0;
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                for (int ox = 0; ox < geo.outW(); ox++) {
                    pixelBase[m++] = ((b * padH + oy * geo.strideH() + top - geo.padH()) * padW
                            + ox * geo.strideW() + left - geo.padW()) * inC;
                }
            }
        }
        int rows = geo.batches() * geo.inH();
        int[] rowSrc = new int[rows];
        int[] rowDst = new int[rows];
        for (int b = 0; b < geo.batches(); b++) {
            for (int iy = 0; iy < geo.inH(); iy++) {
                int r = b * geo.inH() + iy;
                rowSrc[r] = r * geo.inW() * inC;
                rowDst[r] = ((b * padH + top + iy) * padW + left) * inC;
            }
        }
        float[] panels = shared.packed(node, "vector-gemm", () -> Int8VectorGemm.pack(w, n, k, 0));
        Int8VectorGemm gemm = new Int8VectorGemm(pixels, n, inC, tapOff, pixelBase, panels,
                geo.batches() * padH * padW * inC, -q.inputOffset(), rowSrc, rowDst, geo.inW() * inC);
        VectorRequantizer rq = new VectorRequantizer(folded(bias, q.inputOffset(), w, n, k, 0), q.multipliers(),
                q.shifts(), q.outputOffset(), q.activationMin(), q.activationMax());
        return () -> {
            gemm.load(x);
            gemm.run(rq, y);
        };
    }

    /**
     * An int8 fully-connected layer over constant {@code [out, in]} weights, or null.
     *
     * @param q the prepared parameters (with the filter offset of a per-tensor filter)
     * @param bias the int32 bias, or null
     */
    static Kernel fullyConnected(ConvParams q, int[] bias, byte[] x, byte[] w, byte[] y, int inN, int outN,
                                 Node node, SharedWeights shared) {
        int fo = q.filterOffset();
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts()) || !Int8VectorGemm.exact(w, outN, inN, fo)) {
            return null;
        }
        int batches = x.length / inN;
        int[] pixelBase = new int[batches];
        for (int b = 0; b < batches; b++) {
            pixelBase[b] = b * inN;
        }
        float[] panels = shared.packed(node, "vector-gemm", () -> Int8VectorGemm.pack(w, outN, inN, fo));
        Int8VectorGemm gemm = new Int8VectorGemm(batches, outN, inN, new int[] {0}, pixelBase, panels,
                batches * inN, 0, pixelBase.clone(), pixelBase.clone(), inN);
        VectorRequantizer rq = new VectorRequantizer(folded(bias, q.inputOffset(), w, outN, inN, fo),
                q.multipliers(), q.shifts(), q.outputOffset(), q.activationMin(), q.activationMax());
        return () -> {
            gemm.load(x);
            gemm.run(rq, y);
        };
    }

    /**
     * An int8 depthwise convolution over constant weights, or null: sums by {@link DepthwiseRows},
     * requantization by {@link VectorRequantizer}.
     *
     * @param q the prepared parameters
     * @param bias the int32 bias, or null
     */
    static Kernel depthwise(ConvGeometry geo, ConvParams q, int[] bias, byte[] x, byte[] y, int[][] tapWeights) {
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts())) {
            return null;
        }
        DepthwiseRows rows = DepthwiseRows.forInt(geo, tapWeights);
        VectorRequantizer rq = new VectorRequantizer(bias, q.multipliers(), q.shifts(), q.outputOffset(),
                q.activationMin(), q.activationMax());
        int outC = geo.outC();
        int outW = geo.outW();
        int len = rows.rowLength();
        int inOff = q.inputOffset();
        return () -> {
            rows.load(x, inOff);
            int[] acc = rows.intAcc();
            for (int b = 0; b < geo.batches(); b++) {
                for (int oy = 0; oy < geo.outH(); oy++) {
                    rows.rowInt(b, oy);
                    int o = (b * geo.outH() + oy) * len;
                    for (int ox = 0; ox < outW; ox++) {
                        rq.pixel(acc, ox * outC, y, o + ox * outC);
                    }
                }
            }
        };
    }

    /** {@code bias[j] + inOff · Σ_k (w[j][k] + offset)}, wrapping as int32. */
    private static int[] folded(int[] bias, int inOff, byte[] w, int n, int k, int offset) {
        int[] s = Int8VectorGemm.sums(w, n, k, offset);
        for (int j = 0; j < n; j++) {
            s[j] = (bias != null ? bias[j] : 0) + inOff * s[j];
        }
        return s;
    }
}
