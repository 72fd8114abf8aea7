package io.tinyml.offload.runtime;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor on the wire: its name, type, shape, quantization parameters and raw little-endian
 * bytes (row-major, NHWC). Immutable (arrays are copied in and out).
 *
 * @param name the tensor's name in the model
 * @param type the element type
 * @param shape the dimensions
 * @param scales quantization scales (empty when not quantized)
 * @param zeroPoints quantization zero points (same length as scales)
 * @param axis quantized axis, -1 for per-tensor
 * @param data the bytes
 */
public record WireTensor(String name, DataType type, int[] shape, float[] scales, long[] zeroPoints, int axis,
                         byte[] data) {
    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the bytes do not match type x shape or the quantization arrays differ in length
     */
    public WireTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
        data = data.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("expected dimensions >= 0, found " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n * type.byteSize() != data.length) {
            throw new IllegalArgumentException("expected " + n * type.byteSize() + " bytes for " + type
                    + Arrays.toString(shape) + " tensor '" + name + "', found " + data.length);
        }
        if (scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("expected as many zero points as scales, found " + zeroPoints.length
                    + " and " + scales.length);
        }
    }

    /**
     * A wire tensor for a model tensor and its value.
     *
     * @param t the model tensor (name, type, shape, quantization)
     * @param bytes its value
     * @return the wire tensor
     */
    public static WireTensor of(Tensor t, byte[] bytes) {
        float[] s = new float[0];
        long[] z = new long[0];
        int axis = -1;
        if (t.quant().isPresent()) {
            QuantParams q = t.requireQuant();
            s = q.scales();
            z = q.zeroPoints();
            axis = q.axis();
        }
        return new WireTensor(t.name(), t.type(), t.shape().toArray(), s, z, axis, bytes);
    }

    /**
     * Whether this tensor's name, type, shape and quantization are those of a model tensor.
     *
     * @param t the model tensor
     * @return null when they match, otherwise what differs
     */
    public String mismatch(Tensor t) {
        if (!name.equals(t.name())) {
            return "expected tensor '" + t.name() + "', found '" + name + "'";
        }
        if (type != t.type() || !Arrays.equals(shape, t.shape().toArray())) {
            return "expected " + t.type() + t.shape() + " for '" + name + "', found " + type + Arrays.toString(shape);
        }
        WireTensor ref = of(t, data);
        if (!Arrays.equals(scales, ref.scales) || !Arrays.equals(zeroPoints, ref.zeroPoints) || axis != ref.axis) {
            return "quantization of '" + name + "' differs from the model's";
        }
        return null;
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** @return a copy of the dimensions */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** @return a copy of the scales */
    @Override
    public float[] scales() {
        return scales.clone();
    }

    /** @return a copy of the zero points */
    @Override
    public long[] zeroPoints() {
        return zeroPoints.clone();
    }

    byte[] dataView() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireTensor w && name.equals(w.name) && type == w.type && Arrays.equals(shape, w.shape)
                && Arrays.equals(scales, w.scales) && Arrays.equals(zeroPoints, w.zeroPoints) && axis == w.axis
                && Arrays.equals(data, w.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return name + ":" + type + Arrays.toString(shape) + " (" + data.length + " B)";
    }
}
