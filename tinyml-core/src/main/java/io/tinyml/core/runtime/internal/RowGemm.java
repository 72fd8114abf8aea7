package io.tinyml.core.runtime.internal;

import java.util.Arrays;

/**
 * The matrix-product core of the blocked convolutions: output channels' sums over a block of output
 * pixels, {@code acc[i] = Σ_k w[k] · rows[k][i]}, with {@code k} ascending. Each im2col row is its own
 * array and is read at the same index as the accumulators it feeds, which lets the JIT (Java 17's
 * superword pass, without the Vector API) prove the loop free of overlap and vectorise it across
 * pixels; four rows go into each pass over the accumulators. (Passes that update several channels'
 * accumulators at once, or take eight rows, measured several times slower: the superword pass then
 * no longer vectorises the loop.)
 *
 * <p>Float: every output is the sequential float32 sum {@code ((0 + w0·x0) + w1·x1) + …}, each product
 * and each addition rounded to float32, never fused (Java does not contract {@code a·b + c}); the
 * vector lanes run over different outputs, so no output's order of summation changes. This is the
 * float accumulation contract the generated C ({@code conv_f32.c}, built with
 * {@code -ffp-contract=off}) follows too. Integer: the int32 sums wrap as TFLite's int32 accumulator
 * does; integer addition is associative, so the order is free.
 */
final class RowGemm {
    /** Working memory of one block's im2col rows, in values: about 256 KiB of floats or ints (in L2). */
    private static final int ROW_BUDGET = 1 << 16;

    private RowGemm() {
    }

    /**
     * Output pixels per block for {@code k} rows and {@code pixels} output pixels: the pixels split
     * into equal blocks of at most {@code max(32, min(512, budget / k))} (a short last block would run
     * the vector loop mostly in its scalar tail).
     */
    static int blockSize(int k, int pixels) {
        int max = Math.max(32, Math.min(512, ROW_BUDGET / Math.max(1, k)));
        int blocks = (pixels + max - 1) / max;
        return Math.max(1, (pixels + blocks - 1) / Math.max(1, blocks));
    }

    /**
     * Whether a layer with {@code pixels} output pixels and {@code channels} output channels runs
     * its product over the channels (one pixel at a time, {@link #weightRows}) rather than over
     * blocks of pixels: when the channels are the longer loop.
     */
    static boolean channelsInner(int pixels, int channels) {
        return channels > pixels;
    }

    /** Lays {@code [n][k]} float weights out as {@code k} rows of {@code n}: the rows of the channel-inner form. */
    static float[][] weightRows(float[] w, int n, int k) {
        float[][] r = new float[k][n];
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                r[kk][j] = w[j * k + kk];
            }
        }
        return r;
    }

    /** Lays {@code [n][k]} int weights out as {@code k} rows of {@code n}. */
    static int[][] weightRows(int[] w, int n, int k) {
        int[][] r = new int[k][n];
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
     * @param rows the rows
     * @param k the number of rows
     * @param acc receives the sums, starting from +0
     * @param mb the number of values per row to sum
     */
    static void dot(float[] w, int wOff, float[][] rows, int k, float[] acc, int mb) {
        Arrays.fill(acc, 0, mb, 0f);
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            float w0 = w[wOff + kk], w1 = w[wOff + kk + 1], w2 = w[wOff + kk + 2], w3 = w[wOff + kk + 3];
            float[] c0 = rows[kk], c1 = rows[kk + 1], c2 = rows[kk + 2], c3 = rows[kk + 3];
            for (int i = 0; i < mb; i++) {
                acc[i] = acc[i] + w0 * c0[i] + w1 * c1[i] + w2 * c2[i] + w3 * c3[i];
            }
        }
        for (; kk < k; kk++) {
            float w0 = w[wOff + kk];
            float[] c0 = rows[kk];
            for (int i = 0; i < mb; i++) {
                acc[i] = acc[i] + w0 * c0[i];
            }
        }
    }

    /** The int32 form of {@link #dot(float[], int, float[][], int, float[], int)}. */
    static void dot(int[] w, int wOff, int[][] rows, int k, int[] acc, int mb) {
        Arrays.fill(acc, 0, mb, 0);
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            int w0 = w[wOff + kk], w1 = w[wOff + kk + 1], w2 = w[wOff + kk + 2], w3 = w[wOff + kk + 3];
            int[] c0 = rows[kk], c1 = rows[kk + 1], c2 = rows[kk + 2], c3 = rows[kk + 3];
            for (int i = 0; i < mb; i++) {
                acc[i] += w0 * c0[i] + w1 * c1[i] + w2 * c2[i] + w3 * c3[i];
            }
        }
        for (; kk < k; kk++) {
            int w0 = w[wOff + kk];
            int[] c0 = rows[kk];
            for (int i = 0; i < mb; i++) {
                acc[i] += w0 * c0[i];
            }
        }
    }
}
