package io.tinyml.core.runtime.internal;

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
    private final int block;
    private final PixelBlock pixels;
    private final int k;
    private final double[] w;
    private final double[][] rows;
    private final int[] tap;
    private final double[] acc;

    /** @param packed the OHWI weights widened to double ({@link PackedWeights#widen(float[])}); read only */
    FloatConvGemm(ConvGeometry geo, double[] packed) {
        this.geo = geo;
        this.k = geo.kH() * geo.kW() * geo.inC();
        this.block = RowGemm.blockSize(k);
        this.pixels = new PixelBlock(geo, block);
        this.w = packed;
        this.rows = RowGemm.rows(k, block);
        this.tap = new int[block];
        this.acc = new double[block];
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
        for (int m0 = 0; m0 < pixelCount; m0 += block) {
            int mb = Math.min(block, pixelCount - m0);
            im2col(x, m0, mb);
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

    /** Fills the block's im2col rows (one per filter-y, filter-x, input channel), zeros at padded taps. */
    private void im2col(float[] x, int m0, int mb) {
        int kH = geo.kH(), kW = geo.kW(), inC = geo.inC();
        pixels.locate(m0, mb);
        int row = 0;
        for (int ky = 0; ky < kH; ky++) {
            int dy = geo.dilationH() * ky;
            for (int kx = 0; kx < kW; kx++) {
                boolean inside = pixels.tap(mb, dy, geo.dilationW() * kx, tap);
                for (int c = 0; c < inC; c++, row++) {
                    double[] r = rows[row];
                    if (inside) {
                        for (int i = 0; i < mb; i++) {
                            r[i] = x[tap[i] + c];
                        }
                    } else {
                        for (int i = 0; i < mb; i++) {
                            int xi = tap[i];
                            r[i] = xi < 0 ? 0.0 : x[xi + c];
                        }
                    }
                }
            }
        }
    }
}
