package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API core of int8 depthwise convolutions with channel multiplier 1: for every output pixel
 * {@code m} and channel {@code c}, {@code acc[m][c] = Σ_t w[t][c] · x[base(m) + off(t) + c]} over the
 * {@link PaddedInput} (border = input zero point; the caller folds {@code inputOffset · Σ_t w[t][c]} and
 * the bias into the requantization). {@link Int8VectorGemm#L} channels per vector, four output pixels and two
 * vectors (else one) of channels per pass, so that each tap's weights are loaded once for four products.
 *
 * <p>Exactness as in {@link Int8VectorGemm}: float32 products and sums of integers below 2<sup>22</sup>
 * (checked by {@link Int8VectorGemm#exact}) are exact, so the result is TFLite's int32 sum whatever the order.
 * Loaded only after {@link VectorSupport#use()}; the packed weights are shared read only, an instance
 * holds one thread's buffers.
 */
final class Int8VectorDepthwise {
    private static final VectorSpecies<Float> F = VectorShape.FLOAT;
    private static final int L = Int8VectorGemm.L;
    /**
     * Whether to run two vectors of channels per pass ({@link #fourPair}): measured faster with 8 lanes,
     * but with 16 lanes (AVX-512) the one-vector pass was 1.3-1.8x faster per layer (person_detect).
     */
    private static final boolean PAIR = L == 8;

    private final PaddedInput input;
    private final float[] buf;
    private final int[] pixelBase;
    private final int[] tapOff;
    private final float[] w;
    private final int cPad;
    private final int[] sums;
    /** Whether each vector holds two neighbouring pixels' channels ({@link #four} with step 2). */
    private final boolean pixelPairs;

    /**
     * @param input the bordered input ({@link PaddedInput#of}, channels = output channels)
     * @param weights packed by {@link #pack}, or by {@link #packPairs} when {@link #pixelPairs} holds
     *                for {@code input}; read only
     */
    Int8VectorDepthwise(PaddedInput input, float[] weights) {
        this.input = input;
        this.buf = input.buffer();
        this.pixelBase = input.pixelBase();
        this.tapOff = input.tapOffset();
        this.pixelPairs = pixelPairs(input);
        this.cPad = pixelPairs ? input.channels() : Int8VectorGemm.roundUp(input.channels(), L);
        this.w = weights;
        this.sums = new int[pixelBase.length * cPad];
    }

    /**
     * Whether a vector can hold two output pixels: the channels fill half a vector (8 channels with 16
     * lanes), every pair of output pixels {@code 2i, 2i + 1} is read from neighbouring input pixels (stride
     * 1 along a row of even width), and the pixels come in whole groups of eight. Then one vector load
     * reads a tap of both pixels, instead of half a vector of zero padding per pixel.
     */
    static boolean pixelPairs(PaddedInput input) {
        int c = input.channels();
        int[] base = input.pixelBase();
        if (2 * c != L || base.length % 8 != 0 || input.pixels() != base.length) {
            return false;
        }
        for (int m = 0; m < base.length; m += 2) {
            if (base[m + 1] != base[m] + c) {
                return false;
            }
        }
        return true;
    }

    /** Packs {@code [1, KH, KW, C]} int8 weights as floats {@code [taps][2C]}, each tap's {@code C} weights twice. */
    static float[] packPairs(byte[] w, int taps, int c) {
        float[] p = new float[taps * 2 * c];
        for (int t = 0; t < taps; t++) {
            for (int j = 0; j < c; j++) {
                p[t * 2 * c + j] = w[t * c + j];
                p[t * 2 * c + c + j] = w[t * c + j];
            }
        }
        return p;
    }

    /** Packs {@code [1, KH, KW, C]} int8 weights as floats {@code [taps][cPad]}, zeros past {@code c}. */
    static float[] pack(byte[] w, int taps, int c) {
        int cPad = Int8VectorGemm.roundUp(c, L);
        float[] p = new float[taps * cPad];
        for (int t = 0; t < taps; t++) {
            for (int j = 0; j < c; j++) {
                p[t * cPad + j] = w[t * c + j];
            }
        }
        return p;
    }

    /** Loads {@code x}, computes every pixel's sums and requantizes them into {@code y}. */
    void run(byte[] x, VectorRequantizer rq, byte[] y) {
        input.load(x);
        if (pixelPairs) {
            for (int m = 0, end = pixelBase.length; m < end; m += 8) {
                four(m, 0, 2);
            }
            Int8VectorGemm.requantize(sums, input.pixels(), cPad, rq, y);
            return;
        }
        int c0 = 0;
        for (; c0 + 2 * L <= cPad && PAIR; c0 += 2 * L) {
            for (int m = 0, end = pixelBase.length; m < end; m += 4) {
                fourPair(m, c0);
            }
        }
        for (; c0 < cPad; c0 += L) {
            for (int m = 0, end = pixelBase.length; m < end; m += 4) {
                four(m, c0, 1);
            }
        }
        Int8VectorGemm.requantize(sums, input.pixels(), cPad, rq, y);
    }

    /** Four pixels from {@code m}, two vectors of channels from {@code c0}: eight independent sums per tap. */
    private void fourPair(int m, int c0) {
        float[] x = buf, wv = w;
        int[] pb = pixelBase, offs = tapOff;
        int b0 = pb[m] + c0, b1 = pb[m + 1] + c0, b2 = pb[m + 2] + c0, b3 = pb[m + 3] + c0;
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, e0 = z, e1 = z, e2 = z, e3 = z;
        for (int t = 0, wi = c0; t < offs.length; t++, wi += cPad) {
            int o = offs[t];
            FloatVector k = FloatVector.fromArray(F, wv, wi);
            FloatVector q = FloatVector.fromArray(F, wv, wi + L);
            a0 = k.mul(FloatVector.fromArray(F, x, b0 + o)).add(a0);
            e0 = q.mul(FloatVector.fromArray(F, x, b0 + o + L)).add(e0);
            a1 = k.mul(FloatVector.fromArray(F, x, b1 + o)).add(a1);
            e1 = q.mul(FloatVector.fromArray(F, x, b1 + o + L)).add(e1);
            a2 = k.mul(FloatVector.fromArray(F, x, b2 + o)).add(a2);
            e2 = q.mul(FloatVector.fromArray(F, x, b2 + o + L)).add(e2);
            a3 = k.mul(FloatVector.fromArray(F, x, b3 + o)).add(a3);
            e3 = q.mul(FloatVector.fromArray(F, x, b3 + o + L)).add(e3);
        }
        int[] s = sums;
        int r = m * cPad + c0;
        FloatVector g = FloatVector.broadcast(F, Int8VectorGemm.MAGIC);
        g.add(a0).reinterpretAsInts().intoArray(s, r);
        g.add(e0).reinterpretAsInts().intoArray(s, r + L);
        g.add(a1).reinterpretAsInts().intoArray(s, r + cPad);
        g.add(e1).reinterpretAsInts().intoArray(s, r + cPad + L);
        g.add(a2).reinterpretAsInts().intoArray(s, r + 2 * cPad);
        g.add(e2).reinterpretAsInts().intoArray(s, r + 2 * cPad + L);
        g.add(a3).reinterpretAsInts().intoArray(s, r + 3 * cPad);
        g.add(e3).reinterpretAsInts().intoArray(s, r + 3 * cPad + L);
    }

    /**
     * Four vectors of sums, one vector of channels from {@code c0} each: of pixels {@code m, m + 1, m + 2,
     * m + 3} ({@code step} 1), or with {@link #pixelPairs} of the pixel pairs from {@code m, m + 2, m + 4,
     * m + 6} ({@code step} 2, each vector two pixels of {@code cPad = L / 2} channels, the weights packed by
     * {@link #packPairs} {@code 2 · cPad} apart). (Stores go through {@code g.add(a)}: see {@link Int8VectorGemm}.)
     */
    private void four(int m, int c0, int step) {
        float[] x = buf, wv = w;
        int[] pb = pixelBase, offs = tapOff;
        int b0 = pb[m] + c0, b1 = pb[m + step] + c0, b2 = pb[m + 2 * step] + c0, b3 = pb[m + 3 * step] + c0;
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        int rows = step * cPad;
        for (int t = 0, wi = c0; t < offs.length; t++, wi += rows) {
            int o = offs[t];
            FloatVector k = FloatVector.fromArray(F, wv, wi);
            a0 = k.mul(FloatVector.fromArray(F, x, b0 + o)).add(a0);
            a1 = k.mul(FloatVector.fromArray(F, x, b1 + o)).add(a1);
            a2 = k.mul(FloatVector.fromArray(F, x, b2 + o)).add(a2);
            a3 = k.mul(FloatVector.fromArray(F, x, b3 + o)).add(a3);
        }
        int[] s = sums;
        int r = m * cPad + c0;
        FloatVector g = FloatVector.broadcast(F, Int8VectorGemm.MAGIC);
        g.add(a0).reinterpretAsInts().intoArray(s, r);
        g.add(a1).reinterpretAsInts().intoArray(s, r + rows);
        g.add(a2).reinterpretAsInts().intoArray(s, r + 2 * rows);
        g.add(a3).reinterpretAsInts().intoArray(s, r + 3 * rows);
    }
}
