package io.tinyml.core.quant;

/**
 * Prepared parameters of the integer SOFTMAX with an INT8 input, as TFLite Micro prepares them: the input
 * differences to the row maximum are scaled by {@code PreprocessSoftmaxScaling(beta, inputScale, 5)} into
 * Q5.26 and exponentiated with gemmlowp's {@code exp_on_negative_values}; differences below
 * {@code diffMin} contribute nothing. The exponentials depend on the difference only, so they are
 * tabulated for the 256 possible ones.
 *
 * <p>The table is shared, not copied: callers must not modify it.
 *
 * @param multiplier the Q31 multiplier of the input scaling (greater than one)
 * @param leftShift its left shift
 * @param diffMin the smallest input difference that contributes (TFLite's {@code diff_min}), negative
 * @param expOfDiff exp of each scaled difference in Q0.31, indexed by {@code -difference}; 0 below
 *     {@code diffMin}
 */
public record SoftmaxParams(int multiplier, int leftShift, int diffMin, int[] expOfDiff) {
    /** Integer bits of the scaled input differences (Q5.26). */
    public static final int SCALED_DIFF_INTEGER_BITS = 5;

    /**
     * Prepares the parameters from the input scale and beta.
     *
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @return the parameters
     * @throws IllegalArgumentException if {@code beta * inputScale * 2^26 <= 1}, which TFLite refuses
     */
    public static SoftmaxParams of(float inputScale, float beta) {
        long packed = GemmlowpFixedPoint.preprocessSoftmaxScaling(beta, inputScale, SCALED_DIFF_INTEGER_BITS);
        if (packed == 0L) {
            throw new IllegalArgumentException("expected beta * input scale * 2^26 > 1, found beta " + beta
                    + " and input scale " + inputScale);
        }
        int multiplier = FixedPoint.multiplier(packed);
        int leftShift = FixedPoint.shift(packed);
        int diffMin = -GemmlowpFixedPoint.calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift, 31);
        int[] table = new int[256];
        for (int d = 0; d < 256; d++) {
            if (-d >= diffMin) {
                int rescaled = GemmlowpFixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(-d, multiplier, leftShift);
                table[d] = GemmlowpFixedPoint.expOnNegativeValues(rescaled, SCALED_DIFF_INTEGER_BITS);
            }
        }
        return new SoftmaxParams(multiplier, leftShift, diffMin, table);
    }
}
