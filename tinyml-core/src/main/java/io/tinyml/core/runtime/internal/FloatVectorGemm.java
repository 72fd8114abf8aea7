package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Node;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.Quant;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float32 convolution (one group) or fully-connected layer on the Vector API: vector lanes run over
 * output channels, and a register block of four or eight output pixels times one or two vectors of channels
 * keeps its accumulators in registers across the whole sum; each input value is broadcast to the lanes
 * of the channels it feeds. The weights are re-laid-out once as {@code [k][n]}, {@code k} in filter-y,
 * filter-x, input-channel order and {@code n} the output channels padded with zero weights to a whole
 * number of vectors (the padded lanes are computed and never stored). The input is read in place
 * (NHWC) through per-pixel and per-tap offsets: no im2col. A layer whose window reaches into the
 * padding first copies its input into a zero-bordered buffer (the border written once, at preparation).
 *
 * <p>Bit-identical to the scalar kernels ({@link FloatConvGemm} and the contract of
 * {@code conv_f32.c}): per output lane the sum runs over {@code k} in order, starting at +0.0, one
 * multiply then one add per term, each rounded to float32 (never a fused multiply-add), then plus the
 * bias, then the clamp ({@code min} then {@code max}, as {@link Math#min}/{@link Math#max}). A padded tap
 * adds {@code 0.0 · w}, a signed zero that leaves the sum unchanged (the sum never is −0.0, since it
 * starts at +0.0), so it equals skipping the tap as long as the weights are finite, which
 * {@link FloatConvGemm#applies} checks.
 *
 * <p>Loaded only once {@link VectorSupport#use()} returned true. One instance is one interpreter's
 * working memory; the packed weights may be shared read only.
 */
final class FloatVectorGemm {
    /** The float shape of every float vector kernel ({@link VectorShape#FLOAT}: one shape per JVM). */
    private static final VectorSpecies<Float> S = VectorShape.FLOAT;
    private static final int L = S.length();

    private final int pixels;
    private final int n;
    private final int nPad;
    private final int inC;
    private final int[] pixelBase;
    /** Per term {@code kk} of the sum: the offset of its input value from the pixel's {@link #pixelBase}. */
    private final int[] offsets;
    private final float[] wp;
    /** The bias padded to {@link #nPad}, zeros without a bias. */
    private final float[] biasPad;
    private final ConvGeometry geo;
    /** The bordered buffer's top and left border and its height and width, in pixels. */
    private final int borderTop;
    private final int borderLeft;
    private final int borderedH;
    private final int borderedW;
    private final float[] bordered;
    /** One register block's sums, pixel by pixel, as {@link #flush} takes them. */
    private final float[] sums = new float[16 * L];

    private FloatVectorGemm(ConvGeometry geo, int pixels, int n, int inC, float[] packed, float[] bias,
                            int[] pixelBase, int[] tapOffsets, float[] bordered, int[] border) {
        this.geo = geo;
        this.pixels = pixels;
        this.n = n;
        this.nPad = padded(n);
        this.inC = inC;
        this.wp = packed;
        this.pixelBase = pixelBase;
        this.offsets = new int[tapOffsets.length * inC];
        for (int t = 0, kk = 0; t < tapOffsets.length; t++) {
            for (int c = 0; c < inC; c++) {
                offsets[kk++] = tapOffsets[t] + c;
            }
        }
        this.bordered = bordered;
        this.borderTop = border[0];
        this.borderLeft = border[1];
        this.borderedH = border[2];
        this.borderedW = border[3];
        // without a bias, +0.0: a sum is never -0.0 (it starts at +0.0), so adding +0.0 leaves it unchanged
        this.biasPad = new float[nPad];
        if (bias != null) {
            System.arraycopy(bias, 0, biasPad, 0, n);
        }
    }

    /** {@code n} rounded up to whole vectors. */
    private static int padded(int n) {
        return (n + L - 1) / L * L;
    }

    /**
     * Packs {@code [n][k]} float weights (OHWI, or a fully-connected {@code [out, in]} matrix) as
     * {@code [k][n padded to whole vectors]}, the padding zero.
     */
    static float[] pack(float[] w, int n, int k) {
        int np = padded(n);
        float[] p = new float[k * np];
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                p[kk * np + j] = w[j * k + kk];
            }
        }
        return p;
    }

    /**
     * Prepares a convolution of one group.
     *
     * @param packed the weights as {@link #pack} laid them out; read only
     * @param bias the bias per output channel, or null; copied
     */
    static FloatVectorGemm conv(ConvGeometry geo, float[] packed, float[] bias) {
        int bottom = Math.max(0, (geo.outH() - 1) * geo.strideH() + geo.dilationH() * (geo.kH() - 1) + 1
                - geo.padH() - geo.inH());
        int right = Math.max(0, (geo.outW() - 1) * geo.strideW() + geo.dilationW() * (geo.kW() - 1) + 1
                - geo.padW() - geo.inW());
        int top = Math.max(0, geo.padH());
        int left = Math.max(0, geo.padW());
        boolean border = top > 0 || left > 0 || bottom > 0 || right > 0;
        int ph = top + geo.inH() + bottom;
        int pw = left + geo.inW() + right;
        int inC = geo.inC();
        int pixels = geo.batches() * geo.outH() * geo.outW();
        int[] base = new int[pixels];
        int m = 0;
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                for (int ox = 0; ox < geo.outW(); ox++) {
                    base[m++] = ((b * ph + oy * geo.strideH() + top - geo.padH()) * pw
                            + ox * geo.strideW() + left - geo.padW()) * inC;
                }
            }
        }
        int[] taps = new int[geo.kH() * geo.kW()];
        for (int ky = 0; ky < geo.kH(); ky++) {
            for (int kx = 0; kx < geo.kW(); kx++) {
                taps[ky * geo.kW() + kx] = (ky * geo.dilationH() * pw + kx * geo.dilationW()) * inC;
            }
        }
        float[] bordered = border ? new float[geo.batches() * ph * pw * inC] : null;
        return new FloatVectorGemm(geo, pixels, geo.outC(), inC, packed, bias, base, taps, bordered,
                new int[] {top, left, ph, pw});
    }

    /**
     * Prepares a fully-connected layer: {@code rows} input rows of {@code in} values, {@code n} outputs each.
     *
     * @param packed the weights as {@link #pack} laid them out from {@code [n][in]}; read only
     * @param bias the bias per output, or null; copied
     */
    static FloatVectorGemm fullyConnected(int rows, int in, int n, float[] packed, float[] bias) {
        int[] base = new int[rows];
        for (int r = 0; r < rows; r++) {
            base[r] = r * in;
        }
        return new FloatVectorGemm(null, rows, n, in, packed, bias, base, new int[] {0}, null, new int[4]);
    }

    /**
     * The kernel of a float32 convolution of one group with constant, finite weights.
     *
     * @param node the node, naming the shared packed weights
     * @param w the OHWI weights
     * @param bias the bias, or null
     * @param act the fused activation (its clamp range and a fused TANH)
     */
    static Kernel convKernel(ConvGeometry geo, Node node, float[] w, float[] bias, float[] x, float[] y,
                             Activation act, SharedWeights shared) {
        int k = geo.kH() * geo.kW() * geo.inC();
        float[] packed = shared.packed(node, "vector", () -> pack(w, geo.outC(), k));
        return kernel(conv(geo, packed, bias), x, y, act);
    }

    /**
     * The kernel of a float32 fully-connected layer with constant weights {@code [n][in]}.
     *
     * @param node the node, naming the shared packed weights
     * @param bias the bias, or null
     * @param act the fused activation (its clamp range and a fused TANH)
     */
    static Kernel fullyConnectedKernel(Node node, int rows, int in, int n, float[] w, float[] bias, float[] x,
                                       float[] y, Activation act, SharedWeights shared) {
        float[] packed = shared.packed(node, "vector", () -> pack(w, n, in));
        return kernel(fullyConnected(rows, in, n, packed, bias), x, y, act);
    }

    private static Kernel kernel(FloatVectorGemm gemm, float[] x, float[] y, Activation act) {
        float[] r = Quant.floatRange(act);
        float lo = r[0];
        float hi = r[1];
        return () -> {
            gemm.run(x, y, lo, hi);
            Quant.applyTanh(act, y);
        };
    }

    /** Computes {@code y = clamp(x ⊛ w + bias, lo, hi)} for every output pixel and channel. */
    void run(float[] x, float[] y, float lo, float hi) {
        float[] src = x;
        if (bordered != null) {
            load(x);
            src = bordered;
        }
        int m = 0;
        if (nPad == L) {
            for (; m + 8 <= pixels; m += 8) {
                block8x1(src, m, y, lo, hi);
            }
        } else {
            if (nPad % (4 * L) == 0) {
                for (; m + 4 <= pixels; m += 4) {
                    for (int j = 0; j < nPad; j += 4 * L) {
                        block4x4(src, m, j, y, lo, hi);
                    }
                }
            }
            for (; m + 8 <= pixels; m += 8) {
                int j = 0;
                for (; j + 2 * L <= nPad; j += 2 * L) {
                    block8x2(src, m, j, y, lo, hi);
                }
                for (int p = 0; j < nPad && p < 8; p++) {
                    block1x1(src, m + p, j, y, lo, hi);
                }
            }
            for (; m + 4 <= pixels; m += 4) {
                int j = 0;
                for (; j + 2 * L <= nPad; j += 2 * L) {
                    block4x2(src, m, j, y, lo, hi);
                }
                for (int p = 0; j < nPad && p < 4; p++) {
                    block1x1(src, m + p, j, y, lo, hi);
                }
            }
        }
        for (; m < pixels; m++) {
            for (int j = 0; j < nPad; j += L) {
                block1x1(src, m, j, y, lo, hi);
            }
        }
    }

    /** Copies the input into the interior of the zero-bordered buffer. */
    private void load(float[] x) {
        int inH = geo.inH(), rowLen = geo.inW() * inC;
        for (int b = 0; b < geo.batches(); b++) {
            for (int iy = 0; iy < inH; iy++) {
                int dst = ((b * borderedH + iy + borderTop) * borderedW + borderLeft) * inC;
                System.arraycopy(x, (b * inH + iy) * rowLen, bordered, dst, rowLen);
            }
        }
    }

    /** Eight output pixels times one vector of channels (layers of at most {@code L} channels). */
    private void block8x1(float[] src, int m, float[] y, float lo, float hi) {
        int[] pb = pixelBase;
        int b0 = pb[m], b1 = pb[m + 1], b2 = pb[m + 2], b3 = pb[m + 3];
        int b4 = pb[m + 4], b5 = pb[m + 5], b6 = pb[m + 6], b7 = pb[m + 7];
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        float[] w = wp;
        int np = nPad;
        int wi = 0;
        int[] offs = offsets;
        for (int kk = 0; kk < offs.length; kk++, wi += np) {
            int ci = offs[kk];
            FloatVector wv = FloatVector.fromArray(S, w, wi);
            a0 = a0.add(wv.mul(src[b0 + ci]));
            a1 = a1.add(wv.mul(src[b1 + ci]));
            a2 = a2.add(wv.mul(src[b2 + ci]));
            a3 = a3.add(wv.mul(src[b3 + ci]));
            a4 = a4.add(wv.mul(src[b4 + ci]));
            a5 = a5.add(wv.mul(src[b5 + ci]));
            a6 = a6.add(wv.mul(src[b6 + ci]));
            a7 = a7.add(wv.mul(src[b7 + ci]));
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, 1 * L);
        a2.intoArray(sums, 2 * L);
        a3.intoArray(sums, 3 * L);
        a4.intoArray(sums, 4 * L);
        a5.intoArray(sums, 5 * L);
        a6.intoArray(sums, 6 * L);
        a7.intoArray(sums, 7 * L);
        flush(m, 8, 0, 1, y, lo, hi);
    }

    /** Four output pixels times four vectors of channels starting at channel {@code j}. */
    private void block4x4(float[] src, int m, int j, float[] y, float lo, float hi) {
        int[] pb = pixelBase;
        int b0 = pb[m], b1 = pb[m + 1], b2 = pb[m + 2], b3 = pb[m + 3];
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        float[] w = wp;
        int np = nPad;
        int wi = j;
        int[] offs = offsets;
        for (int kk = 0; kk < offs.length; kk++, wi += np) {
            int ci = offs[kk];
            FloatVector w0 = FloatVector.fromArray(S, w, wi);
            FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
            FloatVector w2 = FloatVector.fromArray(S, w, wi + 2 * L);
            FloatVector w3 = FloatVector.fromArray(S, w, wi + 3 * L);
            float x0 = src[b0 + ci];
            a00 = a00.add(w0.mul(x0));
            a01 = a01.add(w1.mul(x0));
            a02 = a02.add(w2.mul(x0));
            a03 = a03.add(w3.mul(x0));
            float x1 = src[b1 + ci];
            a10 = a10.add(w0.mul(x1));
            a11 = a11.add(w1.mul(x1));
            a12 = a12.add(w2.mul(x1));
            a13 = a13.add(w3.mul(x1));
            float x2 = src[b2 + ci];
            a20 = a20.add(w0.mul(x2));
            a21 = a21.add(w1.mul(x2));
            a22 = a22.add(w2.mul(x2));
            a23 = a23.add(w3.mul(x2));
            float x3 = src[b3 + ci];
            a30 = a30.add(w0.mul(x3));
            a31 = a31.add(w1.mul(x3));
            a32 = a32.add(w2.mul(x3));
            a33 = a33.add(w3.mul(x3));
        }
        a00.intoArray(sums, 0);
        a01.intoArray(sums, L);
        a02.intoArray(sums, 2 * L);
        a03.intoArray(sums, 3 * L);
        a10.intoArray(sums, 4 * L);
        a11.intoArray(sums, 5 * L);
        a12.intoArray(sums, 6 * L);
        a13.intoArray(sums, 7 * L);
        a20.intoArray(sums, 8 * L);
        a21.intoArray(sums, 9 * L);
        a22.intoArray(sums, 10 * L);
        a23.intoArray(sums, 11 * L);
        a30.intoArray(sums, 12 * L);
        a31.intoArray(sums, 13 * L);
        a32.intoArray(sums, 14 * L);
        a33.intoArray(sums, 15 * L);
        flush(m, 4, j, 4, y, lo, hi);
    }

    /** Eight output pixels times two vectors of channels starting at channel {@code j}. */
    private void block8x2(float[] src, int m, int j, float[] y, float lo, float hi) {
        int[] pb = pixelBase;
        int b0 = pb[m], b1 = pb[m + 1], b2 = pb[m + 2], b3 = pb[m + 3];
        int b4 = pb[m + 4], b5 = pb[m + 5], b6 = pb[m + 6], b7 = pb[m + 7];
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        float[] w = wp;
        int np = nPad;
        int wi = j;
        int[] offs = offsets;
        for (int kk = 0; kk < offs.length; kk++, wi += np) {
            int ci = offs[kk];
            FloatVector w0 = FloatVector.fromArray(S, w, wi);
            FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
            float x0 = src[b0 + ci];
            a00 = a00.add(w0.mul(x0));
            a01 = a01.add(w1.mul(x0));
            float x1 = src[b1 + ci];
            a10 = a10.add(w0.mul(x1));
            a11 = a11.add(w1.mul(x1));
            float x2 = src[b2 + ci];
            a20 = a20.add(w0.mul(x2));
            a21 = a21.add(w1.mul(x2));
            float x3 = src[b3 + ci];
            a30 = a30.add(w0.mul(x3));
            a31 = a31.add(w1.mul(x3));
            float x4 = src[b4 + ci];
            a40 = a40.add(w0.mul(x4));
            a41 = a41.add(w1.mul(x4));
            float x5 = src[b5 + ci];
            a50 = a50.add(w0.mul(x5));
            a51 = a51.add(w1.mul(x5));
            float x6 = src[b6 + ci];
            a60 = a60.add(w0.mul(x6));
            a61 = a61.add(w1.mul(x6));
            float x7 = src[b7 + ci];
            a70 = a70.add(w0.mul(x7));
            a71 = a71.add(w1.mul(x7));
        }
        a00.intoArray(sums, 0);
        a01.intoArray(sums, L);
        a10.intoArray(sums, 2 * L);
        a11.intoArray(sums, 3 * L);
        a20.intoArray(sums, 4 * L);
        a21.intoArray(sums, 5 * L);
        a30.intoArray(sums, 6 * L);
        a31.intoArray(sums, 7 * L);
        a40.intoArray(sums, 8 * L);
        a41.intoArray(sums, 9 * L);
        a50.intoArray(sums, 10 * L);
        a51.intoArray(sums, 11 * L);
        a60.intoArray(sums, 12 * L);
        a61.intoArray(sums, 13 * L);
        a70.intoArray(sums, 14 * L);
        a71.intoArray(sums, 15 * L);
        flush(m, 8, j, 2, y, lo, hi);
    }

    /** Four output pixels times two vectors of channels starting at channel {@code j}. */
    private void block4x2(float[] src, int m, int j, float[] y, float lo, float hi) {
        int[] pb = pixelBase;
        int b0 = pb[m], b1 = pb[m + 1], b2 = pb[m + 2], b3 = pb[m + 3];
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        float[] w = wp;
        int np = nPad;
        int wi = j;
        int[] offs = offsets;
        for (int kk = 0; kk < offs.length; kk++, wi += np) {
            int ci = offs[kk];
            FloatVector w0 = FloatVector.fromArray(S, w, wi);
            FloatVector w1 = FloatVector.fromArray(S, w, wi + L);
            float x0 = src[b0 + ci], x1 = src[b1 + ci], x2 = src[b2 + ci], x3 = src[b3 + ci];
            a00 = a00.add(w0.mul(x0));
            a01 = a01.add(w1.mul(x0));
            a10 = a10.add(w0.mul(x1));
            a11 = a11.add(w1.mul(x1));
            a20 = a20.add(w0.mul(x2));
            a21 = a21.add(w1.mul(x2));
            a30 = a30.add(w0.mul(x3));
            a31 = a31.add(w1.mul(x3));
        }
        a00.intoArray(sums, 0);
        a01.intoArray(sums, L);
        a10.intoArray(sums, 2 * L);
        a11.intoArray(sums, 3 * L);
        a20.intoArray(sums, 4 * L);
        a21.intoArray(sums, 5 * L);
        a30.intoArray(sums, 6 * L);
        a31.intoArray(sums, 7 * L);
        flush(m, 4, j, 2, y, lo, hi);
    }

    /** One output pixel times one vector of channels starting at channel {@code j}. */
    private void block1x1(float[] src, int m, int j, float[] y, float lo, float hi) {
        int b0 = pixelBase[m];
        FloatVector a = FloatVector.zero(S);
        float[] w = wp;
        int np = nPad;
        int wi = j;
        int[] offs = offsets;
        for (int kk = 0; kk < offs.length; kk++, wi += np) {
            int ci = offs[kk];
            a = a.add(FloatVector.fromArray(S, w, wi).mul(src[b0 + ci]));
        }
        a.intoArray(sums, 0);
        flush(m, 1, j, 1, y, lo, hi);
    }

    /**
     * Adds the bias to a register block's sums ({@link #sums}: per pixel, {@code vectors} vectors of
     * channels from {@code j}), clamps them and copies the channels that exist into {@code y}. A separate
     * method that takes no vectors, and no branch on a vector: the blocks stay small enough for the JIT to
     * keep their vectors in registers, and a layer whose shapes take other branches than the layers the JIT
     * first saw does not deoptimise it into boxing vectors.
     */
    private void flush(int m, int count, int j, int vectors, float[] y, float lo, float hi) {
        float[] s = sums;
        int width = vectors * L;
        for (int si = 0; si < count * width; si += L) {
            int c = j + si % width;
            FloatVector.fromArray(S, s, si).add(FloatVector.fromArray(S, biasPad, c)).min(hi).max(lo).intoArray(s, si);
        }
        int len = Math.min(width, n - j);
        for (int p = 0; p < count; p++) {
            System.arraycopy(s, p * width, y, (m + p) * n + j, len);
        }
    }
}
