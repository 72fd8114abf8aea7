package io.tinyml.core.runtime.internal;

/**
 * Fixed-point arithmetic of TFLite's integer kernels, reproduced to the bit: multiplier
 * quantization ({@code QuantizeMultiplier}), the doubling high multiply, rounding division by a
 * power of two and their composition {@code MultiplyByQuantizedMultiplier}. Semantics follow the
 * TFLite reference kernels (tensorflow/lite/kernels/internal/common.h, gemmlowp fixedpoint) in
 * their default double-rounding form, which TFLM uses.
 */
public final class FixedPoint {
    private FixedPoint() {
    }

    /**
     * Splits a real multiplier into a Q31 multiplier and a power-of-two exponent so that
     * {@code real ≈ multiplier * 2^(shift - 31)}, as TFLite's {@code QuantizeMultiplier} in its
     * default double-rounding build: shifts below -31 flush to zero; shifts above 30 are not
     * clamped (that clamp belongs to the {@code TFLITE_SINGLE_ROUNDING} build only).
     *
     * @param real the real multiplier (negative ones, such as a negative LEAKY_RELU alpha, give a
     *     negative Q31 multiplier, as in TFLite)
     * @return {@code (multiplier, shift)} packed: multiplier in the low 32 bits, shift in the high 32
     */
    public static long quantizeMultiplier(double real) {
        if (real == 0.0) {
            return 0L;
        }
        int shift = frexpExponent(real);
        double q = real / Math.pow(2, shift);
        long qFixed = roundHalfAway(q * (1L << 31));
        if (qFixed == (1L << 31)) {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31) {
            shift = 0;
            qFixed = 0;
        }
        return pack((int) qFixed, shift);
    }

    /**
     * Packs a multiplier and shift as returned by {@link #quantizeMultiplier(double)}.
     *
     * @param multiplier the Q31 multiplier
     * @param shift the exponent
     * @return the packed pair
     */
    public static long pack(int multiplier, int shift) {
        return ((long) shift << 32) | (multiplier & 0xffffffffL);
    }

    /**
     * Returns the multiplier of a packed pair.
     *
     * @param packed the pair
     * @return the Q31 multiplier
     */
    public static int multiplier(long packed) {
        return (int) packed;
    }

    /**
     * Returns the shift of a packed pair (positive = left).
     *
     * @param packed the pair
     * @return the shift
     */
    public static int shift(long packed) {
        return (int) (packed >> 32);
    }

    /**
     * {@code std::round}: halves away from zero.
     *
     * @param x the value
     * @return the rounded value
     */
    public static long roundHalfAway(double x) {
        // floor(a + 0.5) would round 0.49999999999999994 up (the sum rounds to 1.0); a - floor(a) is exact
        double a = Math.abs(x);
        double r = Math.floor(a);
        if (a - r >= 0.5) {
            r += 1;
        }
        return x >= 0 ? (long) r : -(long) r;
    }

    /**
     * The exponent {@code e} of {@code std::frexp}: {@code x = m * 2^e} with {@code |m|} in [0.5, 1).
     *
     * @param x a finite non-zero value
     * @return the exponent
     */
    public static int frexpExponent(double x) {
        double a = Math.abs(x);
        int e = Math.getExponent(a);
        if (e == Double.MIN_EXPONENT - 1) { // subnormal
            return Math.getExponent(a * 0x1p54) - 54 + 1;
        }
        return e + 1;
    }

    /**
     * gemmlowp's {@code SaturatingRoundingDoublingHighMul}: {@code round(a * b / 2^31)} saturated.
     *
     * @param a a Q31 value
     * @param b a Q31 value
     * @return the high half of the doubled product, rounded
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == b && a == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        long ab = (long) a * b;
        long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
        return (int) ((ab + nudge) / (1L << 31));
    }

    /**
     * gemmlowp's {@code RoundingDivideByPOT}: {@code x / 2^exponent}, rounding half away from zero.
     *
     * @param x the dividend
     * @param exponent the power of two, in [0, 31]
     * @return the rounded quotient
     */
    public static int roundingDivideByPOT(int x, int exponent) {
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * TFLite's {@code MultiplyByQuantizedMultiplier} for 32-bit accumulators.
     *
     * @param x the accumulator
     * @param multiplier the Q31 multiplier
     * @param shift the exponent (positive = left)
     * @return the scaled value
     */
    public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
        int left = shift > 0 ? shift : 0;
        int right = shift > 0 ? 0 : -shift;
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x * (1 << left), multiplier), right);
    }

    /**
     * TFLite's {@code MultiplyByQuantizedMultiplier} for 64-bit accumulators (int16x8 kernels):
     * the multiplier is reduced to Q15 and the product rounded once.
     *
     * @param x the accumulator, within ±2^47
     * @param multiplier the Q31 multiplier, non-negative
     * @param shift the exponent, in [-31, 7]
     * @return the scaled value
     */
    public static int multiplyByQuantizedMultiplier(long x, int multiplier, int shift) {
        int reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
        int totalShift = 15 - shift;
        long round = 1L << (totalShift - 1);
        long result = (x * reduced + round) >> totalShift;
        return (int) result;
    }

    /**
     * The three multipliers of TFLite's quantized ADD/SUB ({@code add_common.cc} derives the real
     * multipliers in double, {@code sub_common.cc} in float, then widens them): each input's scale
     * over twice the larger input scale, and that over {@code 2^leftShift} times the output scale.
     *
     * @param s1 the first input's scale
     * @param s2 the second input's scale
     * @param so the output scale
     * @param leftShift 20 for int8, 15 for int16
     * @param sub SUB ({@code true}) or ADD
     * @return the packed multipliers (see {@link #quantizeMultiplier}) of input 1, input 2 and the output
     */
    public static long[] addSubMultipliers(float s1, float s2, float so, int leftShift, boolean sub) {
        if (sub) {
            float twiceMax = 2 * Math.max(s1, s2);
            return new long[] {quantizeMultiplier((double) (s1 / twiceMax)), quantizeMultiplier((double) (s2 / twiceMax)),
                quantizeMultiplier((double) (twiceMax / ((1 << leftShift) * so)))};
        }
        double twiceMax = 2 * (double) Math.max(s1, s2);
        return new long[] {quantizeMultiplier(s1 / twiceMax), quantizeMultiplier(s2 / twiceMax),
            quantizeMultiplier(twiceMax / ((1 << leftShift) * (double) so))};
    }
}
