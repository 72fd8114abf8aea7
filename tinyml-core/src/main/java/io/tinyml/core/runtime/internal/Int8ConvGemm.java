package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * An int8 convolution (one group) computed as a matrix product over blocks of output pixels, as
 * {@link FloatConvGemm} does for float: {@code acc[j][i] = Σ_k w[j][k] · col[k][i]} over im2col rows
 * holding {@code x + inputOffset}, and 0 at padded taps, which contribute nothing, as TFLite's
 * reference skips them. The sums run in int32 ({@link RowGemm}, which the JIT vectorises across
 * pixels, four output channels per pass), wrapping as TFLite's int32 accumulator does; integer
 * addition is associative, so the order of the terms does not matter. Requantization per output
 * channel follows.
 */
final class Int8ConvGemm {
    private final ConvGeometry geo;
    private final Im2colRows cols;
    private final int k;
    private final int[] w;
    private final int[] acc;
    private final Requantizer rq;
    private final int[][] weightRows;
    private final int[] col;
    private final int[] accN;

    /**
     * @param packed the OHWI int8 weights widened to int ({@link PackedWeights#widen(byte[], int)}); read only
     * @param weightRows the same weights as {@link RowGemm#weightRows} when the product runs over the
     *                   output channels ({@link RowGemm#channelsInner}), else null; read only
     * @param rq the per-channel requantization
     */
    Int8ConvGemm(ConvGeometry geo, int[] packed, int[][] weightRows, Requantizer rq) {
        this.rq = rq;
        this.weightRows = weightRows;
        this.geo = geo;
        this.cols = Im2colRows.forInt(geo);
        this.k = cols.k();
        this.w = packed;
        this.acc = new int[cols.block()];
        this.col = new int[k];
        this.accN = new int[geo.outC()];
    }

    /**
     * Runs the convolution with requantization.
     *
     * @param x the input
     * @param inOff the input offset (minus the input zero point)
     * @param bias the int32 bias, or null
     * @param outOff the output zero point
     * @param lo the activation minimum
     * @param hi the activation maximum
     * @param y the output
     */
    void run(byte[] x, int inOff, int[] bias, int outOff, int lo, int hi, byte[] y) {
        int pixelCount = geo.batches() * geo.outH() * geo.outW();
        int n = geo.outC();
        int block = cols.block();
        int[][] rows = cols.intRows();
        cols.load(x, inOff);
        if (weightRows != null) {
            for (int m = 0; m < pixelCount; m++) {
                cols.column(m, col);
                RowGemm.dot(col, 0, weightRows, k, accN, n);
                for (int j = 0; j < n; j++) {
                    int a = accN[j];
                    a = rq.scale(bias != null ? a + bias[j] : a, j) + outOff;
                    y[m * n + j] = (byte) Math.max(lo, Math.min(hi, a));
                }
            }
            return;
        }
        for (int m0 = 0; m0 < pixelCount; m0 += block) {
            int mb = Math.min(block, pixelCount - m0);
            cols.fill(m0, mb);
            for (int j = 0; j < n; j++) {
                RowGemm.dot(w, j * k, rows, k, acc, mb);
                store(acc, mb, bias, j, outOff, lo, hi, y, m0 * n + j, n);
            }
        }
    }

    /** Requantizes {@code mb} sums of channel {@code j} into {@code y[yOff + i·n]}. */
    private void store(int[] a, int mb, int[] bias, int j, int outOff, int lo, int hi, byte[] y, int yOff, int n) {
        int b = bias != null ? bias[j] : 0;
        for (int i = 0; i < mb; i++) {
            int v = rq.scale(a[i] + b, j) + outOff;
            y[yOff + i * n] = (byte) Math.max(lo, Math.min(hi, v));
        }
    }
}
