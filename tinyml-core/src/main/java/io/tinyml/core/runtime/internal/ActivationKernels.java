package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;

/**
 * Unary activation kernels: float32 Relu, Relu6, Clip, LeakyRelu, Logistic, Tanh, HardSwish and
 * Softmax; integer Relu and Clip as TFLM's {@code ReluQuantized} (requantize to the output's
 * parameters, an identity when they are equal, then clamp to the quantized bounds) and Relu6 as
 * TFLM's {@code Relu6Quantized} (clamp to zero and six quantized with the input's parameters).
 */
final class ActivationKernels {
    private ActivationKernels() {
    }

    static Kernel floatUnary(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        float[] x = (float[]) arrays[node.input(0)];
        float[] y = (float[]) arrays[node.output(0)];
        Op op = node.op();
        return switch (op.kind()) {
            case RELU -> () -> clamp(x, y, 0f, Float.POSITIVE_INFINITY);
            case RELU6 -> () -> clamp(x, y, 0f, 6f);
            case CLIP -> {
                Op.Clip c = (Op.Clip) op;
                yield () -> clamp(x, y, c.min(), c.max());
            }
            case LEAKY_RELU -> {
                float alpha = ((Op.LeakyRelu) op).alpha();
                yield () -> {
                    for (int i = 0; i < x.length; i++) {
                        y[i] = x[i] >= 0 ? x[i] : alpha * x[i];
                    }
                };
            }
            case LOGISTIC -> () -> {
                for (int i = 0; i < x.length; i++) {
                    y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
                }
            };
            case TANH -> () -> {
                for (int i = 0; i < x.length; i++) {
                    y[i] = (float) Math.tanh(x[i]);
                }
            };
            case HARD_SWISH -> () -> {
                for (int i = 0; i < x.length; i++) {
                    float v = x[i];
                    y[i] = v * Math.max(0f, Math.min(6f, v + 3f)) / 6f;
                }
            };
            case SOFTMAX -> softmax(g, node, x, y);
            case LOG_SOFTMAX -> logSoftmax(g, node, x, y);
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, PAD, QUANTIZE, DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, POOL ->
                    throw Quant.unsupported(node, "FLOAT32 input");
        };
    }

    private static void clamp(float[] x, float[] y, float lo, float hi) {
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(lo, Math.min(hi, x[i]));
        }
    }

    /** The largest of {@code x[base .. base + depth)}; negative infinity for an empty row. */
    private static float rowMax(float[] x, int base, int depth) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < depth; i++) {
            max = Math.max(max, x[base + i]);
        }
        return max;
    }

    private static Kernel softmax(Graph g, Node node, float[] x, float[] y) {
        double beta = ((Op.Softmax) node.op()).beta();
        Tensor in = g.tensor(node.input(0));
        int depth = in.shape().rank() == 0 ? 1 : in.shape().dim(-1);
        int rows = x.length / Math.max(depth, 1);
        return () -> {
            for (int r = 0; r < rows; r++) {
                int base = r * depth;
                float max = rowMax(x, base, depth);
                double sum = 0;
                for (int i = 0; i < depth; i++) {
                    double e = Math.exp((x[base + i] - max) * beta);
                    y[base + i] = (float) e;  // rounded; the division below uses the double sum
                    sum += e;
                }
                for (int i = 0; i < depth; i++) {
                    y[base + i] = (float) (y[base + i] / sum);
                }
            }
        };
    }

    /** Log-softmax over the last axis, in double: x - max - log(sum exp(x - max)). */
    private static Kernel logSoftmax(Graph g, Node node, float[] x, float[] y) {
        Tensor in = g.tensor(node.input(0));
        int depth = in.shape().rank() == 0 ? 1 : in.shape().dim(-1);
        int rows = x.length / Math.max(depth, 1);
        return () -> {
            for (int r = 0; r < rows; r++) {
                int base = r * depth;
                float max = rowMax(x, base, depth);
                double sum = 0;
                for (int i = 0; i < depth; i++) {
                    sum += Math.exp((double) x[base + i] - max);
                }
                double log = Math.log(sum);
                for (int i = 0; i < depth; i++) {
                    y[base + i] = (float) ((double) x[base + i] - max - log);
                }
            }
        };
    }

    /** Integer Relu, Relu6 and Clip (INT8 or INT16). */
    static Kernel quantClamp(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        if (!Quant.perTensor(in) || !Quant.perTensor(out) || in.type() != out.type()) {
            throw Quant.unsupported(node, in.type() + " input and " + out.type() + " output");
        }
        float s = out.requireQuant().scale();
        int zp = out.requireQuant().zeroPoint();
        int qlo = Quant.qmin(out.type());
        int qhi = Quant.qmax(out.type());
        float lo;
        float hi;
        OpKind k = node.op().kind();
        if (k == OpKind.RELU) {
            lo = 0f;
            hi = Float.POSITIVE_INFINITY;
        } else if (k == OpKind.RELU6) {
            lo = 0f;
            hi = 6f;
        } else {
            lo = ((Op.Clip) node.op()).min();
            hi = ((Op.Clip) node.op()).max();
        }
        int min;
        int max;
        long packed;
        if (k == OpKind.RELU6) {
            // TFLM's Relu6: clamp to [zp_in, zp_in + round(6 / s_in)] in the input's parameters, no rescaling
            float si = in.requireQuant().scale();
            int zi = in.requireQuant().zeroPoint();
            min = zi;
            max = (int) Math.max(qlo, Math.min(qhi, FixedPoint.roundHalfAway((double) (6f / si)) + zi));
            packed = FixedPoint.pack(1 << 30, 1); // exactly 1.0: identity
        } else {
            // TFLM's ReluQuantized: rescale s_in / s_out, then clamp to the output's quantized bounds
            min = Float.isInfinite(lo) ? qlo : Math.max(qlo, zp + (int) FixedPoint.roundHalfAway((double) (lo / s)));
            max = Float.isInfinite(hi) ? qhi : Math.min(qhi, zp + (int) FixedPoint.roundHalfAway((double) (hi / s)));
            packed = FixedPoint.quantizeMultiplier((double) in.requireQuant().scale() / (double) s);
        }
        int mult = FixedPoint.multiplier(packed);
        int shift = FixedPoint.shift(packed);
        int outZp = k == OpKind.RELU6 ? in.requireQuant().zeroPoint() : zp;
        int inZp = in.requireQuant().zeroPoint();
        if (in.type() == DataType.INT8) {
            byte[] x = (byte[]) arrays[node.input(0)];
            byte[] y = (byte[]) arrays[node.output(0)];
            return () -> {
                for (int i = 0; i < x.length; i++) {
                    int v = outZp + FixedPoint.multiplyByQuantizedMultiplier(x[i] - inZp, mult, shift);
                    y[i] = (byte) Math.max(min, Math.min(max, v));
                }
            };
        }
        if (in.type() == DataType.INT16) {
            short[] x = (short[]) arrays[node.input(0)];
            short[] y = (short[]) arrays[node.output(0)];
            return () -> {
                for (int i = 0; i < x.length; i++) {
                    int v = outZp + FixedPoint.multiplyByQuantizedMultiplier(x[i] - inZp, mult, shift);
                    y[i] = (short) Math.max(min, Math.min(max, v));
                }
            };
        }
        throw Quant.unsupported(node, in.type() + " input");
    }
}
