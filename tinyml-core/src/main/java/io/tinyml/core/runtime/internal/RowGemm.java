package io.tinyml.core.runtime.internal;

import java.util.Arrays;

/**
 * The matrix-product core of the blocked convolutions: output channels' sums over a block of output
 * pixels, {@code acc[i] = Σ_k w[k] · rows[k][i]}, with {@code k} ascending. Each im2col row is its own
 * array and is read at the same index as the accumulators it feeds, which lets the JIT (Java 17's
 * superword pass, without the Vector API) prove the loop free of overlap and vectorise it across
 * pixels; four output channels share each pass over a row (register blocking), so a row is read once
 * per four channels.
 *
 * <p>Float: every output is the sequential float32 sum {@code ((0 + w0·x0) + w1·x1) + …}, each product
 * and each addition rounded to float32, never fused (Java does not contract {@code a·b + c}); the
 * vector lanes run over different outputs, so no output's order of summation changes. This is the
 * float accumulation contract the generated C ({@code conv_f32.c}, built with
 * {@code -ffp-contract=off}) follows too. Integer: the int32 sums wrap as TFLite's int32 accumulator
 * does; integer addition is associative, so the order is free.
 */
final class RowGemm {
    /** Working memory of one block's im2col rows, in values: about 128 KiB of floats or ints. */
    private static final int ROW_BUDGET = 1 << 15;

    private RowGemm() {
    }

    /** Output pixels per block for {@code k} rows: at most 256, at least 32. */
    static int blockSize(int k) {
        return Math.max(32, Math.min(256, ROW_BUDGET / Math.max(1, k)));
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
     * Sums four output channels over a block: {@code acc[c][i] = Σ_kk w[(j0 + c)·k + kk] · rows[kk][i]}
     * for c = 0..3, each in ascending {@code kk}, starting from +0.
     *
     * @param w the weights, {@code [channel][k]}
     * @param j0 the first of the four channels
     * @param rows the block's im2col rows
     * @param k the number of rows
     * @param acc four arrays receiving the sums
     * @param mb the number of pixels in the block
     */
    static void dot4(float[] w, int j0, float[][] rows, int k, float[][] acc, int mb) {
        float[] a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
        Arrays.fill(a0, 0, mb, 0f);
        Arrays.fill(a1, 0, mb, 0f);
        Arrays.fill(a2, 0, mb, 0f);
        Arrays.fill(a3, 0, mb, 0f);
        int o0 = j0 * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
        int kk = 0;
        for (; kk + 2 <= k; kk += 2) {
            float[] c0 = rows[kk], c1 = rows[kk + 1];
            float w00 = w[o0 + kk], w01 = w[o0 + kk + 1], w10 = w[o1 + kk], w11 = w[o1 + kk + 1];
            float w20 = w[o2 + kk], w21 = w[o2 + kk + 1], w30 = w[o3 + kk], w31 = w[o3 + kk + 1];
            for (int i = 0; i < mb; i++) {
                float x0 = c0[i], x1 = c1[i];
                a0[i] = a0[i] + w00 * x0 + w01 * x1;
                a1[i] = a1[i] + w10 * x0 + w11 * x1;
                a2[i] = a2[i] + w20 * x0 + w21 * x1;
                a3[i] = a3[i] + w30 * x0 + w31 * x1;
            }
        }
        if (kk < k) {
            float[] c0 = rows[kk];
            float w00 = w[o0 + kk], w10 = w[o1 + kk], w20 = w[o2 + kk], w30 = w[o3 + kk];
            for (int i = 0; i < mb; i++) {
                float x0 = c0[i];
                a0[i] = a0[i] + w00 * x0;
                a1[i] = a1[i] + w10 * x0;
                a2[i] = a2[i] + w20 * x0;
                a3[i] = a3[i] + w30 * x0;
            }
        }
    }

    /**
     * Sums one output channel over a block, as {@link #dot4} does for four.
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

    /** The int32 form of {@link #dot4(float[], int, float[][], int, float[][], int)}. */
    static void dot4(int[] w, int j0, int[][] rows, int k, int[][] acc, int mb) {
        int[] a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
        Arrays.fill(a0, 0, mb, 0);
        Arrays.fill(a1, 0, mb, 0);
        Arrays.fill(a2, 0, mb, 0);
        Arrays.fill(a3, 0, mb, 0);
        int o0 = j0 * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
        int kk = 0;
        for (; kk + 2 <= k; kk += 2) {
            int[] c0 = rows[kk], c1 = rows[kk + 1];
            int w00 = w[o0 + kk], w01 = w[o0 + kk + 1], w10 = w[o1 + kk], w11 = w[o1 + kk + 1];
            int w20 = w[o2 + kk], w21 = w[o2 + kk + 1], w30 = w[o3 + kk], w31 = w[o3 + kk + 1];
            for (int i = 0; i < mb; i++) {
                int x0 = c0[i], x1 = c1[i];
                a0[i] += w00 * x0 + w01 * x1;
                a1[i] += w10 * x0 + w11 * x1;
                a2[i] += w20 * x0 + w21 * x1;
                a3[i] += w30 * x0 + w31 * x1;
            }
        }
        if (kk < k) {
            int[] c0 = rows[kk];
            int w00 = w[o0 + kk], w10 = w[o1 + kk], w20 = w[o2 + kk], w30 = w[o3 + kk];
            for (int i = 0; i < mb; i++) {
                int x0 = c0[i];
                a0[i] += w00 * x0;
                a1[i] += w10 * x0;
                a2[i] += w20 * x0;
                a3[i] += w30 * x0;
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
