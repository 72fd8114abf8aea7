package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

/**
 * Quantization helpers shared by the integer kernels: value ranges of integer types, TFLite's
 * {@code CalculateActivationRangeQuantized}, affine quantization of a float with TFLite's rounding,
 * and per-channel multipliers of convolutions.
 */
public final class Quant {
    private Quant() {
    }

    /**
     * Returns the smallest value of an integer type.
     *
     * @param t INT8, UINT8 or INT16 (INT32 otherwise)
     * @return the minimum
     */
    public static int qmin(DataType t) {
        return switch (t) {
            case INT8 -> -128;
            case UINT8, BOOL -> 0;
            case INT16 -> -32768;
            default -> Integer.MIN_VALUE;
        };
    }

    /**
     * Returns the largest value of an integer type.
     *
     * @param t INT8, UINT8 or INT16 (INT32 otherwise)
     * @return the maximum
     */
    public static int qmax(DataType t) {
        return switch (t) {
            case INT8 -> 127;
            case UINT8, BOOL -> 255;
            case INT16 -> 32767;
            default -> Integer.MAX_VALUE;
        };
    }

    /**
     * Quantizes a real value as TFLite does: {@code zp + round(f / scale)} (division in float,
     * rounding half away from zero), clamped to {@code [lo, hi]}.
     *
     * @param f the real value
     * @param scale the scale
     * @param zeroPoint the zero point
     * @param lo the lower bound
     * @param hi the upper bound
     * @return the quantized value
     */
    public static int quantize(float f, float scale, int zeroPoint, int lo, int hi) {
        long q = FixedPoint.roundHalfAway((double) (f / scale)) + zeroPoint;
        return (int) Math.max(lo, Math.min(hi, q));
    }

    /**
     * TFLite's {@code CalculateActivationRangeQuantized} for a fused activation.
     *
     * @param a the activation
     * @param out the (per-tensor quantized) output tensor
     * @param node the node, for messages
     * @return {@code {min, max}}
     * @throws UnsupportedOperatorException for TANH, which has no quantized fused form
     */
    public static int[] activationRange(Activation a, Tensor out, Node node) throws UnsupportedOperatorException {
        int lo = qmin(out.type());
        int hi = qmax(out.type());
        QuantParams q = out.requireQuant();
        float s = q.scale();
        int zp = q.zeroPoint();
        return switch (a) {
            case NONE -> new int[] {lo, hi};
            case RELU -> new int[] {Math.max(lo, zp + round(0f, s)), hi};
            case RELU6 -> new int[] {Math.max(lo, zp + round(0f, s)), Math.min(hi, zp + round(6f, s))};
            case RELU_N1_TO_1 -> new int[] {Math.max(lo, zp + round(-1f, s)), Math.min(hi, zp + round(1f, s))};
            case TANH -> throw new UnsupportedOperatorException(node.op().kind().name(), "fused activation TANH of node '"
                    + node.name() + "' (" + node.op().kind() + ") on " + out.type()
                    + " is not supported by the reference interpreter");
        };
    }

    /**
     * Returns the float clamp bounds of a fused activation ({@code ±infinity} when unbounded); TANH
     * is applied separately by {@link #applyTanh(Activation, float[])}.
     *
     * @param a the activation
     * @return {@code {min, max}}
     */
    public static float[] floatRange(Activation a) {
        return switch (a) {
            case NONE, TANH -> new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
            case RELU -> new float[] {0f, Float.POSITIVE_INFINITY};
            case RELU6 -> new float[] {0f, 6f};
            case RELU_N1_TO_1 -> new float[] {-1f, 1f};
        };
    }

    /**
     * Applies a fused TANH in place (does nothing for other activations).
     *
     * @param a the activation
     * @param out the output values
     */
    public static void applyTanh(Activation a, float[] out) {
        if (a == Activation.TANH) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) Math.tanh(out[i]);
            }
        }
    }

    private static int round(float f, float scale) {
        return (int) FixedPoint.roundHalfAway((double) (f / scale));
    }

    /**
     * Computes per-output-channel multipliers {@code input_scale * filter_scale[c] / output_scale}
     * (double arithmetic from float32 scales, as TFLite's {@code PopulateConvolutionQuantizationParams}).
     *
     * @param inputScale the input scale
     * @param filter the filter's parameters (per-tensor or per-axis)
     * @param outputScale the output scale
     * @param channels the number of output channels
     * @return packed multipliers ({@link FixedPoint#quantizeMultiplier(double)}), one per channel
     */
    public static long[] channelMultipliers(float inputScale, QuantParams filter, float outputScale, int channels) {
        long[] m = new long[channels];
        for (int c = 0; c < channels; c++) {
            double fs = filter.isPerTensor() ? filter.scale(0) : filter.scale(c);
            m[c] = FixedPoint.quantizeMultiplier((double) inputScale * fs / (double) outputScale);
        }
        return m;
    }

    /**
     * Returns whether a tensor is per-tensor quantized.
     *
     * @param t the tensor
     * @return true if it has per-tensor parameters
     */
    public static boolean perTensor(Tensor t) {
        return t.quant().map(QuantParams::isPerTensor).orElse(false);
    }

    /**
     * Builds the standard message of an unsupported operator/type combination.
     *
     * @param node the node
     * @param what the unsupported detail
     * @return the exception
     */
    public static UnsupportedOperatorException unsupported(Node node, String what) {
        return new UnsupportedOperatorException(node.op().kind().name(), "operator " + node.op().kind() + " of node '"
                + node.name() + "' with " + what + " is not supported by the reference interpreter");
    }

    /**
     * Dequantizes an integer constant (INT8, UINT8, INT16, INT32) or widens a float16 one to float32,
     * per tensor or along its quantized axis.
     *
     * @param t the constant
     * @return the real values
     */
    public static float[] dequantizeConstant(Tensor t) {
        if (t.type() == DataType.FLOAT32 || t.type() == DataType.FLOAT16) {
            return t.floats();
        }
        int[] q = t.ints();
        QuantParams p = t.requireQuant();
        float[] out = new float[q.length];
        if (p.isPerTensor()) {
            double s = p.scale(0);
            long zp = p.zeroPoint(0);
            for (int i = 0; i < q.length; i++) {
                out[i] = (float) (s * (q[i] - zp));
            }
            return out;
        }
        int[] dims = t.shape().toArray();
        int inner = 1;
        for (int d = p.axis() + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        int n = dims[p.axis()];
        for (int i = 0; i < q.length; i++) {
            int c = (i / inner) % n;
            out[i] = (float) ((double) p.scale(c) * (q[i] - p.zeroPoint(c)));
        }
        return out;
    }

    /**
     * INT16 SOFTMAX's input multiplier (packed, see {@link FixedPoint#pack}): an input difference
     * scaled so that [-65535, 0] spans [-10, 0], as {@code QuantActivationSoftmax16} computes it.
     *
     * @param inputScale the input scale
     * @param beta the softmax beta
     * @return the packed multiplier
     */
    public static long softmax16InputMultiplier(float inputScale, float beta) {
        return QuantActivationSoftmax16.inputMultiplier(inputScale, beta);
    }

    /** @return INT16 SOFTMAX's 513-entry table of exp on [-10, 0], as the interpreter generates it */
    public static short[] softmax16ExpTable() {
        return QuantActivationSoftmax16.expTable();
    }

    /** @return INT16 SOFTMAX's 513-entry table of 1/(1+x) on [0, 1], as the interpreter generates it */
    public static short[] softmax16ReciprocalTable() {
        return QuantActivationSoftmax16.reciprocalTable();
    }
}
