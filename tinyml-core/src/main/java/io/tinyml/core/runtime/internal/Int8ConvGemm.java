package io.tinyml.core.runtime.internal;

import java.util.Arrays;

/**
 * An int8 convolution (one group) computed as a matrix product over blocks of output pixels, as
 * {@link FloatConvGemm} does for float: {@code acc[j][i] = Σ_k w[j][k] · col[k][i]} in int32 with the
 * pixel index innermost. The im2col matrix holds {@code x + inputOffset}, and 0 at padded taps, which
 * contribute nothing, as TFLite's reference skips them; integer sums do not depend on their order, so
 * the result is TFLite's to the bit. Requantization per output channel follows.
 */
final class Int8ConvGemm {
    /** Output pixels per block. */
    private static final int BLOCK = 256;

    private final ConvGeometry geo;
    private final PixelBlock pixels;
    private final int k;
    private final int[] w;
    private final int[] col;
    private final int[] acc = new int[BLOCK];
    private final int[] acc1 = new int[BLOCK];

    /** @param packed the OHWI weights widened to int ({@link PackedWeights#widen(byte[], int)}); read only */
    Int8ConvGemm(ConvGeometry geo, int[] packed) {
        this.geo = geo;
        this.pixels = new PixelBlock(geo, BLOCK);
        this.k = geo.kH() * geo.kW() * geo.inC();
        this.w = packed;
        this.col = new int[k * BLOCK];
    }

    /**
     * Runs the convolution with requantization.
     *
     * @param x the input
     * @param inOff the input offset (minus the input zero point)
     * @param bias the int32 bias, or null
     * @param mult per-channel multipliers
     * @param shift per-channel shifts
     * @param outOff the output zero point
     * @param lo the activation minimum
     * @param hi the activation maximum
     * @param y the output
     */
    void run(byte[] x, int inOff, int[] bias, int[] mult, int[] shift, int outOff, int lo, int hi, byte[] y) {
        int pixels = geo.batches() * geo.outH() * geo.outW();
        int n = geo.outC();
        for (int m0 = 0; m0 < pixels; m0 += BLOCK) {
            int mb = Math.min(BLOCK, pixels - m0);
            im2col(x, inOff, m0, mb);
            int j = 0;
            for (; j + 2 <= n; j += 2) {
                accumulatePair(j, mb);
                store(acc, j, m0, mb, bias, mult, shift, outOff, lo, hi, y);
                store(acc1, j + 1, m0, mb, bias, mult, shift, outOff, lo, hi, y);
            }
            if (j < n) {
                Arrays.fill(acc, 0, mb, 0);
                int wj = j * k;
                for (int kk = 0; kk < k; kk++) {
                    int wv = w[wj + kk];
                    int c = kk * BLOCK;
                    for (int i = 0; i < mb; i++) {
                        acc[i] += wv * col[c + i];
                    }
                }
                store(acc, j, m0, mb, bias, mult, shift, outOff, lo, hi, y);
            }
        }
    }

    /** Sums output channels j and j+1 of a block, sharing each load of the im2col matrix. */
    private void accumulatePair(int j, int mb) {
        Arrays.fill(acc, 0, mb, 0);
        Arrays.fill(acc1, 0, mb, 0);
        int wj = j * k;
        int wj1 = wj + k;
        int kk = 0;
        for (; kk + 2 <= k; kk += 2) {
            int w0 = w[wj + kk], w1 = w[wj + kk + 1], v0 = w[wj1 + kk], v1 = w[wj1 + kk + 1];
            int c0 = kk * BLOCK, c1 = c0 + BLOCK;
            for (int i = 0; i < mb; i++) {
                int a = col[c0 + i], b = col[c1 + i];
                acc[i] += w0 * a + w1 * b;
                acc1[i] += v0 * a + v1 * b;
            }
        }
        if (kk < k) {
            int w0 = w[wj + kk], v0 = w[wj1 + kk];
            int c0 = kk * BLOCK;
            for (int i = 0; i < mb; i++) {
                acc[i] += w0 * col[c0 + i];
                acc1[i] += v0 * col[c0 + i];
            }
        }
    }

    private void store(int[] sums, int j, int m0, int mb, int[] bias, int[] mult, int[] shift, int outOff, int lo,
                       int hi, byte[] y) {
        int n = geo.outC();
        int b = bias != null ? bias[j] : 0;
        for (int i = 0; i < mb; i++) {
            int a = FixedPoint.multiplyByQuantizedMultiplier(sums[i] + b, mult[j], shift[j]) + outOff;
            y[(m0 + i) * n + j] = (byte) Math.max(lo, Math.min(hi, a));
        }
    }

    /** Fills the block's im2col matrix row by row: {@code x + inOff} inside, 0 at padded taps. */
    private void im2col(byte[] x, int inOff, int m0, int mb) {
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
                        col[r + i] = xi < 0 ? 0 : x[xi] + inOff;
                    }
                }
            }
        }
    }
}
