package io.tinyml.core.runtime.internal;

import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.MeanParams;

/**
 * Integer MEAN over a set of axes with INT8 or INT16 tensors, as TFLite Micro's reduce kernel
 * ({@code EvalIntegerMean}) computes it:
 * <ul>
 * <li>when the input and output share scale and zero point, the raw values are summed in int32
 *     and each sum divided by the element count with C's truncating division
 *     ({@code reference_ops::Mean});</li>
 * <li>otherwise ({@code reference_ops::QuantizedMeanOrSum}) {@code sum - inputZeroPoint * count} is
 *     requantized with {@code MultiplyByQuantizedMultiplier} by the multiplier folded with
 *     {@code 1/count} that {@link MeanParams} prepares, offset by the output zero point and clamped.</li>
 * </ul>
 * The output offset of every input element is tabulated at preparation. A prepared instance is
 * bound to its arrays and is not thread-safe.
 */
final class QuantActivationMean implements Kernel {
    private final byte[] in8;
    private final short[] in16;
    private final byte[] out8;
    private final short[] out16;
    private final int[] outputOffset;
    private final int[] sums;
    private final int count;
    private final boolean sameParams;
    private final int inputZeroPoint;
    private final int outputZeroPoint;
    private final int multiplier;
    private final int shift;
    private final int min;
    private final int max;

    /**
     * Prepares the kernel.
     *
     * @param input the input array, {@code byte[]} or {@code short[]}
     * @param output the output array, of the same class
     * @param inputDims the input shape
     * @param axes the reduced axes, non-negative (duplicates are ignored)
     * @param inputScale the input scale
     * @param inputZeroPoint the input zero point
     * @param outputScale the output scale
     * @param outputZeroPoint the output zero point
     */
    QuantActivationMean(Object input, Object output, int[] inputDims, int[] axes, float inputScale,
                        int inputZeroPoint, float outputScale, int outputZeroPoint) {
        this.in8 = input instanceof byte[] b ? b : null;
        this.in16 = input instanceof short[] s ? s : null;
        this.out8 = output instanceof byte[] b ? b : null;
        this.out16 = output instanceof short[] s ? s : null;
        if ((in8 == null || out8 == null) && (in16 == null || out16 == null)) {
            throw new IllegalArgumentException("expected byte[] or short[] input and output of one class");
        }
        this.min = in8 != null ? Byte.MIN_VALUE : Short.MIN_VALUE;
        this.max = in8 != null ? Byte.MAX_VALUE : Short.MAX_VALUE;
        int rank = inputDims.length;
        boolean[] reduced = new boolean[rank];
        long n = 1;
        for (int a : axes) {
            if (!reduced[a]) {
                reduced[a] = true;
                n *= inputDims[a];
            }
        }
        this.count = (int) n;
        // Row-major strides of the output (reduced axes removed; keepDims does not change offsets).
        int[] outStride = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            if (!reduced[d]) {
                outStride[d] = stride;
                stride *= inputDims[d];
            }
        }
        int inputCount = TensorArrays.length(input);
        this.outputOffset = new int[inputCount];
        int[] index = new int[rank];
        int offset = 0;
        for (int i = 0; i < inputCount; i++) {
            outputOffset[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                offset += outStride[d];
                if (index[d] < inputDims[d]) {
                    break;
                }
                offset -= outStride[d] * index[d];
                index[d] = 0;
            }
        }
        this.sums = new int[TensorArrays.length(output)];
        MeanParams p = MeanParams.of(inputScale, inputZeroPoint, outputScale, outputZeroPoint, count);
        this.inputZeroPoint = p.inputZeroPoint();
        this.outputZeroPoint = p.outputZeroPoint();
        this.sameParams = p.sameQuantization();
        this.multiplier = p.multiplier();
        this.shift = p.shift();
    }

    @Override
    public void run() {
        java.util.Arrays.fill(sums, 0);
        if (in8 != null) {
            for (int i = 0; i < in8.length; i++) {
                sums[outputOffset[i]] += in8[i];
            }
        } else {
            for (int i = 0; i < in16.length; i++) {
                sums[outputOffset[i]] += in16[i];
            }
        }
        for (int o = 0; o < sums.length; o++) {
            int value;
            if (count == 0) {
                value = 0;
            } else if (sameParams) {
                value = sums[o] / count;
            } else {
                int shiftedSum = (int) (sums[o] - (long) inputZeroPoint * count);
                value = FixedPoint.multiplyByQuantizedMultiplier(shiftedSum, multiplier, shift) + outputZeroPoint;
                value = Math.min(Math.max(value, min), max);
            }
            if (out8 != null) {
                out8[o] = (byte) value;
            } else {
                out16[o] = (short) value;
            }
        }
    }
}
