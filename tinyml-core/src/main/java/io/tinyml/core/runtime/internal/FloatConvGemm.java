package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * A float32 convolution (one group) computed as a matrix product over blocks of output pixels:
 * {@code out[j][i] = Σ_k w[j][k] · col[k][i]}, where {@code col} is the block's im2col matrix with
 * {@code k} in filter-y, filter-x, input-channel order, one array per row, and the pixel index
 * {@code i} innermost, so that the inner loop vectorises across outputs ({@link RowGemm}).
 *
 * <p>Bit-identical to the sequential float32 sum of each output over its in-bounds taps in that
 * order, then the bias (the contract of {@code conv_f32.c}): accumulators start at +0.0 and so never
 * become −0.0, and a padded tap contributes {@code 0.0 · w}, a signed zero that leaves the sum
 * unchanged. That last step needs finite weights ({@code 0 · ∞} is NaN), so {@link #applies} checks
 * them once.
 */
final class FloatConvGemm {
    private final ConvGeometry geo;
    private final Im2colRows cols;
    private final int k;
    private final float[] w;
    private final float[] acc;
    private final float[][] weightRows;
    private final float[] col;
    private final float[] accN;

    /**
     * @param packed the OHWI weights ({@code [outC][k]}); read only
     * @param weightRows the same weights as {@link RowGemm#weightRows} when the product runs over the
     *                   output channels ({@link RowGemm#channelsInner}), else null; read only
     */
    FloatConvGemm(ConvGeometry geo, float[] packed, float[][] weightRows) {
        this.weightRows = weightRows;
        this.geo = geo;
        this.cols = Im2colRows.forFloat(geo);
        this.k = cols.k();
        this.w = packed;
        this.acc = new float[cols.block()];
        this.col = new float[k];
        this.accN = new float[geo.outC()];
    }

    /** Whether this form applies: one group and finite weights. */
    static boolean applies(ConvGeometry geo, int filterInputChannels, float[] weights) {
        if (filterInputChannels != geo.inC()) {
            return false;
        }
        for (float v : weights) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Runs the convolution: {@code y = clamp(conv(x) + bias, lo, hi)}. */
    void run(float[] x, float[] bias, float[] y, float lo, float hi) {
        int pixelCount = geo.batches() * geo.outH() * geo.outW();
        int n = geo.outC();
        int block = cols.block();
        float[][] rows = cols.floatRows();
        cols.load(x);
        if (weightRows != null) {
            for (int m = 0; m < pixelCount; m++) {
                cols.column(m, col);
                RowGemm.dot(col, 0, weightRows, k, accN, n);
                for (int j = 0; j < n; j++) {
                    float v = bias != null ? accN[j] + bias[j] : accN[j];
                    y[m * n + j] = Math.max(lo, Math.min(hi, v));
                }
            }
            return;
        }
        for (int m0 = 0; m0 < pixelCount; m0 += block) {
            int mb = Math.min(block, pixelCount - m0);
            cols.fill(m0, mb);
            for (int j = 0; j < n; j++) {
                RowGemm.dot(w, j * k, rows, k, acc, mb);
                store(acc, mb, bias, j, y, m0 * n + j, n, lo, hi);
            }
        }
    }

    /** Adds channel {@code j}'s bias to {@code mb} sums and clamps them into {@code y[yOff + i·n]}. */
    private static void store(float[] a, int mb, float[] bias, int j, float[] y, int yOff, int n, float lo, float hi) {
        boolean hasBias = bias != null;
        float b = hasBias ? bias[j] : 0f;
        for (int i = 0; i < mb; i++) {
            float v = hasBias ? a[i] + b : a[i];
            y[yOff + i * n] = Math.max(lo, Math.min(hi, v));
        }
    }
}
