package io.tinyml.core.runtime.internal;

/**
 * Integer SOFTMAX over the last axis with INT16 input and output (output zero point 0, scale
 * 1/32768), as TFLite Micro's {@code SoftmaxInt16}: the input differences to the row maximum are
 * scaled so that [-65535, 0] spans [-10, 0], looked up with linear interpolation in a 513-entry
 * table of exp on [-10, 0], summed, inverted with a 513-entry table of 1/(1+x) on [0, 1] after
 * normalisation by the sum's leading zeros, and the products shifted back to Q0.15.
 *
 * <p>The tables are generated once, in float arithmetic, as TFLite's {@code LUTPopulate<int16_t>}
 * generates them (samples corrected by half the midpoint interpolation error). A prepared instance is bound to its
 * arrays and is not thread-safe.
 */
final class QuantActivationSoftmax16 implements Kernel {
    /** Entries of an int16 interpolation table: 512 segments and the end point. */
    static final int LUT_SIZE = 513;

    private final short[] input;
    private final short[] output;
    private final int outer;
    private final int depth;
    private final int inputMultiplier;
    private final int inputShift;
    private final short[] expLut;
    private final short[] oneOverOnePlusXLut;

    /**
     * Prepares the kernel.
     *
     * @param input the input array
     * @param output the output array (zero point 0, scale 1/32768)
     * @param depth the size of the last axis
     * @param inputScale the input scale
     * @param beta the softmax beta
     */
    QuantActivationSoftmax16(short[] input, short[] output, int depth, float inputScale, float beta) {
        this.input = input;
        this.output = output;
        this.depth = depth;
        this.outer = depth == 0 ? 0 : input.length / depth;
        long packed = inputMultiplier(inputScale, beta);
        this.inputMultiplier = FixedPoint.multiplier(packed);
        this.inputShift = FixedPoint.shift(packed);
        this.expLut = expTable();
        this.oneOverOnePlusXLut = reciprocalTable();
    }

    /**
     * The packed multiplier and shift (see {@link FixedPoint#pack}) that scale an input difference
     * so that [-65535, 0] spans [-10, 0] (shared with generated C through {@link Quant}).
     *
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @return the packed multiplier
     */
    static long inputMultiplier(float inputScale, float beta) {
        return FixedPoint.quantizeMultiplier((double) inputScale * (double) beta / (10.0 / 65535.0));
    }

    /** @return the 513-entry table of exp on [-10, 0] (shared with generated C through {@link Quant}) */
    static short[] expTable() {
        int range = Short.MAX_VALUE - Short.MIN_VALUE;
        return populateLut(true, 10.0f / range, Short.MAX_VALUE, 2.0f / range, 0);
    }

    /** @return the 513-entry table of 1/(1+x) on [0, 1] (shared with generated C through {@link Quant}) */
    static short[] reciprocalTable() {
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
    static short[] populateLut(boolean exp, float inputScale, int inputZeroPoint, float outputScale,
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

    /**
     * TFLite's int16 {@code LUTLookup}: the table entry of the value's top 9 bits plus the
     * interpolated slope over its low 7 bits.
     *
     * @param value the int16 input
     * @param lut a 513-entry table
     * @return the interpolated value
     */
    static short lookup(short value, short[] lut) {
        int index = 256 + (value >> 7);
        int offset = value & 0x7f;
        short base = lut[index];
        short slope = (short) (lut[index + 1] - lut[index]);
        int delta = (slope * offset + 64) >> 7;
        return (short) (base + delta);
    }

    @Override
    public void run() {
        for (int i = 0; i < outer; i++) {
            int base = i * depth;
            int maxInRow = Short.MIN_VALUE;
            for (int c = 0; c < depth; c++) {
                maxInRow = Math.max(maxInRow, input[base + c]);
            }
            int sumOfExps = 0;
            for (int c = 0; c < depth; c++) {
                int diff = input[base + c] - maxInRow;
                int scaledDiff = FixedPoint.multiplyByQuantizedMultiplier(diff, inputMultiplier, inputShift);
                int sym = scaledDiff + 32767;
                short saturated = (short) Math.min(Math.max(sym, -32768), 32767);
                short e = lookup(saturated, expLut);
                output[base + c] = e;
                sumOfExps += e;
            }
            int headroomPlusOne = Integer.numberOfLeadingZeros(sumOfExps);
            int shiftedSum = (int) ((((long) sumOfExps << (headroomPlusOne - 1)) + (1 << 13)) >> 14);
            int symShiftedSum = shiftedSum + (-((1 << 15) + (1 << 16)));
            short saturatedSum = (short) Math.min(Math.max(symShiftedSum, -32768), 32767);
            short reciprocal = lookup(saturatedSum, oneOverOnePlusXLut);
            int rightShift = 31 - headroomPlusOne;
            long round = 1 << (rightShift - 1);
            for (int c = 0; c < depth; c++) {
                int result = (int) (((long) output[base + c] * reciprocal + round) >> rightShift);
                output[base + c] = (short) Math.min(Math.max(result, 0), 32767);
            }
        }
    }
}
