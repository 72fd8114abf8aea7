package io.tinyml.quantize.internal;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Quantization arithmetic of the TFLite specification: activation parameters from a real range,
 * symmetric weights, integer biases. Stateless and thread-safe.
 */
public final class QuantMath {
    private QuantMath() {
    }

    /**
     * Rounds half away from zero, as {@code std::round}.
     *
     * @param x the value
     * @return the rounded value
     */
    public static long round(double x) {
        return (long) (Math.signum(x) * Math.floor(Math.abs(x) + 0.5));
    }

    /**
     * Activation parameters for a real range: asymmetric int8 (the range is widened to hold 0, zero
     * point nudged into [-128, 127]) or symmetric int16 (zero point 0).
     *
     * @param lo the smallest real value
     * @param hi the largest real value
     * @param type INT8 or INT16
     * @return the parameters
     */
    public static QuantParams activation(float lo, float hi, DataType type) {
        lo = Math.min(lo, 0f);
        hi = Math.max(hi, 0f);
        if (type == DataType.INT16) {
            float m = Math.max(Math.abs(lo), Math.abs(hi));
            return QuantParams.perTensor(m > 0 ? m / 32767f : 1f / 32768, 0);
        }
        if (hi - lo <= 0) {
            return QuantParams.perTensor(1f / 256, -128);
        }
        float scale = (hi - lo) / 255f;
        long zp = round(-128.0 - lo / (double) scale);
        zp = Math.max(-128, Math.min(127, zp));
        return QuantParams.perTensor(scale, zp);
    }

    /**
     * Quantizes float weights to symmetric int8 in [-127, 127], per channel along {@code axis} or per tensor.
     *
     * @param w the float constant
     * @param axis the channel axis, or -1 for per-tensor
     * @return the INT8 constant with the same name
     */
    public static Tensor symmetricWeights(Tensor w, int axis) {
        float[] v = w.floats();
        int[] dims = w.shape().toArray();
        int channels = axis < 0 ? 1 : dims[axis];
        int inner = 1;
        for (int d = axis + 1; axis >= 0 && d < dims.length; d++) {
            inner *= dims[d];
        }
        float[] maxAbs = new float[channels];
        for (int i = 0; i < v.length; i++) {
            int c = axis < 0 ? 0 : (i / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
        }
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = axis < 0 ? 0 : (i / inner) % channels;
            long x = round(v[i] / scales[c]);
            q[i] = (byte) Math.max(-127, Math.min(127, x));
        }
        QuantParams p = axis < 0 ? QuantParams.perTensor(scales[0], 0)
                : QuantParams.perAxis(scales, new long[channels], axis);
        return Tensor.ofInt8(w.name(), w.shape(), q).withQuant(p);
    }

    /**
     * Dequantizes symmetric int8 weights.
     *
     * @param q the INT8 constant
     * @return the real values
     */
    public static float[] dequantize(Tensor q) {
        int[] v = q.ints();
        QuantParams p = q.requireQuant();
        int[] dims = q.shape().toArray();
        int inner = 1;
        for (int d = p.axis() + 1; p.axis() >= 0 && d < dims.length; d++) {
            inner *= dims[d];
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = p.isPerTensor() ? 0 : (i / inner) % p.size();
            out[i] = v[i] * p.scale(c);
        }
        return out;
    }

    /**
     * Quantizes a float bias to INT32 (or INT64 for 16x8) with scale {@code inputScale * weightScale[c]}.
     *
     * @param b the float bias constant, one value per output channel
     * @param values the (possibly corrected) bias values to quantize
     * @param inputScale the input activation scale
     * @param weights the quantization of the weights
     * @param type INT32 or INT64
     * @return the integer bias constant with the same name
     */
    public static Tensor bias(Tensor b, float[] values, float inputScale, QuantParams weights, DataType type) {
        int n = values.length;
        float[] scales = new float[n];
        ByteBuffer buf = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < n; c++) {
            scales[c] = inputScale * weights.scale(weights.isPerTensor() ? 0 : c);
            long q = round(values[c] / (double) scales[c]);
            if (type == DataType.INT32) {
                buf.putInt((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q)));
            } else {
                buf.putLong(q);
            }
        }
        QuantParams p = weights.isPerTensor() ? QuantParams.perTensor(scales[0], 0)
                : QuantParams.perAxis(scales, new long[n], 0);
        return Tensor.constant(b.name(), type, b.shape(), buf.array()).withQuant(p);
    }

    /**
     * Quantizes an arbitrary float constant per tensor with its own range.
     *
     * @param c the constant
     * @param type INT8 or INT16
     * @return the quantized constant with the same name
     */
    public static Tensor constant(Tensor c, DataType type) {
        float[] v = c.floats();
        float lo = 0;
        float hi = 0;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        QuantParams p = activation(lo, hi, type);
        return quantizeWith(c, type, p);
    }

    /**
     * Quantizes float values with given per-tensor parameters.
     *
     * @param c the float constant
     * @param type INT8 or INT16
     * @param p the parameters
     * @return the quantized constant
     */
    public static Tensor quantizeWith(Tensor c, DataType type, QuantParams p) {
        float[] v = c.floats();
        int lo = type == DataType.INT8 ? -128 : -32768;
        int hi = type == DataType.INT8 ? 127 : 32767;
        ByteBuffer buf = ByteBuffer.allocate(v.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            long q = round(x / p.scale()) + p.zeroPoint();
            q = Math.max(lo, Math.min(hi, q));
            if (type == DataType.INT8) {
                buf.put((byte) q);
            } else {
                buf.putShort((short) q);
            }
        }
        return Tensor.constant(c.name(), type, c.shape(), buf.array()).withQuant(p);
    }

    /**
     * Converts a float constant to float16.
     *
     * @param c the float constant
     * @param name the new name
     * @return the FLOAT16 constant
     */
    public static Tensor toHalf(Tensor c, String name) {
        float[] v = c.floats();
        ByteBuffer buf = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            buf.putShort(io.tinyml.core.ir.Half.fromFloat(x));
        }
        return Tensor.constant(name, DataType.FLOAT16, c.shape(), buf.array());
    }

    /**
     * Shape helper: the size of the last dimension.
     *
     * @param s the shape
     * @return the last dimension, 1 for scalars
     */
    public static int lastDim(Shape s) {
        return s.rank() == 0 ? 1 : s.dim(s.rank() - 1);
    }
}
