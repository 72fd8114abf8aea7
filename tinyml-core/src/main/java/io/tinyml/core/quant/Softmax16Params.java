package io.tinyml.core.quant;

/**
 * Prepared parameters of an INT16 SOFTMAX (TFLite Micro's {@code SoftmaxInt16}; output zero point 0,
 * scale 1/32768): the multiplier that scales an input difference to the row maximum so that
 * [-65535, 0] spans [-10, 0], and the two 513-entry interpolation tables, exp on [-10, 0] and
 * 1/(1+x) on [0, 1]. The interpreter's kernel and the generated C both read these.
 *
 * <p>The tables are generated in float arithmetic, as TFLite's {@code LUTPopulate<int16_t>} generates
 * them (samples corrected by half the midpoint interpolation error).
 *
 * @param inputMultiplier the Q31 multiplier of the input differences
 * @param inputShift its shift (see {@link FixedPoint#pack})
 * @param expTable exp on [-10, 0]: 512 segments and the end point; callers must not modify it
 * @param reciprocalTable 1/(1+x) on [0, 1]: 512 segments and the end point; callers must not modify it
 */
public record Softmax16Params(int inputMultiplier, int inputShift, short[] expTable, short[] reciprocalTable) {
    /** Entries of an int16 interpolation table: 512 segments and the end point. */
    public static final int LUT_SIZE = 513;

    /** The two tables depend on no parameter: generated once and shared by every instance. */
    private static final short[] EXP = expLut();
    private static final short[] RECIPROCAL = reciprocalLut();

    /**
     * Prepares the parameters from the input scale and beta.
     *
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @return the parameters
     */
    public static Softmax16Params of(float inputScale, float beta) {
        long packed = packedInputMultiplier(inputScale, beta);
        return new Softmax16Params(FixedPoint.multiplier(packed), FixedPoint.shift(packed), EXP, RECIPROCAL);
    }

    /**
     * The packed multiplier and shift (see {@link FixedPoint#pack}) that scale an input difference
     * so that [-65535, 0] spans [-10, 0].
     *
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @return the packed multiplier
     */
    private static long packedInputMultiplier(float inputScale, float beta) {
        return FixedPoint.quantizeMultiplier((double) inputScale * (double) beta / (10.0 / 65535.0));
    }

    /** @return the 513-entry table of exp on [-10, 0] */
    private static short[] expLut() {
        int range = Short.MAX_VALUE - Short.MIN_VALUE;
        return populateLut(true, 10.0f / range, Short.MAX_VALUE, 2.0f / range, 0);
    }

    /** @return the 513-entry table of 1/(1+x) on [0, 1] */
    private static short[] reciprocalLut() {
        int range = Short.MAX_VALUE - Short.MIN_VALUE;
        return populateLut(false, 1.0f / range, Short.MIN_VALUE, 2.0f / range, 0);
    }

    /**
     * TFLite's {@code LUTPopulate<int16_t>} (as TFLite Micro's softmax prepares its tables): the
     * input and output ranges of the int16 table derived from quantization parameters in float,
     * then {@link #generateLut}.
     *
     * @param exp exp ({@code true}) or 1/(1+x)
     * @param inputScale the table input scale
     * @param inputZeroPoint the table input zero point
     * @param outputScale the table output scale
     * @param outputZeroPoint the table output zero point
     * @return the 513-entry table
     */
    public static short[] populateLut(boolean exp, float inputScale, int inputZeroPoint, float outputScale,
                                      int outputZeroPoint) {
        float inputMin = inputScale * (Short.MIN_VALUE - inputZeroPoint);
        float inputMax = inputScale * (Short.MAX_VALUE - inputZeroPoint);
        float outputMin = outputScale * (Short.MIN_VALUE - outputZeroPoint);
        float outputMax = outputScale * (Short.MAX_VALUE - outputZeroPoint);
        return generateLut(exp, inputMin, inputMax, outputMin, outputMax);
    }

    /**
     * TFLite's int16 table generation ({@code LUTPopulateInt16}, formerly {@code gen_lut}) for exp
     * ({@code exp == true}) or 1/(1+x), in float: 512 samples of the function on
     * [inputMin, inputMax) biased by half the error of linear interpolation at each segment's
     * midpoint, and the function at inputMax.
     */
    static short[] generateLut(boolean exp, float inputMin, float inputMax, float outputMin, float outputMax) {
        int steps = 512;
        float step = (inputMax - inputMin) / steps;
        float halfStep = step / 2;
        float scalingInv = (float) (Short.MAX_VALUE - Short.MIN_VALUE + 1) / (outputMax - outputMin);
        float tableMin = Short.MIN_VALUE;
        float tableMax = Short.MAX_VALUE;
        short[] lut = new short[LUT_SIZE];
        for (int i = 0; i < steps; i++) {
            float val = f(exp, inputMin + i * step);
            float valMidpoint = f(exp, inputMin + i * step + halfStep);
            float valNext = f(exp, inputMin + (i + 1) * step);
            float sample = round(val * scalingInv);
            float midpointInterp = round((valNext * scalingInv + round(val * scalingInv)) / 2);
            float midpoint = round(valMidpoint * scalingInv);
            float midpointErr = midpointInterp - midpoint;
            float bias = round(midpointErr / 2);
            lut[i] = (short) Math.min(Math.max(sample - bias, tableMin), tableMax);
        }
        lut[steps] = (short) Math.min(Math.max(round(f(exp, inputMax) * scalingInv), tableMin), tableMax);
        return lut;
    }

    /** {@code std::exp(float)} or {@code 1.0f / (1.0f + x)}. */
    private static float f(boolean exp, float x) {
        return exp ? (float) Math.exp(x) : 1.0f / (1.0f + x);
    }

    /** {@code TfLiteRound} on float: half away from zero. */
    private static float round(float x) {
        return (float) FixedPoint.roundHalfAway(x);
    }
}
