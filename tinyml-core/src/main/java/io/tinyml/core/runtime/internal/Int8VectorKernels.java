package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Node;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;

/**
 * The Vector API forms of the int8 convolution, depthwise convolution and fully-connected kernels of
 * {@link QuantConvKernels}, bit-exact with the scalar forms (and so with TFLite's reference kernels):
 * products and sums in {@link Int8VectorGemm} (convolutions, fully-connected layers, depthwise
 * convolutions of one input channel), {@link Int8VectorDepthwise} (depthwise, multiplier 1) or
 * {@link DepthwiseRows} (other depthwise), requantization in {@link VectorRequantizer}. Each factory
 * returns null when its form does not cover the layer (weights computed at run time, sums that could
 * leave float32's exact range, requantization parameters the vector form does not reproduce), and the
 * caller keeps its scalar kernel.
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
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts()) || !Int8VectorGemm.exact(w, n, k, k, 1, 0)) {
            return null;
        }
        float[] panels = shared.packed(node, "vector-gemm", () -> Int8VectorGemm.pack(w, n, k, 0));
        Int8VectorGemm gemm = new Int8VectorGemm(PaddedInput.of(geo, -q.inputOffset()), n, panels);
        VectorRequantizer rq = new VectorRequantizer(folded(bias, q.inputOffset(), w, n, k, k, 1, 0), q.multipliers(),
                q.shifts(), q.outputOffset(), q.activationMin(), q.activationMax());
        return () -> gemm.run(x, rq, y);
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
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts()) || !Int8VectorGemm.exact(w, outN, inN, inN, 1, fo)) {
            return null;
        }
        float[] panels = shared.packed(node, "vector-gemm", () -> Int8VectorGemm.pack(w, outN, inN, fo));
        Int8VectorGemm gemm = new Int8VectorGemm(PaddedInput.rows(x.length / inN, inN), outN, panels);
        VectorRequantizer rq = new VectorRequantizer(folded(bias, q.inputOffset(), w, outN, inN, inN, 1, fo),
                q.multipliers(), q.shifts(), q.outputOffset(), q.activationMin(), q.activationMax());
        return () -> gemm.run(x, rq, y);
    }

    /**
     * An int8 depthwise convolution over constant {@code [1, KH, KW, OC]} weights, or null: with
     * multiplier 1 by {@link Int8VectorDepthwise}; with one input channel as the convolution it is
     * (one group, the filter transposed to OHWI); otherwise sums by {@link DepthwiseRows} and
     * requantization by {@link VectorRequantizer}.
     *
     * @param q the prepared parameters
     * @param bias the int32 bias, or null
     * @param tapWeights the weights tiled for {@link DepthwiseRows}; read only
     */
    static Kernel depthwise(ConvGeometry geo, ConvParams q, int[] bias, byte[] x, byte[] w, byte[] y,
                            int[][] tapWeights, Node node, SharedWeights shared) {
        if (!VectorRequantizer.covers(q.multipliers(), q.shifts())) {
            return null;
        }
        int outC = geo.outC();
        int taps = geo.kH() * geo.kW();
        if (geo.inC() == 1 && outC > 1) {
            byte[] ohwi = new byte[w.length];
            for (int t = 0; t < taps; t++) {
                for (int oc = 0; oc < outC; oc++) {
                    ohwi[oc * taps + t] = w[t * outC + oc];
                }
            }
            return conv(geo, q, bias, x, ohwi, y, node, shared);
        }
        if (geo.inC() == outC && Int8VectorGemm.exact(w, outC, taps, 1, outC, 0)) {
            PaddedInput input = PaddedInput.of(geo, -q.inputOffset());
            float[] packed = Int8VectorDepthwise.pixelPairs(input)
                    ? shared.packed(node, "vector-depthwise-pairs", () -> Int8VectorDepthwise.packPairs(w, taps, outC))
                    : shared.packed(node, "vector-depthwise", () -> Int8VectorDepthwise.pack(w, taps, outC));
            Int8VectorDepthwise dw = new Int8VectorDepthwise(input, packed);
            VectorRequantizer rq = new VectorRequantizer(folded(bias, q.inputOffset(), w, outC, taps, 1, outC, 0),
                    q.multipliers(), q.shifts(), q.outputOffset(), q.activationMin(), q.activationMax());
            return () -> dw.run(x, rq, y);
        }
        DepthwiseRows rows = DepthwiseRows.forInt(geo, tapWeights);
        VectorRequantizer rq = new VectorRequantizer(bias, q.multipliers(), q.shifts(), q.outputOffset(),
                q.activationMin(), q.activationMax());
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

    /**
     * {@code bias[j] + inOff · Σ_k (w + offset) − MAGIC_BITS}, wrapping as int32, the weights addressed as
     * in {@link Int8VectorGemm#exact}: what the requantizer adds to the int32 bits of
     * {@link Int8VectorGemm}'s and {@link Int8VectorDepthwise}'s float sums (each {@code sum + MAGIC_BITS}).
     */
    private static int[] folded(int[] bias, int inOff, byte[] w, int n, int k, int jStride, int kStride, int offset) {
        int[] s = Int8VectorGemm.sums(w, n, k, jStride, kStride, offset);
        for (int j = 0; j < n; j++) {
            s[j] = (bias != null ? bias[j] : 0) + inOff * s[j] - Int8VectorGemm.MAGIC_BITS;
        }
        return s;
    }
}
