package io.tinyml.core.quant;

/**
 * gemmlowp's {@code FixedPoint<int32_t, IntegerBits>} arithmetic and transcendental functions, as
 * static methods on raw {@code int} values with the number of integer bits passed explicitly, plus
 * the few TFLite helpers built on them ({@code GetReciprocal}, {@code CalculateInputRadius},
 * {@code PreprocessSoftmaxScaling}) and gemmlowp's 16-bit primitives used by HARD_SWISH.
 *
 * <p>A raw value {@code r} with {@code m} integer bits represents {@code r / 2^(31 - m)}. Results
 * are bit-identical to gemmlowp's scalar (non-SIMD) implementation: plain additions wrap like the
 * two's-complement hardware gemmlowp runs on, multiplications are
 * {@link FixedPoint#saturatingRoundingDoublingHighMul(int, int)} and rescalings are saturating
 * left shifts or round-half-away right shifts. Stateless and thread-safe.
 */
public final class GemmlowpFixedPoint {
    /** exp(-1/8) in Q0.31. */
    private static final int EXP_MINUS_ONE_EIGHTH = 1895147668;
    /** 1/3 in Q0.31. */
    private static final int ONE_THIRD = 715827883;
    /** 48/17 in Q2.29. */
    private static final int FORTY_EIGHT_OVER_SEVENTEEN = 1515870810;
    /** -32/17 in Q2.29. */
    private static final int MINUS_THIRTY_TWO_OVER_SEVENTEEN = -1010580540;
    /** Exponents of the exp barrel shifter: the bit of the remainder worth 2^e. */
    private static final int[] BARREL_EXPONENTS = {-2, -1, 0, 1, 2, 3, 4};
    /** exp(-2^e) in Q0.31 for each barrel exponent. */
    private static final int[] BARREL_MULTIPLIERS = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401,
        242};

    private GemmlowpFixedPoint() {
    }

    /**
     * The raw value of 1 with {@code integerBits} integer bits; with none, the largest value below 1.
     *
     * @param integerBits the integer bits
     * @return the raw value
     */
    public static int one(int integerBits) {
        return integerBits == 0 ? Integer.MAX_VALUE : 1 << (31 - integerBits);
    }

    /**
     * The raw value of {@code 2^exponent} with {@code integerBits} integer bits ({@code ConstantPOT}).
     *
     * @param integerBits the integer bits
     * @param exponent the power of two; {@code 31 - integerBits + exponent} must be in [0, 30]
     * @return the raw value
     */
    public static int constantPot(int integerBits, int exponent) {
        return 1 << (31 - integerBits + exponent);
    }

    /**
     * Fixed-point product: the integer bits of the result are the sum of the operands'.
     *
     * @param a a raw value
     * @param b a raw value
     * @return the raw product
     */
    public static int mul(int a, int b) {
        return FixedPoint.saturatingRoundingDoublingHighMul(a, b);
    }

    /**
     * gemmlowp's {@code SaturatingRoundingMultiplyByPOT}: a saturating left shift for a positive
     * exponent, a round-half-away right shift for a negative one.
     *
     * @param x the raw value
     * @param exponent the power of two
     * @return the scaled raw value
     */
    public static int saturatingRoundingMultiplyByPot(int x, int exponent) {
        if (exponent == 0) {
            return x;
        }
        if (exponent < 0) {
            return FixedPoint.roundingDivideByPOT(x, -exponent);
        }
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) {
            return Integer.MAX_VALUE;
        }
        if (x < -threshold) {
            return Integer.MIN_VALUE;
        }
        return x << exponent;
    }

    /**
     * gemmlowp's {@code Rescale}: changes the number of integer bits, saturating or rounding.
     *
     * @param x the raw value
     * @param srcIntegerBits its integer bits
     * @param dstIntegerBits the wanted integer bits
     * @return the raw value with {@code dstIntegerBits} integer bits
     */
    public static int rescale(int x, int srcIntegerBits, int dstIntegerBits) {
        return saturatingRoundingMultiplyByPot(x, srcIntegerBits - dstIntegerBits);
    }

    /**
     * gemmlowp's {@code RoundingHalfSum}: {@code (a + b) / 2}, rounded half away from zero.
     *
     * @param a a raw value
     * @param b a raw value
     * @return the half sum
     */
    public static int roundingHalfSum(int a, int b) {
        long sum = (long) a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int) ((sum + sign) / 2);
    }

    /**
     * exp(a) for {@code a} in [-1/4, 0), with no integer bits in and out.
     *
     * @param a the raw Q0.31 argument
     * @return exp(a), raw Q0.31
     */
    public static int expOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a) {
        int x = a + constantPot(0, -3);
        int x2 = mul(x, x);
        int x3 = mul(x2, x);
        int x4 = mul(x2, x2);
        int x4Over4 = saturatingRoundingMultiplyByPot(x4, -2);
        int poly = saturatingRoundingMultiplyByPot(mul(x4Over4 + x3, ONE_THIRD) + x2, -1);
        return EXP_MINUS_ONE_EIGHTH + mul(EXP_MINUS_ONE_EIGHTH, x + poly);
    }

    /**
     * exp(a) for {@code a <= 0} (gemmlowp's {@code exp_on_negative_values}); exactly 1 (raw
     * {@code Integer.MAX_VALUE}) at 0.
     *
     * @param a the raw argument
     * @param integerBits its integer bits, in [0, 30]
     * @return exp(a), raw Q0.31
     */
    public static int expOnNegativeValues(int a, int integerBits) {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = constantPot(integerBits, -2);
        int mask = oneQuarter - 1;
        int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
        int result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;
        for (int i = 0; i < BARREL_EXPONENTS.length; i++) {
            int e = BARREL_EXPONENTS[i];
            if (integerBits > e && (remainder & (1 << (fractionalBits + e))) != 0) {
                result = mul(result, BARREL_MULTIPLIERS[i]);
            }
        }
        if (integerBits > 5) {
            int clamp = -(1 << (36 - integerBits)); // -32.0
            if (a < clamp) {
                result = 0;
            }
        }
        if (a == 0) {
            result = one(0);
        }
        return result;
    }

    /**
     * 1 / (1 + a) for {@code a} in [0, 1) by three Newton-Raphson steps.
     *
     * @param a the raw Q0.31 argument
     * @return the raw Q0.31 result
     */
    public static int oneOverOnePlusXForXIn01(int a) {
        int x = newtonReciprocalOfHalfDenominator(a);
        // ExactMulByPot<-1> (2 -> 1 integer bits, raw unchanged) then Rescale<0>.
        return rescale(x, 1, 0);
    }

    /**
     * (1 - a) / (1 + a) for {@code a} in [0, 1).
     *
     * @param a the raw Q0.31 argument
     * @return the raw Q0.31 result
     */
    public static int oneMinusXOverOnePlusXForXIn01(int a) {
        int x = newtonReciprocalOfHalfDenominator(a);
        return rescale(x - one(2), 2, 0);
    }

    /** Returns 1 / ((1 + a) / 2) in Q2.29, as gemmlowp's Newton-Raphson division. */
    private static int newtonReciprocalOfHalfDenominator(int a) {
        int halfDenominator = roundingHalfSum(a, one(0));
        int x = FORTY_EIGHT_OVER_SEVENTEEN + mul(halfDenominator, MINUS_THIRTY_TWO_OVER_SEVENTEEN);
        for (int i = 0; i < 3; i++) {
            int halfDenominatorTimesX = mul(halfDenominator, x);
            int oneMinusHalfDenominatorTimesX = one(2) - halfDenominatorTimesX;
            x = x + rescale(mul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }
        return x;
    }

    /**
     * tanh(a) for any {@code a} (gemmlowp's {@code tanh}).
     *
     * @param a the raw argument
     * @param integerBits its integer bits, in [0, 29]
     * @return tanh(a), raw Q0.31
     */
    public static int tanh(int a, int integerBits) {
        if (a == 0) {
            return 0;
        }
        boolean negative = a < 0;
        int n = negative ? a : -a;
        // neg_tanh_on_negative_values: ExactMulByPot<1> keeps the raw value, one more integer bit.
        int t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits + 1));
        return negative ? -t : t;
    }

    /**
     * logistic(a) = 1 / (1 + exp(-a)) for any {@code a} (gemmlowp's {@code logistic}).
     *
     * @param a the raw argument
     * @param integerBits its integer bits, in [0, 30]
     * @return logistic(a), raw Q0.31
     */
    public static int logistic(int a, int integerBits) {
        if (a == 0) {
            return 1 << 30;
        }
        boolean positive = a > 0;
        int abs = positive ? a : -a;
        int resultIfPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-abs, integerBits));
        return positive ? resultIfPositive : one(0) - resultIfPositive;
    }

    /**
     * TFLite's {@code GetReciprocal}: the reciprocal of a positive fixed-point value, as a Q0.31
     * value scaled by {@code 2^-numBitsOverUnit}.
     *
     * @param x the raw positive value
     * @param xIntegerDigits its integer bits
     * @return the Q0.31 reciprocal in the low 32 bits, {@code numBitsOverUnit} in the high 32 bits
     */
    public static long reciprocal(int x, int xIntegerDigits) {
        int headroomPlusOne = Integer.numberOfLeadingZeros(x);
        int numBitsOverUnit = xIntegerDigits - headroomPlusOne;
        int shiftedSumMinusOne = (headroomPlusOne >= 32 ? 0 : x << headroomPlusOne) - Integer.MIN_VALUE;
        int shiftedScale = oneOverOnePlusXForXIn01(shiftedSumMinusOne);
        return ((long) numBitsOverUnit << 32) | (shiftedScale & 0xffffffffL);
    }

    /**
     * TFLite's {@code CalculateInputRadius}: the largest input magnitude (after a left shift) that
     * stays within the fixed-point range, {@code floor((2^m - 1) * 2^(bits - m) / 2^shift)}.
     *
     * @param inputIntegerBits the integer bits {@code m}
     * @param inputLeftShift the left shift
     * @param totalSignedBits the total signed bits (31 for int32)
     * @return the radius
     */
    public static int calculateInputRadius(int inputIntegerBits, int inputLeftShift, int totalSignedBits) {
        double maxInputRescaled = 1.0 * ((1 << inputIntegerBits) - 1)
                * (double) (1L << (totalSignedBits - inputIntegerBits)) / (double) (1L << inputLeftShift);
        return (int) Math.floor(maxInputRescaled);
    }

    /**
     * TFLite's {@code PreprocessSoftmaxScaling} (double-rounding build): the multiplier greater
     * than one that maps an input difference to a Q{@code inputIntegerBits} value of
     * {@code beta * inputScale * difference}.
     *
     * @param beta the softmax beta
     * @param inputScale the input scale
     * @param inputIntegerBits the integer bits of the scaled difference
     * @return the packed (multiplier, left shift) of {@link FixedPoint#quantizeMultiplier(double)},
     *     or 0 when the real multiplier is not greater than one (TFLite refuses that case)
     */
    public static long preprocessSoftmaxScaling(double beta, double inputScale, int inputIntegerBits) {
        double maxRealMultiplier = (double) ((1L << 31) - 1);
        double real = Math.min(beta * inputScale * (double) (1 << (31 - inputIntegerBits)), maxRealMultiplier);
        if (!(real > 1.0)) {
            return 0L;
        }
        return FixedPoint.quantizeMultiplier(real);
    }

    /**
     * TFLite's {@code MultiplyByQuantizedMultiplierGreaterThanOne} (double rounding).
     *
     * @param x the value
     * @param multiplier the Q31 multiplier
     * @param leftShift the non-negative left shift
     * @return {@code x * multiplier * 2^leftShift / 2^31}, rounded
     */
    public static int multiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) {
        return FixedPoint.saturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier);
    }

    // ---- 16-bit primitives (gemmlowp int16 specialisations, TFLite hard_swish helpers) ----

    /**
     * gemmlowp's {@code SaturatingRoundingDoublingHighMul} on int16 values.
     *
     * @param a an int16 value
     * @param b an int16 value
     * @return the rounded high half of the doubled product, as int16
     */
    public static short saturatingRoundingDoublingHighMul16(short a, short b) {
        if (a == b && a == Short.MIN_VALUE) {
            return Short.MAX_VALUE;
        }
        int ab = a * b;
        int nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
        return (short) ((ab + nudge) / (1 << 15));
    }

    /**
     * TFLite's {@code SaturatingDoublingHighMul} on int16: as the rounding variant but truncating
     * toward zero.
     *
     * @param a an int16 value
     * @param b an int16 value
     * @return the truncated high half of the doubled product, as int16
     */
    public static short saturatingDoublingHighMul16(short a, short b) {
        if (a == b && a == Short.MIN_VALUE) {
            return Short.MAX_VALUE;
        }
        return (short) ((a * b) / (1 << 15));
    }

    /**
     * gemmlowp's {@code RoundingDivideByPOT} instantiated for int16 (mask and intermediate values
     * truncated to 16 bits as in the template).
     *
     * @param x an int16 value
     * @param exponent the power of two, in [0, 31]
     * @return the rounded quotient, as int16
     */
    public static short roundingDivideByPot16(short x, int exponent) {
        short mask = (short) ((1L << exponent) - 1);
        short remainder = (short) (x & mask);
        short threshold = (short) ((short) (mask >> 1) + (x < 0 ? 1 : 0));
        return (short) ((short) (x >> exponent) + (remainder > threshold ? 1 : 0));
    }

    /**
     * TFLite's {@code SaturatingLeftShift} on int16 (hard_swish.h).
     *
     * @param value an int16 value
     * @param amount the left shift, in [0, 31)
     * @return {@code value * 2^amount} saturated to int16
     */
    public static short saturatingLeftShift16(short value, int amount) {
        long result = (long) value * (1L << amount);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, result));
    }

    /**
     * TFLite's {@code DownScaleInt32ToInt16Multiplier}: a Q31 multiplier rounded to Q15.
     *
     * @param multiplier a non-negative Q31 multiplier
     * @return the Q15 multiplier
     */
    public static short downScaleInt32ToInt16Multiplier(int multiplier) {
        int roundingOffset = 1 << 15;
        if (multiplier >= Integer.MAX_VALUE - roundingOffset) {
            return Short.MAX_VALUE;
        }
        return (short) ((multiplier + roundingOffset) >> 16);
    }
}
