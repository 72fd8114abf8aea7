package io.tinyml.core.ir;

import java.util.Arrays;

/**
 * Affine quantization parameters: {@code real = scale * (q - zeroPoint)}.
 *
 * <p>Per-tensor parameters have one scale and one zero point and {@code axis < 0}; per-axis
 * (per-channel) parameters have one scale and zero point per index of dimension {@code axis}.
 * Scales are stored as float32, as TFLite stores them, so that derived fixed-point multipliers are
 * bit-identical to TFLite's. Immutable and thread-safe.
 */
public final class QuantParams {
    private final float[] scales;
    private final long[] zeroPoints;
    private final int axis;

    private QuantParams(float[] scales, long[] zeroPoints, int axis) {
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("expected as many zero points as scales (at least one), found "
                    + scales.length + " scales and " + zeroPoints.length + " zero points");
        }
        if (axis < 0 && scales.length != 1) {
            throw new IllegalArgumentException("expected one scale for per-tensor parameters, found " + scales.length);
        }
        for (float s : scales) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("expected positive finite scales, found " + s);
            }
        }
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        this.axis = axis;
    }

    /**
     * Creates per-tensor parameters.
     *
     * @param scale the scale, positive and finite
     * @param zeroPoint the zero point
     * @return the parameters
     */
    public static QuantParams perTensor(float scale, long zeroPoint) {
        return new QuantParams(new float[] {scale}, new long[] {zeroPoint}, -1);
    }

    /**
     * Creates per-axis parameters.
     *
     * @param scales one scale per index of {@code axis}; copied
     * @param zeroPoints one zero point per index of {@code axis}; copied
     * @param axis the quantized dimension, non-negative
     * @return the parameters
     */
    public static QuantParams perAxis(float[] scales, long[] zeroPoints, int axis) {
        if (axis < 0) {
            throw new IllegalArgumentException("expected a non-negative axis, found " + axis);
        }
        return new QuantParams(scales.clone(), zeroPoints.clone(), axis);
    }

    /**
     * Tells whether these are per-tensor parameters.
     *
     * @return true if there is a single scale and no axis
     */
    public boolean isPerTensor() {
        return axis < 0;
    }

    /**
     * Returns the quantized axis, or -1 for per-tensor parameters.
     *
     * @return the axis
     */
    public int axis() {
        return axis;
    }

    /**
     * Returns the number of scales.
     *
     * @return the count
     */
    public int size() {
        return scales.length;
    }

    /**
     * Returns scale {@code i}.
     *
     * @param i the index
     * @return the scale
     */
    public float scale(int i) {
        return scales[i];
    }

    /**
     * Returns zero point {@code i}.
     *
     * @param i the index
     * @return the zero point
     */
    public long zeroPoint(int i) {
        return zeroPoints[i];
    }

    /**
     * Returns the only scale of per-tensor parameters.
     *
     * @return the scale
     * @throws IllegalStateException if the parameters are per-axis
     */
    public float scale() {
        requirePerTensor();
        return scales[0];
    }

    /**
     * Returns the only zero point of per-tensor parameters.
     *
     * @return the zero point
     * @throws IllegalStateException if the parameters are per-axis
     */
    public int zeroPoint() {
        requirePerTensor();
        return (int) zeroPoints[0];
    }

    /**
     * Returns a copy of the scales.
     *
     * @return the scales
     */
    public float[] scales() {
        return scales.clone();
    }

    /**
     * Returns a copy of the zero points.
     *
     * @return the zero points
     */
    public long[] zeroPoints() {
        return zeroPoints.clone();
    }

    private void requirePerTensor() {
        if (axis >= 0) {
            throw new IllegalStateException("expected per-tensor quantization, found per-axis on axis " + axis);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantParams q && axis == q.axis && Arrays.equals(scales, q.scales)
                && Arrays.equals(zeroPoints, q.zeroPoints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + axis;
    }

    @Override
    public String toString() {
        if (axis < 0) {
            return "QuantParams{scale=" + scales[0] + ", zeroPoint=" + zeroPoints[0] + "}";
        }
        return "QuantParams{axis=" + axis + ", channels=" + scales.length + "}";
    }
}
