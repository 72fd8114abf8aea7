package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.ConvGeometry;

/**
 * A float32 convolution (one group) computed as a matrix product over blocks of output pixels:
 * {@code out[j][i] = Σ_k w[j][k] · col[k][i]}, where {@code col} is the block's im2col matrix with
 * {@code k} in filter-y, filter-x, input-channel order, one array per row, and the pixel index
 * {@code i} innermost, so that the inner loop vectorises ({@link RowGemm}).
 *
 * <p>Bit-identical to summing each output over its in-bounds taps in that order: every product of
 * two floats is exact in double, accumulators start at +0.0 and so never become −0.0, and a padded
 * tap contributes {@code 0.0 · w}, a signed zero that leaves the sum unchanged. That last step needs
 * finite weights ({@code 0 · ∞} is NaN), so {@link #applies} checks them once.
 */
final class FloatConvGemm {
    private final ConvGeometry geo;
    private final Im2colRows cols;
    private final int k;
    private final double[] w;
    private final double[] acc;
    private final double[][] weightRows;
    private final double[] col;
    private final double[] accN;

    /**
     * @param packed the OHWI weights widened to double ({@link PackedWeights#widen(float[])}); read only
     * @param weightRows the same weights as {@link RowGemm#weightRows} when the product runs over the
     *                   output channels ({@link RowGemm#channelsInner}), else null; read only
     */
    FloatConvGemm(ConvGeometry geo, double[] packed, double[][] weightRows) {
        this.weightRows = weightRows;
        this.geo = geo;
        this.cols = new Im2colRows(geo);
        this.k = cols.k();
        this.w = packed;
        this.acc = new double[cols.block()];
        this.col = new double[k];
        this.accN = new double[geo.outC()];
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
        double[][] rows = cols.rows();
        cols.load(x);
        if (weightRows != null) {
            for (int m = 0; m < pixelCount; m++) {
                cols.column(m, col);
                RowGemm.dot(col, 0, weightRows, k, accN, n);
                for (int j = 0; j < n; j++) {
                    double a = bias != null ? accN[j] + bias[j] : accN[j];
                    y[m * n + j] = Math.max(lo, Math.min(hi, (float) a));
                }
            }
            return;
        }
        for (int m0 = 0; m0 < pixelCount; m0 += block) {
            int mb = Math.min(block, pixelCount - m0);
            cols.fill(m0, mb);
            for (int j = 0; j < n; j++) {
                RowGemm.dot(w, j * k, rows, k, acc, mb);
                double b = bias != null ? bias[j] : 0.0;
                boolean hasBias = bias != null;
                for (int i = 0; i < mb; i++) {
                    double a = hasBias ? acc[i] + b : acc[i];
                    y[(m0 + i) * n + j] = Math.max(lo, Math.min(hi, (float) a));
                }
            }
        }
    }
}
