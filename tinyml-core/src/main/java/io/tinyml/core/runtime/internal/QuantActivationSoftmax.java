package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.GemmlowpFixedPoint;
import io.tinyml.core.quant.SoftmaxParams;

/**
 * Integer SOFTMAX over the last axis with an INT8 input and an INT8 or INT16 output, as TFLite
 * Micro computes it: the input differences to the row maximum are scaled into Q5.26 and
 * exponentiated as {@link SoftmaxParams} prepares (the C generator emits the same table), summed
 * in Q12.19, inverted with {@code GetReciprocal} and the products shifted down to the output type; differences below {@code diffMin} contribute nothing
 * and output the type's minimum. The exponentials of the 256 possible differences are tabulated
 * once at preparation (they depend on the difference only), which changes no bit.
 *
 * <p>A prepared instance is bound to its arrays and is not thread-safe.
 */
final class QuantActivationSoftmax implements Kernel {
    /** Integer bits of the sum of exponentials (Q12.19). */
    static final int ACCUMULATION_INTEGER_BITS = 12;

    private final byte[] input;
    private final byte[] output8;
    private final short[] output16;
    private final int outer;
    private final int depth;
    private final int diffMin;
    /** exp(scaled difference) in Q0.31, indexed by {@code -difference}, for differences >= diffMin. */
    private final int[] expOfDiff;

    /**
     * Prepares the kernel.
     *
     * @param input the input array
     * @param output the output array, {@code byte[]} (INT8, zero point -128, scale 1/256) or
     *     {@code short[]} (INT16, zero point -32768, scale 1/65536)
     * @param depth the size of the last axis
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @throws IllegalArgumentException if {@code beta * inputScale * 2^26 <= 1}, which TFLite refuses
     */
    QuantActivationSoftmax(byte[] input, Object output, int depth, float inputScale, float beta) {
        this.input = input;
        this.output8 = output instanceof byte[] b ? b : null;
        this.output16 = output instanceof short[] s ? s : null;
        if (output8 == null && output16 == null) {
            throw new IllegalArgumentException("expected a byte[] or short[] output, found " + output);
        }
        this.depth = depth;
        this.outer = depth == 0 ? 0 : input.length / depth;
        SoftmaxParams p = SoftmaxParams.of(inputScale, beta);
        this.diffMin = p.diffMin();
        this.expOfDiff = p.expOfDiff();
    }

    /** @return the smallest input difference that contributes (TFLite's {@code diff_min}) */
    int diffMin() {
        return diffMin;
    }

    @Override
    public void run() {
        int outputBits = output8 != null ? 8 : 16;
        int outputMin = output8 != null ? Byte.MIN_VALUE : Short.MIN_VALUE;
        int outputMax = output8 != null ? Byte.MAX_VALUE : Short.MAX_VALUE;
        for (int i = 0; i < outer; i++) {
            int base = i * depth;
            int maxInRow = Byte.MIN_VALUE;
            for (int c = 0; c < depth; c++) {
                maxInRow = Math.max(maxInRow, input[base + c]);
            }
            int sumOfExps = 0;
            for (int c = 0; c < depth; c++) {
                int diff = input[base + c] - maxInRow;
                if (diff >= diffMin) {
                    sumOfExps += GemmlowpFixedPoint.rescale(expOfDiff[-diff], 0, ACCUMULATION_INTEGER_BITS);
                }
            }
            long reciprocal = GemmlowpFixedPoint.reciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS);
            int shiftedScale = (int) reciprocal;
            int numBitsOverUnit = (int) (reciprocal >> 32);
            int exponent = numBitsOverUnit + 31 - outputBits;
            if (exponent < 0 || exponent > 31) {
                throw new ArithmeticException("softmax row of " + depth + " elements: the sum of exponentials needs a"
                        + " shift of " + exponent + ", outside [0, 31] (TFLite aborts here too)");
            }
            for (int c = 0; c < depth; c++) {
                int diff = input[base + c] - maxInRow;
                int value;
                if (diff >= diffMin) {
                    int unsaturated = FixedPoint.roundingDivideByPOT(
                            FixedPoint.saturatingRoundingDoublingHighMul(shiftedScale, expOfDiff[-diff]), exponent);
                    value = Math.max(Math.min(unsaturated + outputMin, outputMax), outputMin);
                } else {
                    value = outputMin;
                }
                if (output8 != null) {
                    output8[base + c] = (byte) value;
                } else {
                    output16[base + c] = (short) value;
                }
            }
        }
    }
}
