package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API core of int8 convolutions (one group) and fully-connected layers: for every output
 * pixel {@code m} and output channel {@code j}, {@code acc[m][j] = Σ_k w[j][k] · x[base(m) + off(k)]}
 * over the int8 input copied once per inference into a buffer whose border (the padding) holds the
 * input zero point, so that a padded tap contributes {@code w · (zp + inputOffset) = 0} once the
 * caller adds {@code inputOffset · Σ_k w[j][k]} to every sum (TFLite's reference skips padded taps;
 * the two agree exactly). The caller's {@link VectorRequantizer} folds that term and the bias in.
 *
 * <p>Exactness: the products and sums run in float32 lanes of {@link VectorShape#FLOAT} ({@link #L}
 * lanes; a multiplication and an addition), over output channels (weights laid out at
 * preparation as panels {@code [k][4L]}, the last one narrower), two or four output pixels at a time
 * with the input value broadcast. Every product of an int8 input and a weight, and every partial sum,
 * is an integer of magnitude at most {@code 128 · Σ_k |w[j][k]|}; {@link #exact} admits only weights
 * keeping that below 2<sup>22</sup>, so every float operation is exact, the order of the terms does
 * not matter, and adding {@code 1.5 · 2^23} turns a sum into its int32 bit pattern plus
 * {@link #MAGIC_BITS} (no float-to-int conversion, which C2 does not compile on every shape). The
 * kernels store those bits as int32 and their {@link VectorRequantizer} subtracts {@link #MAGIC_BITS}
 * with the bias (see {@link Int8VectorKernels}), so the requantized value is TFLite's, from TFLite's
 * int32 sum. (The subtraction is not done here: at 16 lanes the extra int operations made C2 stop
 * intrinsifying the stores of the widest tile.)
 *
 * <p>Loaded only after {@link VectorSupport#use()}. The panels are shared read only; an instance holds
 * one thread's buffers.
 */
final class Int8VectorGemm {
    private static final VectorSpecies<Float> F = VectorShape.FLOAT;
    /** Float lanes per vector (8 or 16). */
    static final int L = VectorShape.LANES;
    /** Output channels per wide panel. */
    private static final int WIDE = 4 * L;
    /** {@code 1.5 · 2^23}: added to an integer-valued float of magnitude below 2^22, its bits minus {@link #MAGIC_BITS} are the integer. */
    static final float MAGIC = 12582912f;
    /** The bits of {@link #MAGIC}. */
    static final int MAGIC_BITS = 0x4B400000;
    /** The bound on |sum| below which the float sums are exact and {@link VectorRequantizer} converts them. */
    private static final long LIMIT = 1L << 22;

    private final int pixels;
    private final int nPad;
    private final PaddedInput input;
    private final float[] buf;
    private final int[] pixelBase;
    /** Per row {@code k} of the product, its value's offset in the buffer from the pixel's base. */
    private final int[] kOff;
    private final float[] panels;
    /** The sums, {@code [pixels rounded up to 4][nPad]}. */
    private final int[] sums;

    /**
     * @param input the input buffer and its addressing
     * @param n output channels
     * @param panels the weights packed by {@link #pack}; read only
     */
    Int8VectorGemm(PaddedInput input, int n, float[] panels) {
        this.input = input;
        this.buf = input.buffer();
        this.pixelBase = input.pixelBase();
        this.pixels = input.pixels();
        this.nPad = roundUp(n, L);
        int channels = input.channels();
        int[] tapOff = input.tapOffset();
        this.kOff = new int[tapOff.length * channels];
        for (int t = 0; t < tapOff.length; t++) {
            for (int c = 0; c < channels; c++) {
                kOff[t * channels + c] = tapOff[t] + c;
            }
        }
        this.panels = panels;
        this.sums = new int[pixelBase.length * nPad];
    }

    static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /**
     * Whether int8 weights (plus {@code offset}) keep every sum exact: {@code 128 · Σ_k |w| < 2^22} for every
     * output channel, channel {@code j}'s term {@code kk} at {@code w[j · jStride + kk · kStride]}
     * ({@code [n][k]} weights: strides {@code k, 1}; depthwise {@code [taps][c]}: {@code 1, c}).
     */
    static boolean exact(byte[] w, int n, int k, int jStride, int kStride, int offset) {
        for (int j = 0; j < n; j++) {
            long s = 0;
            for (int kk = 0; kk < k; kk++) {
                s += Math.abs(w[j * jStride + kk * kStride] + offset);
            }
            if (128 * s >= LIMIT) {
                return false;
            }
        }
        return true;
    }

    /** {@code Σ_k (w + offset)} per output channel {@code j}, addressed as in {@link #exact}. */
    static int[] sums(byte[] w, int n, int k, int jStride, int kStride, int offset) {
        int[] s = new int[n];
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                s[j] += w[j * jStride + kk * kStride] + offset;
            }
        }
        return s;
    }

    /**
     * Packs {@code [n][k]} int8 weights (plus {@code offset}) as floats in panels of {@link #WIDE}
     * output channels, {@code [k][4L]} each, and a last panel {@code [k][r]} for the remaining
     * channels rounded up to a multiple of {@link #L} (zeros past {@code n}).
     */
    static float[] pack(byte[] w, int n, int k, int offset) {
        int nPad = roundUp(n, L);
        float[] p = new float[nPad * k];
        for (int n0 = 0; n0 < nPad; n0 += WIDE) {
            int width = Math.min(WIDE, nPad - n0);
            int base = n0 * k;
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < width && n0 + j < n; j++) {
                    p[base + kk * width + j] = w[(n0 + j) * k + kk] + offset;
                }
            }
        }
        return p;
    }

    /** Loads {@code x}, computes the sums of all pixels and channels and requantizes them into {@code y}. */
    void run(byte[] x, VectorRequantizer rq, byte[] y) {
        input.load(x);
        int k = kOff.length;
        int wideEnd = nPad / WIDE * WIDE;
        for (int m = 0, end = pixelBase.length; m < end; m += 4) {
            for (int n0 = 0; n0 < wideEnd; n0 += WIDE) {
                wide(m, n0 * k, n0);
                wide(m + 2, n0 * k, n0);
            }
            int n0 = wideEnd;
            for (; n0 + 2 * L <= nPad; n0 += 2 * L) {
                pair(m, wideEnd * k, nPad - wideEnd, n0 - wideEnd, n0);
            }
            if (n0 < nPad) {
                narrow(m, wideEnd * k, nPad - wideEnd, n0 - wideEnd, n0);
            }
        }
        requantize(sums, pixels, nPad, rq, y);
    }

    /** Requantizes sums {@code [pixels][nPad]} into {@code y} {@code [pixels][rq's channels]}. */
    static void requantize(int[] sums, int pixels, int nPad, VectorRequantizer rq, byte[] y) {
        int n = rq.channels();
        if (n % VectorRequantizer.LANES == 0) {
            // whole groups (also 8 channels in 16-lane rows): per-pixel calls were 4.5x slower
            rq.pixelsStrided(sums, nPad, y, pixels);
            return;
        }
        for (int p = 0; p < pixels; p++) {
            rq.pixel(sums, p * nPad, y, p * n);
        }
    }

    /*
     * Every vector stored after a loop is first added to a fresh vector (here the magic constant, which
     * turns the exact float sum into its int32 bits plus MAGIC_BITS, stored as they are): a vector carried
     * by a loop may reach the store with an inexact static type, and C2 (Java 17) then fails to intrinsify
     * the store in some compilations and leaves the whole kernel to the Java fallback (~15x slower).
     */

    /**
     * Two pixels from {@code m}, {@code 4L} channels from {@code n0}, panel at {@code wBase}. (Small on purpose:
     * C2 inlines a bounded amount of Vector API code into one method, and a larger tile left some
     * operations to their slow Java fallback in some compilations.)
     */
    private void wide(int m, int wBase, int n0) {
        float[] x = buf, w = panels;
        int b0 = pixelBase[m], b1 = pixelBase[m + 1];
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        int[] offs = kOff;
        for (int kk = 0, wi = wBase; kk < offs.length; kk++, wi += WIDE) {
            int c = offs[kk];
            FloatVector w0 = FloatVector.fromArray(F, w, wi);
            FloatVector w1 = FloatVector.fromArray(F, w, wi + L);
            FloatVector w2 = FloatVector.fromArray(F, w, wi + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, w, wi + 3 * L);
            FloatVector v = FloatVector.broadcast(F, x[b0 + c]);
            a00 = w0.mul(v).add(a00);
            a01 = w1.mul(v).add(a01);
            a02 = w2.mul(v).add(a02);
            a03 = w3.mul(v).add(a03);
            v = FloatVector.broadcast(F, x[b1 + c]);
            a10 = w0.mul(v).add(a10);
            a11 = w1.mul(v).add(a11);
            a12 = w2.mul(v).add(a12);
            a13 = w3.mul(v).add(a13);
        }
        int[] out = sums;
        int r = m * nPad + n0;
        FloatVector g = FloatVector.broadcast(F, MAGIC);
        g.add(a00).reinterpretAsInts().intoArray(out, r);
        g.add(a01).reinterpretAsInts().intoArray(out, r + L);
        g.add(a02).reinterpretAsInts().intoArray(out, r + 2 * L);
        g.add(a03).reinterpretAsInts().intoArray(out, r + 3 * L);
        r += nPad;
        g.add(a10).reinterpretAsInts().intoArray(out, r);
        g.add(a11).reinterpretAsInts().intoArray(out, r + L);
        g.add(a12).reinterpretAsInts().intoArray(out, r + 2 * L);
        g.add(a13).reinterpretAsInts().intoArray(out, r + 3 * L);
    }

    /**
     * Four pixels from {@code m}, {@code 2L} channels from {@code n0}: columns {@code col .. col + 2L − 1} of the
     * panel at {@code wBase} of {@code width} channels.
     */
    private void pair(int m, int wBase, int width, int col, int n0) {
        float[] x = buf, w = panels;
        int b0 = pixelBase[m], b1 = pixelBase[m + 1], b2 = pixelBase[m + 2], b3 = pixelBase[m + 3];
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, c0 = z, c1 = z, c2 = z, c3 = z;
        int[] offs = kOff;
        for (int kk = 0, wi = wBase + col; kk < offs.length; kk++, wi += width) {
            int c = offs[kk];
            FloatVector w0 = FloatVector.fromArray(F, w, wi);
            FloatVector w1 = FloatVector.fromArray(F, w, wi + L);
            FloatVector v = FloatVector.broadcast(F, x[b0 + c]);
            a0 = w0.mul(v).add(a0);
            c0 = w1.mul(v).add(c0);
            v = FloatVector.broadcast(F, x[b1 + c]);
            a1 = w0.mul(v).add(a1);
            c1 = w1.mul(v).add(c1);
            v = FloatVector.broadcast(F, x[b2 + c]);
            a2 = w0.mul(v).add(a2);
            c2 = w1.mul(v).add(c2);
            v = FloatVector.broadcast(F, x[b3 + c]);
            a3 = w0.mul(v).add(a3);
            c3 = w1.mul(v).add(c3);
        }
        int r = m * nPad + n0;
        int[] out = sums;
        FloatVector g = FloatVector.broadcast(F, MAGIC);
        g.add(a0).reinterpretAsInts().intoArray(out, r);
        g.add(c0).reinterpretAsInts().intoArray(out, r + L);
        g.add(a1).reinterpretAsInts().intoArray(out, r + nPad);
        g.add(c1).reinterpretAsInts().intoArray(out, r + nPad + L);
        g.add(a2).reinterpretAsInts().intoArray(out, r + 2 * nPad);
        g.add(c2).reinterpretAsInts().intoArray(out, r + 2 * nPad + L);
        g.add(a3).reinterpretAsInts().intoArray(out, r + 3 * nPad);
        g.add(c3).reinterpretAsInts().intoArray(out, r + 3 * nPad + L);
    }

    /**
     * Four pixels from {@code m}, {@code L} channels from {@code n0}: column {@code col} of the panel at
     * {@code wBase} of {@code width} channels.
     */
    private void narrow(int m, int wBase, int width, int col, int n0) {
        float[] x = buf, w = panels;
        int b0 = pixelBase[m], b1 = pixelBase[m + 1], b2 = pixelBase[m + 2], b3 = pixelBase[m + 3];
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int[] offs = kOff;
        for (int kk = 0, wi = wBase + col; kk < offs.length; kk++, wi += width) {
            int c = offs[kk];
            FloatVector w0 = FloatVector.fromArray(F, w, wi);
            a0 = w0.mul(FloatVector.broadcast(F, x[b0 + c])).add(a0);
            a1 = w0.mul(FloatVector.broadcast(F, x[b1 + c])).add(a1);
            a2 = w0.mul(FloatVector.broadcast(F, x[b2 + c])).add(a2);
            a3 = w0.mul(FloatVector.broadcast(F, x[b3 + c])).add(a3);
        }
        int r = m * nPad + n0;
        int[] out = sums;
        FloatVector g = FloatVector.broadcast(F, MAGIC);
        g.add(a0).reinterpretAsInts().intoArray(out, r);
        g.add(a1).reinterpretAsInts().intoArray(out, r + nPad);
        g.add(a2).reinterpretAsInts().intoArray(out, r + 2 * nPad);
        g.add(a3).reinterpretAsInts().intoArray(out, r + 3 * nPad);
    }
}
