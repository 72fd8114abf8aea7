package io.tinyml.core.runtime.internal;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API step of int8 average pooling: adds one window position's int8 values of all channels to
 * the output pixel's int32 sums, {@link VectorShape#LANES} channels at a time (integer sums, so the order
 * of the terms does not matter and the result is the scalar kernel's). Loaded only after
 * {@link VectorSupport#use()}.
 */
final class Int8VectorAvgPool {
    private static final VectorSpecies<Integer> I = VectorShape.INT;
    private static final VectorSpecies<Byte> B = VectorShape.BYTES;
    private static final int L = VectorShape.LANES;

    private Int8VectorAvgPool() {
    }

    /** Whether the step applies: a whole number of vectors of channels. */
    static boolean applies(int channels) {
        return channels % L == 0;
    }

    /** {@code sums[j] += x[xi + j]} for {@code j < c}, {@code c} a multiple of {@link VectorShape#LANES}. */
    static void accumulate(byte[] x, int xi, int[] sums, int c) {
        for (int j = 0; j < c; j += L) {
            IntVector v = (IntVector) ByteVector.fromArray(B, x, xi + j).convertShape(VectorOperators.B2I, I, 0);
            IntVector.fromArray(I, sums, j).add(v).intoArray(sums, j);
        }
    }
}
