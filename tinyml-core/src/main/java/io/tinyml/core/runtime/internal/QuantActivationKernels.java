package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.GemmlowpFixedPoint;

import java.util.Arrays;

/**
 * Integer kernels of the non-linear operators (SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU,
 * MEAN) with INT8 or INT16 tensors, bit-exact with TFLite Micro's reference integer kernels.
 *
 * <p>Supported combinations (anything else is refused with {@link UnsupportedOperatorException}):
 * <ul>
 * <li>SOFTMAX: INT8 → INT8 (output zero point -128, scale exactly 1/256) and INT8 → INT16 (output
 *     zero point -32768, scale 1/65536 within 0.1%), see {@link QuantActivationSoftmax}; INT16 →
 *     INT16 (zero points 0, output scale 1/32768 within 0.1%), see {@link QuantActivationSoftmax16};</li>
 * <li>LOGISTIC: INT8 (output zero point -128; the output is produced on the scale 1/256 TFLite
 *     assumes). INT16 is refused: TFLite Micro interpolates in a fixed 256-entry table that is not
 *     reproducible from a formula, so we would not be bit-exact;</li>
 * <li>TANH: INT8 (the output is produced on zero point 0, scale 1/128, as TFLite assumes); INT16
 *     refused as for LOGISTIC;</li>
 * <li>HARD_SWISH: INT8;</li>
 * <li>LEAKY_RELU: INT8 and INT16;</li>
 * <li>MEAN: INT8 and INT16, at most 2 reduced axes of an input of rank at most 5 (TFLite Micro's
 *     limits), see {@link QuantActivationMean}.</li>
 * </ul>
 * Every INT8 element-wise operator is evaluated once per possible input value at preparation,
 * with TFLite's arithmetic, into a 256-entry table; running is a table lookup. Prepared kernels are
 * bound to the arrays given and are not thread-safe.
 */
public final class QuantActivationKernels {
    private QuantActivationKernels() {
    }

    /** Integer bits of the rescaled input of the INT8 LOGISTIC and TANH kernels. */
    private static final int INT8_SIGMOID_INPUT_INTEGER_BITS = 4;

    /**
     * Prepares the kernel of a node whose input is INT8 or INT16.
     *
     * @param graph the graph
     * @param node the node (SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU or MEAN)
     * @param arrays the interpreter's tensor arrays, indexed by tensor index (see {@link TensorArrays})
     * @return the prepared kernel
     * @throws UnsupportedOperatorException if this operator/type combination has no integer kernel
     */
    public static Kernel create(Graph graph, Node node, Object[] arrays) throws UnsupportedOperatorException {
        if (node.inputs().isEmpty() || node.input(0) == Node.ABSENT || node.outputs().isEmpty()) {
            throw unsupported(node, "expects one input and one output");
        }
        Tensor in = graph.tensor(node.input(0));
        Tensor out = graph.tensor(node.output(0));
        QuantParams qi = perTensor(node, in);
        QuantParams qo = perTensor(node, out);
        Object x = arrays[node.input(0)];
        Object y = arrays[node.output(0)];
        DataType ti = in.type();
        DataType to = out.type();
        if (ti != DataType.INT8 && ti != DataType.INT16) {
            throw unsupported(node, "has input type " + ti + "; only INT8 and INT16 inputs have integer kernels");
        }
        return switch (node.op().kind()) {
            case SOFTMAX -> softmax(node, (Op.Softmax) node.op(), in, out, qi, qo, x, y);
            case LOGISTIC -> {
                requireSameType(node, ti, to);
                requireInt8(node, ti);
                yield lookup(x, y, logisticTable(node, qi, qo));
            }
            case TANH -> {
                requireSameType(node, ti, to);
                requireInt8(node, ti);
                yield lookup(x, y, tanhTable(qi));
            }
            case HARD_SWISH -> {
                requireSameType(node, ti, to);
                if (ti != DataType.INT8) {
                    throw unsupported(node, "has type " + ti + "; HARD_SWISH has an integer kernel for INT8 only");
                }
                yield lookup(x, y, hardSwishTable(node, qi, qo));
            }
            case LEAKY_RELU -> {
                requireSameType(node, ti, to);
                yield leakyRelu(((Op.LeakyRelu) node.op()).alpha(), qi, qo, x, y);
            }
            case MEAN -> {
                requireSameType(node, ti, to);
                Op.Mean m = (Op.Mean) node.op();
                int[] axes = m.axes().stream().mapToInt(Integer::intValue).distinct().toArray();
                if (axes.length > 2 || in.shape().rank() > 5) {
                    // TFLite Micro's reduce kernel keeps the resolved axes in a 2-entry array and the
                    // input index in a 5-entry one; beyond that it overruns them.
                    throw unsupported(node, "reduces " + axes.length + " axes of a rank-" + in.shape().rank()
                            + " input; TFLite Micro's integer MEAN handles at most 2 axes and rank 5");
                }
                yield new QuantActivationMean(x, y, in.shape().toArray(), axes, qi.scale(), qi.zeroPoint(),
                        qo.scale(), qo.zeroPoint());
            }
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE,
                    CONCATENATION, PAD, RELU, RELU6, CLIP, QUANTIZE, DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION,
                    LOG_SOFTMAX, POOL ->
                    throw unsupported(node, "is not one of the operators this kernel library handles");
        };
    }

