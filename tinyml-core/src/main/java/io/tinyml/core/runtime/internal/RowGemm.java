package io.tinyml.core.runtime.internal;

import java.util.Arrays;

/**
 * The matrix-product core of the blocked convolutions: one output channel's sums over a block of
 * output pixels, {@code acc[i] = Σ_k w[k] · rows[k][i]}, with {@code k} ascending and every addition
 * rounded in double. Each im2col row is its own array and is read at the same index as the
 * accumulator it feeds, which lets the JIT (Java 17's superword pass, without the Vector API) prove
 * the loop free of overlap and vectorise it; four rows go into each pass over the accumulators.
 *
 * <p>Exactness: a product of two float32 values, or of two integers below 2<sup>26</sup>, is exact in
 * double, so {@code Math.fma(w, x, a)} equals {@code a + w·x} rounded once, as the sequential sum
 * rounds it. Float kernels thus keep their order of summation to the bit; integer kernels, whose
 * sums stay below 2<sup>53</sup>, get exact integers.
 */
final class RowGemm {
    /** Working memory of one block's im2col rows, in doubles. */
    private static final int ROW_BUDGET = 1 << 18;

    private RowGemm() {
    }

    /** Output pixels per block for {@code k} rows: at most 256, fewer for deep filters. */
    static int blockSize(int k) {
        return Math.max(16, Math.min(256, ROW_BUDGET / Math.max(1, k)));
    }

    /** Allocates {@code k} rows of {@code block} doubles. */
    static double[][] rows(int k, int block) {
        double[][] r = new double[k][];
        for (int i = 0; i < k; i++) {
            r[i] = new double[block];
        }
        return r;
    }

    /**
     * Whether a layer with {@code pixels} output pixels and {@code channels} output channels runs
     * its product over the channels (one pixel at a time, {@link #weightRows}) rather than over
     * blocks of pixels: when the channels are the longer loop.
     */
    static boolean channelsInner(int pixels, int channels) {
        return channels > pixels;
    }

    /** Lays {@code [n][k]} weights out as {@code k} rows of {@code n}: the rows of the channel-inner form. */
    static double[][] weightRows(double[] w, int n, int k) {
        double[][] r = new double[k][n];
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                r[kk][j] = w[j * k + kk];
            }
        }
        return r;
    }

    /**
     * Sums one output channel over a block.
     *
     * @param w the weights, {@code w[wOff + kk]} for row {@code kk}
     * @param wOff the channel's first weight
     * @param rows the block's im2col rows
     * @param k the number of rows
     * @param acc receives the sums, starting from +0.0
     * @param mb the number of pixels in the block
     */
    static void dot(double[] w, int wOff, double[][] rows, int k, double[] acc, int mb) {
        Arrays.fill(acc, 0, mb, 0.0);
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            double w0 = w[wOff + kk], w1 = w[wOff + kk + 1], w2 = w[wOff + kk + 2], w3 = w[wOff + kk + 3];
            double[] c0 = rows[kk], c1 = rows[kk + 1], c2 = rows[kk + 2], c3 = rows[kk + 3];
            for (int i = 0; i < mb; i++) {
                acc[i] = Math.fma(w3, c3[i], Math.fma(w2, c2[i], Math.fma(w1, c1[i], Math.fma(w0, c0[i], acc[i]))));
            }
        }
        for (; kk < k; kk++) {
            double w0 = w[wOff + kk];
            double[] c0 = rows[kk];
            for (int i = 0; i < mb; i++) {
                acc[i] = Math.fma(w0, c0[i], acc[i]);
            }
        }
    }
}
