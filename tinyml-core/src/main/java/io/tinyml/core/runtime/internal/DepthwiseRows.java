package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

import java.util.Arrays;

/**
 * The accumulation core of float32 and int8 depthwise convolutions, one output row at a time: an
 * output row of {@code outW · outC} values is a flat vector (NHWC), and for one filter tap the input
 * values it reads form a flat vector too, once the input is copied (once per inference) into
 * {@code strideW} column phases, phase {@code p} holding the input columns {@code p, p + strideW, …}
 * with every channel repeated {@code multiplier} times. A tap then adds
 * {@code acc[t] += in[base + t] · w[t]} over a contiguous range of {@code t} (the output columns whose
 * input column is inside the image; taps in the padding are skipped, as TFLite's reference skips
 * them), with the tap's weights tiled across the row at preparation: long loops the JIT vectorises
 * whatever the channel count.
 *
 * <p>Float: per output the taps are added in filter-y, filter-x order to a float32 sum starting at
 * +0.0, each product and addition rounded to float32 and never fused, the contract of
 * {@code dw_f32.c}. Int8: values carry the input offset, the int32 sums wrap as TFLite's accumulator.
 * One instance holds one of the two kinds ({@link #forFloat} or {@link #forInt}); it is one thread's
 * working memory, the tiled weights are shared read only.
 */
final class DepthwiseRows {
    private final ConvGeometry geo;
    private final int outC;
    private final int mult;
    private final int rowLen;
    /** Columns per phase. */
    private final int phaseW;
    /** Per filter column kx: the first output column whose input column is inside, and one past the last. */
    private final int[] oxLo;
    private final int[] oxHi;
    /** Per filter column kx: the offset, in values, of output column 0's input in its phase row. */
    private final int[] tapOff;
    private final float[][] wF;
    private final int[][] wI;
    private final float[] inF;
    private final int[] inI;
    private final float[] accF;
    private final int[] accI;
    /** One tap's input values, copied to the accumulators' indices (Java 17's superword pass vectorises a loop only when its operands share the index). */
    private final float[] tapF;
    private final int[] tapI;
    /** The taps of the current output row ({@link #taps}). */
    private final int[] tapIndex;
    private final int[] tapFrom;
    private final int[] tapTo;
    private final int[] tapSource;

    private DepthwiseRows(ConvGeometry geo, float[][] wF, int[][] wI) {
        this.geo = geo;
        this.outC = geo.outC();
        this.mult = geo.outC() / geo.inC();
        this.rowLen = geo.outW() * outC;
        int sW = geo.strideW();
        this.phaseW = (geo.inW() + sW - 1) / sW;
        int kW = geo.kW();
        this.oxLo = new int[kW];
        this.oxHi = new int[kW];
        this.tapOff = new int[kW];
        for (int kx = 0; kx < kW; kx++) {
            int d = kx * geo.dilationW() - geo.padW();
            // input column ix = ox·sW + d must lie in [0, inW)
            int lo = Math.max(0, Math.floorDiv(-d + sW - 1, sW));
            int hi = Math.min(geo.outW(), Math.floorDiv(geo.inW() - 1 - d, sW) + 1);
            oxLo[kx] = lo;
            oxHi[kx] = Math.max(lo, hi);
            int phase = Math.floorMod(d, sW);
            int shift = Math.floorDiv(d, sW);
            // ix = (ox + shift)·sW + phase: column ox + shift of phase `phase`
            tapOff[kx] = (phase * phaseW + shift) * outC;
        }
        this.wF = wF;
        this.wI = wI;
        int size = geo.batches() * geo.inH() * sW * phaseW * outC;
        this.inF = wF != null ? new float[size] : null;
        this.inI = wI != null ? new int[size] : null;
        this.accF = wF != null ? new float[rowLen] : null;
        this.accI = wI != null ? new int[rowLen] : null;
        this.tapF = wF != null ? new float[rowLen] : null;
        this.tapI = wI != null ? new int[rowLen] : null;
        int taps = geo.kH() * kW;
        this.tapIndex = new int[taps];
        this.tapFrom = new int[taps];
        this.tapTo = new int[taps];
        this.tapSource = new int[taps];
    }

    /** @param taps float weights tiled by {@link #tile(ConvGeometry, float[], float[][])}; read only */
    static DepthwiseRows forFloat(ConvGeometry geo, float[][] taps) {
        return new DepthwiseRows(geo, taps, null);
    }

    /** @param taps int8 weights tiled by {@link #tile(ConvGeometry, byte[], int[][])}; read only */
    static DepthwiseRows forInt(ConvGeometry geo, int[][] taps) {
        return new DepthwiseRows(geo, null, taps);
    }

    /** Allocates tiled weights: one array of {@code outW · outC} per tap. */
    static float[][] floatTaps(ConvGeometry geo) {
        return new float[geo.kH() * geo.kW()][geo.outW() * geo.outC()];
    }

    /** Allocates tiled int weights: one array of {@code outW · outC} per tap. */
    static int[][] intTaps(ConvGeometry geo) {
        return new int[geo.kH() * geo.kW()][geo.outW() * geo.outC()];
    }

