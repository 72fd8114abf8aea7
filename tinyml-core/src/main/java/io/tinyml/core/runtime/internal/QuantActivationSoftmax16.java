package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Softmax16Params;

/**
 * Integer SOFTMAX over the last axis with INT16 input and output (output zero point 0, scale
 * 1/32768), as TFLite Micro's {@code SoftmaxInt16}: the input differences to the row maximum are
 * scaled so that [-65535, 0] spans [-10, 0], looked up with linear interpolation in a 513-entry
 * table of exp on [-10, 0], summed, inverted with a 513-entry table of 1/(1+x) on [0, 1] after
 * normalisation by the sum's leading zeros, and the products shifted back to Q0.15.
 *
 * <p>The multiplier and the tables come from {@link Softmax16Params}, which the generated C reads too. A
 * prepared instance is bound to its arrays and is not thread-safe.
 */
final class QuantActivationSoftmax16 implements Kernel {
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
        Softmax16Params p = Softmax16Params.of(inputScale, beta);
        this.inputMultiplier = p.inputMultiplier();
        this.inputShift = p.inputShift();
        this.expLut = p.expTable();
        this.oneOverOnePlusXLut = p.reciprocalTable();
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
