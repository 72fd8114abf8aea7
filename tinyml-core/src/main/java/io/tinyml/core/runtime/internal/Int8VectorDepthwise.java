package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API core of int8 depthwise convolutions with channel multiplier 1: for every output pixel
 * {@code m} and channel {@code c}, {@code acc[m][c] = Σ_t w[t][c] · x[base(m) + off(t) + c]} over the
 * {@link PaddedInput} (border = input zero point; the caller folds {@code inputOffset · Σ_t w[t][c]} and
 * the bias into the requantization). Eight channels per vector, four output pixels and sixteen (else eight)
 * channels per pass, so that each tap's weights are loaded once for four products.
 *
 * <p>Exactness as in {@link Int8VectorGemm}: float32 products and sums of integers below 2<sup>22</sup>
 * (checked by {@link Int8VectorGemm#exact}) are exact, so the result is TFLite's int32 sum whatever the order.
 * Loaded only after {@link VectorSupport#use()}; the packed weights are shared read only, an instance
 * holds one thread's buffers.
 */
final class Int8VectorDepthwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int L = Int8VectorGemm.L;

    private final PaddedInput input;
    private final float[] buf;
    private final int[] pixelBase;
    private final int[] tapOff;
    private final float[] w;
    private final int cPad;
    private final float[] sums;

    /**
     * @param input the bordered input ({@link PaddedInput#of}, channels = output channels)
     * @param weights packed by {@link #pack}; read only
     */
    Int8VectorDepthwise(PaddedInput input, float[] weights) {
        this.input = input;
        this.buf = input.buffer();
        this.pixelBase = input.pixelBase();
        this.tapOff = input.tapOffset();
        this.cPad = Int8VectorGemm.roundUp(input.channels(), L);
        this.w = weights;
        this.sums = new float[pixelBase.length * cPad];
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
        int c0 = 0;
        for (; c0 + 2 * L <= cPad; c0 += 2 * L) {
            for (int m = 0, end = pixelBase.length; m < end; m += 4) {
                fourPair(m, c0);
            }
        }
        if (c0 < cPad) {
            for (int m = 0, end = pixelBase.length; m < end; m += 4) {
                four(m, c0);
            }
        }
        Int8VectorGemm.requantize(sums, input.pixels(), cPad, rq, y);
    }

    /** Four pixels from {@code m}, channels {@code c0 .. c0 + 15}: eight independent sums per tap. */
    private void fourPair(int m, int c0) {
        float[] x = buf, wv = w;
        int[] pb = pixelBase, offs = tapOff;
        int b0 = pb[m] + c0, b1 = pb[m + 1] + c0, b2 = pb[m + 2] + c0, b3 = pb[m + 3] + c0;
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, e0 = z, e1 = z, e2 = z, e3 = z;
        for (int t = 0, wi = c0; t < offs.length; t++, wi += cPad) {
            int o = offs[t];
            FloatVector k = FloatVector.fromArray(F, wv, wi);
            FloatVector q = FloatVector.fromArray(F, wv, wi + 8);
            a0 = k.mul(FloatVector.fromArray(F, x, b0 + o)).add(a0);
            e0 = q.mul(FloatVector.fromArray(F, x, b0 + o + 8)).add(e0);
            a1 = k.mul(FloatVector.fromArray(F, x, b1 + o)).add(a1);
            e1 = q.mul(FloatVector.fromArray(F, x, b1 + o + 8)).add(e1);
            a2 = k.mul(FloatVector.fromArray(F, x, b2 + o)).add(a2);
            e2 = q.mul(FloatVector.fromArray(F, x, b2 + o + 8)).add(e2);
            a3 = k.mul(FloatVector.fromArray(F, x, b3 + o)).add(a3);
            e3 = q.mul(FloatVector.fromArray(F, x, b3 + o + 8)).add(e3);
        }
        float[] s = sums;
        int r = m * cPad + c0;
        z.add(a0).intoArray(s, r);
        z.add(e0).intoArray(s, r + 8);
        z.add(a1).intoArray(s, r + cPad);
        z.add(e1).intoArray(s, r + cPad + 8);
        z.add(a2).intoArray(s, r + 2 * cPad);
        z.add(e2).intoArray(s, r + 2 * cPad + 8);
        z.add(a3).intoArray(s, r + 3 * cPad);
        z.add(e3).intoArray(s, r + 3 * cPad + 8);
    }

    /**
     * Four pixels from {@code m}, channels {@code c0 .. c0 + 7}. (Stores go through {@code z.add(a)}:
     * see {@link Int8VectorGemm}.)
     */
    private void four(int m, int c0) {
        float[] x = buf, wv = w;
        int[] pb = pixelBase, offs = tapOff;
        int b0 = pb[m] + c0, b1 = pb[m + 1] + c0, b2 = pb[m + 2] + c0, b3 = pb[m + 3] + c0;
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
        for (int t = 0, wi = c0; t < offs.length; t++, wi += cPad) {
            int o = offs[t];
            FloatVector k = FloatVector.fromArray(F, wv, wi);
            a0 = k.mul(FloatVector.fromArray(F, x, b0 + o)).add(a0);
            a1 = k.mul(FloatVector.fromArray(F, x, b1 + o)).add(a1);
            a2 = k.mul(FloatVector.fromArray(F, x, b2 + o)).add(a2);
            a3 = k.mul(FloatVector.fromArray(F, x, b3 + o)).add(a3);
        }
        float[] s = sums;
        int r = m * cPad + c0;
        z.add(a0).intoArray(s, r);
        z.add(a1).intoArray(s, r + cPad);
        z.add(a2).intoArray(s, r + 2 * cPad);
        z.add(a3).intoArray(s, r + 3 * cPad);
    }
}