    /** Tiles {@code [1, KH, KW, OC]} weights across an output row, tap by tap, into {@code taps}. */
    static float[][] tile(ConvGeometry geo, float[] weights, float[][] taps) {
        int c = geo.outC();
        for (int t = 0; t < taps.length; t++) {
            for (int ox = 0; ox < geo.outW(); ox++) {
                System.arraycopy(weights, t * c, taps[t], ox * c, c);
            }
        }
        return taps;
    }

    /** Tiles {@code [1, KH, KW, OC]} int8 weights across an output row, tap by tap, into {@code taps}. */
    static int[][] tile(ConvGeometry geo, byte[] weights, int[][] taps) {
        int c = geo.outC();
        for (int t = 0; t < taps.length; t++) {
            for (int ox = 0; ox < geo.outW(); ox++) {
                for (int j = 0; j < c; j++) {
                    taps[t][ox * c + j] = weights[t * c + j];
                }
            }
        }
        return taps;
    }

    /** Copies a float32 input into the phase rows. */
    void load(float[] x) {
        int inC = geo.inC(), sW = geo.strideW(), rows = geo.batches() * geo.inH();
        for (int r = 0; r < rows; r++) {
            for (int ix = 0; ix < geo.inW(); ix++) {
                int src = (r * geo.inW() + ix) * inC;
                int dst = ((r * sW + ix % sW) * phaseW + ix / sW) * outC;
                if (mult == 1) {
                    System.arraycopy(x, src, inF, dst, inC);
                } else {
                    for (int ic = 0; ic < inC; ic++) {
                        Arrays.fill(inF, dst + ic * mult, dst + (ic + 1) * mult, x[src + ic]);
                    }
                }
            }
        }
    }

    /** Copies an int8 input into the phase rows with the input offset added. */
    void load(byte[] x, int inOff) {
        int inC = geo.inC(), sW = geo.strideW(), rows = geo.batches() * geo.inH();
        for (int r = 0; r < rows; r++) {
            for (int ix = 0; ix < geo.inW(); ix++) {
                int src = (r * geo.inW() + ix) * inC;
                int dst = ((r * sW + ix % sW) * phaseW + ix / sW) * outC;
                if (mult == 1) {
                    for (int ic = 0; ic < inC; ic++) {
                        inI[dst + ic] = x[src + ic] + inOff;
                    }
                } else {
                    for (int ic = 0; ic < inC; ic++) {
                        Arrays.fill(inI, dst + ic * mult, dst + (ic + 1) * mult, x[src + ic] + inOff);
                    }
                }
            }
        }
    }

    /**
     * Lists the in-bounds taps of output row {@code (b, oy)}, in filter-y, filter-x order: tap index,
     * first and end output value, and where the tap's input values start relative to the first.
     *
     * @return how many taps
     */
    private int taps(int b, int oy) {
        int kH = geo.kH(), kW = geo.kW(), inH = geo.inH(), sW = geo.strideW();
        int iy0 = oy * geo.strideH() - geo.padH();
        int n = 0;
        for (int ky = 0; ky < kH; ky++) {
            int iy = iy0 + geo.dilationH() * ky;
            if (iy < 0 || iy >= inH) {
                continue;
            }
            int rowBase = (b * inH + iy) * sW * phaseW * outC;
            for (int kx = 0; kx < kW; kx++) {
                if (oxLo[kx] < oxHi[kx]) {
                    tapIndex[n] = ky * kW + kx;
                    tapFrom[n] = oxLo[kx] * outC;
                    tapTo[n] = oxHi[kx] * outC;
                    tapSource[n++] = rowBase + tapOff[kx];
                }
            }
        }
        return n;
    }

    /** Sums output row {@code (b, oy)} of the loaded float input into {@link #floatAcc()}. */
    void rowFloat(int b, int oy) {
        float[] a = accF;
        float[] xs = tapF;
        Arrays.fill(a, 0f);
        for (int i = 0, n = taps(b, oy); i < n; i++) {
            float[] wv = wF[tapIndex[i]];
            int t0 = tapFrom[i], t1 = tapTo[i];
            System.arraycopy(inF, tapSource[i] + t0, xs, t0, t1 - t0);
            for (int t = t0; t < t1; t++) {
                a[t] = a[t] + xs[t] * wv[t];
            }
        }
    }

    /** Sums output row {@code (b, oy)} of the loaded int8 input into {@link #intAcc()}. */
    void rowInt(int b, int oy) {
        int[] a = accI;
        int[] xs = tapI;
        Arrays.fill(a, 0);
        for (int i = 0, n = taps(b, oy); i < n; i++) {
            int[] wv = wI[tapIndex[i]];
            int t0 = tapFrom[i], t1 = tapTo[i];
            System.arraycopy(inI, tapSource[i] + t0, xs, t0, t1 - t0);
            for (int t = t0; t < t1; t++) {
                a[t] += xs[t] * wv[t];
            }
        }
    }

    /** @return the float sums of the last {@link #rowFloat} call, {@code outW · outC} in NHWC order */
    float[] floatAcc() {
        return accF;
    }

    /** @return the int sums of the last {@link #rowInt} call, {@code outW · outC} in NHWC order */
    int[] intAcc() {
        return accI;
    }

    /** @return {@code outW · outC} */
    int rowLength() {
        return rowLen;
    }
}
