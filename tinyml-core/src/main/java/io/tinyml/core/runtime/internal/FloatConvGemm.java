package io.tinyml.core.runtime.internal;

/**
 * A float32 convolution (one group) computed as a matrix product over blocks of output pixels:
 * {@code out[j][i] = Σ_k w[j][k] · col[k][i]}, where {@code col} is the block's im2col matrix with
 * {@code k} in filter-y, filter-x, input-channel order and the pixel index {@code i} innermost, so
 * that the inner loop is a long unit-stride {@code axpy} the JIT vectorises.
 *
 * <p>Bit-identical to summing each output over its in-bounds taps in that order: every product of
 * two floats is exact in double, accumulators start at +0.0 and so never become −0.0, and a padded
 * tap contributes {@code 0.0 · w}, a signed zero that leaves the sum unchanged. That last step needs
 * finite weights ({@code 0 · ∞} is NaN), so {@link #applies} checks them once.
 */
final class FloatConvGemm {
    /** Output pixels per block: the block's im2col matrix and accumulators stay in cache. */
    private static final int BLOCK = 256;

    private final ConvGeometry geo;
    private final PixelBlock pixels;
    private final int k;
    private final double[] w;
    private final double[] col;
    private final double[] acc;
    private final double[] acc1;

    /** @param packed the OHWI weights widened to double ({@link PackedWeights#widen(float[])}); read only */
    FloatConvGemm(ConvGeometry geo, double[] packed) {
        this.geo = geo;
        this.pixels = new PixelBlock(geo, BLOCK);
        this.k = geo.kH() * geo.kW() * geo.inC();
        this.w = packed;
        this.col = new double[k * BLOCK];
        this.acc = new double[BLOCK];
        this.acc1 = new double[BLOCK];
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
        int pixels = geo.batches() * geo.outH() * geo.outW();
        int n = geo.outC();
        for (int m0 = 0; m0 < pixels; m0 += BLOCK) {
            int mb = Math.min(BLOCK, pixels - m0);
            im2col(x, m0, mb);
            int j = 0;
            for (; j + 2 <= n; j += 2) {
                accumulatePair(j, mb);
                store(acc, j, m0, mb, bias, y, lo, hi);
                store(acc1, j + 1, m0, mb, bias, y, lo, hi);
            }
            if (j < n) {
                accumulate(j, mb);
                store(acc, j, m0, mb, bias, y, lo, hi);
            }
        }
    }

    /**
     * Sums output channels j and j+1 of a block: two accumulator rows share each load of the im2col
     * matrix; the additions into each stay in k order, each rounded.
     */
    private void accumulatePair(int j, int mb) {
        java.util.Arrays.fill(acc, 0, mb, 0.0);
        java.util.Arrays.fill(acc1, 0, mb, 0.0);
        int wj = j * k;
        int wj1 = wj + k;
        int kk = 0;
        for (; kk + 2 <= k; kk += 2) {
            double w0 = w[wj + kk], w1 = w[wj + kk + 1], v0 = w[wj1 + kk], v1 = w[wj1 + kk + 1];
            int c0 = kk * BLOCK, c1 = c0 + BLOCK;
            for (int i = 0; i < mb; i++) {
                double x0 = col[c0 + i], x1 = col[c1 + i];
                acc[i] = (acc[i] + w0 * x0) + w1 * x1;
                acc1[i] = (acc1[i] + v0 * x0) + v1 * x1;
            }
        }
        if (kk < k) {
            double w0 = w[wj + kk], v0 = w[wj1 + kk];
            int c0 = kk * BLOCK;
            for (int i = 0; i < mb; i++) {
                acc[i] += w0 * col[c0 + i];
                acc1[i] += v0 * col[c0 + i];
            }
        }
    }

    /** Sums output channel j of a block into {@code acc}. */
    private void accumulate(int j, int mb) {
        java.util.Arrays.fill(acc, 0, mb, 0.0);
        int wj = j * k;
        for (int kk = 0; kk < k; kk++) {
            double wv = w[wj + kk];
            int c = kk * BLOCK;
            for (int i = 0; i < mb; i++) {
                acc[i] += wv * col[c + i];
            }
        }
    }

    private void store(double[] sums, int j, int m0, int mb, float[] bias, float[] y, float lo, float hi) {
        int n = geo.outC();
        for (int i = 0; i < mb; i++) {
            double a = bias != null ? sums[i] + bias[j] : sums[i];
            y[(m0 + i) * n + j] = Math.max(lo, Math.min(hi, (float) a));
        }
    }

    /** Fills the block's im2col matrix row by row (unit-stride writes), zeros at padded taps. */
    private void im2col(float[] x, int m0, int mb) {
        int kH = geo.kH(), kW = geo.kW(), inC = geo.inC();
        pixels.locate(m0, mb);
        int row = 0;
        for (int ky = 0; ky < kH; ky++) {
            int dy = geo.dilationH() * ky;
            for (int kx = 0; kx < kW; kx++) {
                int dx = geo.dilationW() * kx;
                for (int c = 0; c < inC; c++, row++) {
                    int r = row * BLOCK;
                    for (int i = 0; i < mb; i++) {
                        int xi = pixels.inputIndex(i, dy, dx, c);
                        col[r + i] = xi < 0 ? 0.0 : x[xi];
                    }
                }
            }
        }
    }
}