    // ---------------------------------------------------------------- SOFTMAX

    private static Kernel softmax(Node node, Op.Softmax op, Tensor in, Tensor out, QuantParams qi, QuantParams qo,
                                  Object x, Object y) throws UnsupportedOperatorException {
        if (in.shape().rank() < 1) {
            throw unsupported(node, "has a scalar input; SOFTMAX needs at least one dimension");
        }
        if (in.type() == DataType.INT16) {
            float delta = Math.abs(qo.scale() - 1.0f / 32768);
            if (out.type() != DataType.INT16 || qi.zeroPoint() != 0 || qo.zeroPoint() != 0
                    || delta > 0.001f * 1.0f / 32768) {
                throw unsupported(node, "has INT16 input " + qi + " and output " + out.type() + " " + qo
                        + "; INT16 SOFTMAX needs input zero point 0 and an INT16 output with zero point 0 and scale"
                        + " 1/32768");
            }
            return new QuantActivationSoftmax16((short[]) x, (short[]) y, in.shape().dim(-1), qi.scale(), op.beta());
        }
        if (out.type() == DataType.INT8) {
            if (qo.zeroPoint() != -128 || qo.scale() != 1.0f / 256) {
                throw unsupported(node, "has INT8 output parameters " + qo + "; SOFTMAX needs zero point -128 and"
                        + " scale 1/256");
            }
        } else if (out.type() == DataType.INT16) {
            float delta = Math.abs(qo.scale() - 1.0f / 65536);
            if (qo.zeroPoint() != -32768 || delta > 0.001f * 1.0f / 65536) {
                throw unsupported(node, "has INT16 output parameters " + qo + "; SOFTMAX from INT8 needs zero point"
                        + " -32768 and scale 1/65536");
            }
        } else {
            throw unsupported(node, "has output type " + out.type() + " for an INT8 input");
        }
        try {
            return new QuantActivationSoftmax((byte[]) x, y, in.shape().dim(-1), qi.scale(), op.beta());
        } catch (IllegalArgumentException e) {
            throw unsupported(node, "cannot be scaled: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- LOGISTIC, TANH

    /**
     * The input rescaling of the INT8 sigmoid kernels: {@code frexp(scale * 2^27)} rounded to Q31,
     * and the input radius beyond which the output saturates.
     *
     * @return {multiplier, left shift, radius}
     */
    private static int[] sigmoidInputScaling(float inputScale) {
        double real = (double) inputScale * (double) (1 << (31 - INT8_SIGMOID_INPUT_INTEGER_BITS));
        int shift = FixedPoint.frexpExponent(real);
        double q = real / Math.pow(2, shift);
        int multiplier = (int) FixedPoint.roundHalfAway(q * (1L << 31));
        int radius = GemmlowpFixedPoint.calculateInputRadius(INT8_SIGMOID_INPUT_INTEGER_BITS, shift, 31);
        return new int[] {multiplier, shift, radius};
    }

    /**
     * INT8 LOGISTIC as {@code reference_integer_ops::Logistic}: the output is on zero point -128,
     * scale 1/256.
     */
    static byte[] logisticTable(Node node, QuantParams qi, QuantParams qo) throws UnsupportedOperatorException {
        if (qo.zeroPoint() != -128) {
            throw unsupported(node, "has output zero point " + qo.zeroPoint() + "; INT8 LOGISTIC needs -128");
        }
        int[] p = sigmoidInputScaling(qi.scale());
        int zp = qi.zeroPoint();
        byte[] table = new byte[256];
        for (int q = Byte.MIN_VALUE; q <= Byte.MAX_VALUE; q++) {
            int input = q - zp;
            int value;
            if (input <= -p[2]) {
                value = Byte.MIN_VALUE;
            } else if (input >= p[2]) {
                value = Byte.MAX_VALUE;
            } else {
                int inputQ4 = FixedPoint.multiplyByQuantizedMultiplier(input, p[0], p[1]);
                int outputQ0 = GemmlowpFixedPoint.logistic(inputQ4, INT8_SIGMOID_INPUT_INTEGER_BITS);
                int outputQ23 = FixedPoint.roundingDivideByPOT(outputQ0, 31 - 8);
                value = Math.min(Math.max(outputQ23 - 128, Byte.MIN_VALUE), Byte.MAX_VALUE);
            }
            table[q & 0xff] = (byte) value;
        }
        return table;
    }

    /** INT8 TANH as {@code reference_integer_ops::Tanh}: the output is on zero point 0, scale 1/128. */
    static byte[] tanhTable(QuantParams qi) {
        int[] p = sigmoidInputScaling(qi.scale());
        int zp = qi.zeroPoint();
        byte[] table = new byte[256];
        for (int q = Byte.MIN_VALUE; q <= Byte.MAX_VALUE; q++) {
            int input = q - zp;
            int value;
            if (input <= -p[2]) {
                value = Byte.MIN_VALUE;
            } else if (input >= p[2]) {
                value = Byte.MAX_VALUE;
            } else {
                int inputQ4 = FixedPoint.multiplyByQuantizedMultiplier(input, p[0], p[1]);
                int outputQ0 = GemmlowpFixedPoint.tanh(inputQ4, INT8_SIGMOID_INPUT_INTEGER_BITS);
                int outputQ24 = FixedPoint.roundingDivideByPOT(outputQ0, 31 - 7);
                value = Math.min(Math.max(outputQ24, Byte.MIN_VALUE), Byte.MAX_VALUE);
            }
            table[q & 0xff] = (byte) value;
        }
        return table;
    }

    /** TFLite's {@code CheckedLog2}: the rounded log2 of x, or null if x is not within 1e-3 of a power of two. */
    private static Integer checkedLog2(float x) {
        float log2 = (float) Math.log(x) * (1.0f / (float) Math.log(2.0f));
        float rounded = (float) FixedPoint.roundHalfAway(log2);
        return Math.abs(log2 - rounded) < 1e-3f ? (int) rounded : null;
    }

    // ---------------------------------------------------------------- HARD_SWISH

    /** INT8 HARD_SWISH as {@code reference_ops::HardSwish} with TFLite Micro's HardSwishParams. */
    static byte[] hardSwishTable(Node node, QuantParams qi, QuantParams qo) throws UnsupportedOperatorException {
        float inputScale = qi.scale();
        float hiresInputScale = (1.0f / 128.0f) * inputScale;
        float reluishScale = 3.0f / 32768.0f;
        float outputScale = qo.scale();
        long outPacked = FixedPoint.quantizeMultiplier((double) (hiresInputScale / outputScale));
        short outputMultiplier = GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier(FixedPoint.multiplier(outPacked));
        int outputExponent = FixedPoint.shift(outPacked);
        if (outputExponent > 0) {
            throw unsupported(node, "has input scale " + inputScale + " and output scale " + outputScale
                    + "; INT8 HARD_SWISH needs input scale / output scale < 128");
        }
        long reluPacked = FixedPoint.quantizeMultiplier((double) (hiresInputScale / reluishScale));
        short reluishMultiplier = GemmlowpFixedPoint.downScaleInt32ToInt16Multiplier(FixedPoint.multiplier(reluPacked));
        int reluishExponent = FixedPoint.shift(reluPacked);
        int inputZeroPoint = qi.zeroPoint();
        int outputZeroPoint = qo.zeroPoint();
        byte[] table = new byte[256];
        for (int q = Byte.MIN_VALUE; q <= Byte.MAX_VALUE; q++) {
            short inputValue = (short) (q - inputZeroPoint);
            short hires = (short) (inputValue * (1 << 7));
            short preshiftOutputScale = GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16(hires, outputMultiplier);
            short reluish = hires;
            if (reluishExponent > 0) {
                reluish = GemmlowpFixedPoint.saturatingLeftShift16(reluish, reluishExponent - 1);
            }
            reluish = GemmlowpFixedPoint.saturatingRoundingDoublingHighMul16(reluish, reluishMultiplier);
            if (reluishExponent > 0) {
                reluish = GemmlowpFixedPoint.saturatingLeftShift16(reluish, 1);
            }
            if (reluishExponent < 0) {
                reluish = GemmlowpFixedPoint.roundingDivideByPot16(reluish, -reluishExponent);
            }
            reluish = (short) ((reluish + (1 << 15)) >> 1);
            short preshiftOutput = GemmlowpFixedPoint.saturatingDoublingHighMul16(reluish, preshiftOutputScale);
            short outputValue = GemmlowpFixedPoint.roundingDivideByPot16(preshiftOutput, -outputExponent);
            outputValue = (short) (outputValue + outputZeroPoint);
            int value = Math.max(Math.min(outputValue, Byte.MAX_VALUE), Byte.MIN_VALUE);
            table[q & 0xff] = (byte) value;
        }
        return table;
    }

    // ---------------------------------------------------------------- LEAKY_RELU

    /** LEAKY_RELU as {@code reference_ops::QuantizeLeakyRelu} with TFLite Micro's parameters. */
    private static Kernel leakyRelu(float alpha, QuantParams qi, QuantParams qo, Object x, Object y) {
        float inputScale = qi.scale();
        float outputScale = qo.scale();
        long alphaPacked = FixedPoint.quantizeMultiplier((double) (inputScale * alpha / outputScale));
        long identityPacked = FixedPoint.quantizeMultiplier((double) (inputScale / outputScale));
        int inputZeroPoint = qi.zeroPoint();
        int outputZeroPoint = qo.zeroPoint();
        if (x instanceof byte[] xb) {
            byte[] table = new byte[256];
            for (int q = Byte.MIN_VALUE; q <= Byte.MAX_VALUE; q++) {
                table[q & 0xff] = (byte) leakyReluValue(q, inputZeroPoint, outputZeroPoint, alphaPacked,
                        identityPacked, Byte.MIN_VALUE, Byte.MAX_VALUE);
            }
            return lookup(xb, y, table);
        }
        short[] xs = (short[]) x;
        short[] ys = (short[]) y;
        return () -> {
            for (int i = 0; i < xs.length; i++) {
                ys[i] = (short) leakyReluValue(xs[i], inputZeroPoint, outputZeroPoint, alphaPacked, identityPacked,
                        Short.MIN_VALUE, Short.MAX_VALUE);
            }
        };
    }

    private static int leakyReluValue(int q, int inputZeroPoint, int outputZeroPoint, long alpha, long identity,
                                      int min, int max) {
        int inputValue = q - inputZeroPoint;
        long p = inputValue >= 0 ? identity : alpha;
        int unclamped = outputZeroPoint
                + FixedPoint.multiplyByQuantizedMultiplier(inputValue, FixedPoint.multiplier(p), FixedPoint.shift(p));
        return Math.min(max, Math.max(min, unclamped));
    }

    // ---------------------------------------------------------------- helpers

    /** An INT8 element-wise kernel: {@code y[i] = table[x[i] & 0xff]}. */
    private static Kernel lookup(Object x, Object y, byte[] table) {
        byte[] xb = (byte[]) x;
        byte[] yb = (byte[]) y;
        byte[] t = Arrays.copyOf(table, 256);
        return () -> {
            for (int i = 0; i < xb.length; i++) {
                yb[i] = t[xb[i] & 0xff];
            }
        };
    }

    private static QuantParams perTensor(Node node, Tensor t) throws UnsupportedOperatorException {
        QuantParams q = t.quant().orElse(null);
        if (q == null || !q.isPerTensor()) {
            throw unsupported(node, "has tensor '" + t.name() + "' without per-tensor quantization parameters");
        }
        return q;
    }

    private static void requireSameType(Node node, DataType in, DataType out) throws UnsupportedOperatorException {
        if (in != out) {
            throw unsupported(node, "has input type " + in + " and output type " + out + "; expected one type");
        }
    }

    private static UnsupportedOperatorException unsupported(Node node, String why) {
        String op = node.op().kind().name();
        return new UnsupportedOperatorException(op, "operator " + op + " of node '" + node.name() + "' " + why
                + ": no integer kernel for it in the reference interpreter");
    }

    private static void requireInt8(Node node, DataType type) throws UnsupportedOperatorException {
        if (type != DataType.INT8) {
            throw unsupported(node, "has type " + type + "; " + node.op().kind()
                    + " has an integer kernel for INT8 only (TFLite Micro's INT16 kernel uses a table we do not reproduce)");
        }
    }
}
