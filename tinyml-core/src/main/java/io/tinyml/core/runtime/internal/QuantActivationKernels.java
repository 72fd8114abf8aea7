package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;

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
 *     assumes) and INT16 (zero points 0, output scale 2^-15);</li>
 * <li>TANH: INT8 (the output is produced on zero point 0, scale 1/128, as TFLite assumes) and INT16
 *     (zero points 0, output scale 2^-15);</li>
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
    /**
     * TFLite's table of sigmoid(i / 24) in unsigned Q0.16, i in [0, 255] ({@code sigmoid_table_uint16}
     * of tensorflow/lite/kernels/internal/common.h), used by the INT16 LOGISTIC and TANH kernels with
     * linear interpolation. These are the reference values themselves: they are not exactly the
     * rounded sigmoid, so they cannot be recomputed.
     */
    private static final int[] SIGMOID_TABLE_UINT16 = {
        32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498,
        40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255,
        46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865,
        52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174,
        56503, 56823, 57133, 57433, 57724, 58007, 58280, 58544, 58800, 59048, 59288,
        59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441,
        61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886,
        62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
        63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450,
        64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
        64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097,
        65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
        65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360,
        65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425,
        65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465,
        65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
        65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508,
        65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518,
        65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525,
        65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
        65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531,
        65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533, 65533, 65533,
        65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
        65534, 65534, 65535,
    };

    /** Integer bits of the rescaled input of the INT8 LOGISTIC and TANH kernels. */
    private static final int INT8_SIGMOID_INPUT_INTEGER_BITS = 4;
    /** Integer bits of the rescaled input of the INT16 LOGISTIC and TANH kernels. */
    private static final int INT16_SIGMOID_INPUT_INTEGER_BITS = 3;

    private QuantActivationKernels() {
    }

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
        switch (node.op().kind()) {
            case SOFTMAX -> {
                return softmax(node, (Op.Softmax) node.op(), in, out, qi, qo, x, y);
            }
            case LOGISTIC -> {
                requireSameType(node, ti, to);
                return ti == DataType.INT8 ? lookup(x, y, logisticTable(node, qi, qo))
                        : sigmoid16(node, qi, qo, (short[]) x, (short[]) y, false);
            }
            case TANH -> {
                requireSameType(node, ti, to);
                return ti == DataType.INT8 ? lookup(x, y, tanhTable(qi))
                        : sigmoid16(node, qi, qo, (short[]) x, (short[]) y, true);
            }
            case HARD_SWISH -> {
                requireSameType(node, ti, to);
                if (ti != DataType.INT8) {
                    throw unsupported(node, "has type " + ti + "; HARD_SWISH has an integer kernel for INT8 only");
                }
                return lookup(x, y, hardSwishTable(node, qi, qo));
            }
            case LEAKY_RELU -> {
                requireSameType(node, ti, to);
                return leakyRelu(((Op.LeakyRelu) node.op()).alpha(), qi, qo, x, y);
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
                return new QuantActivationMean(x, y, in.shape().toArray(), axes, qi.scale(), qi.zeroPoint(),
                        qo.scale(), qo.zeroPoint());
            }
            default -> throw unsupported(node, "is not one of the operators this kernel library handles");
        }
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

    /**
     * INT16 LOGISTIC ({@code tanh == false}) or TANH as TFLite Micro: zero points 0, output scale
     * 2^-15, the input brought to the scale 1/(3 * 4096) and looked up with interpolation in
     * {@link #SIGMOID_TABLE_UINT16}.
     */
    private static Kernel sigmoid16(Node node, QuantParams qi, QuantParams qo, short[] x, short[] y, boolean tanh)
            throws UnsupportedOperatorException {
        if (qi.zeroPoint() != 0 || qo.zeroPoint() != 0) {
            throw unsupported(node, "has zero points " + qi.zeroPoint() + " and " + qo.zeroPoint()
                    + "; INT16 " + node.op().kind() + " needs 0 and 0");
        }
        Integer outLog2 = checkedLog2(qo.scale());
        if (outLog2 == null || outLog2 != -15) {
            throw unsupported(node, "has output scale " + qo.scale() + "; INT16 " + node.op().kind()
                    + " needs 2^-15");
        }
        Integer inLog2 = checkedLog2(qi.scale());
        boolean pot = inLog2 != null;
        int inputLog2 = inLog2 != null ? inLog2 : (int) FixedPoint.roundHalfAway(
                (float) Math.log(qi.scale()) * (1.0f / (float) Math.log(2.0f)));
        int leftShift = (15 - INT16_SIGMOID_INPUT_INTEGER_BITS) + inputLog2;
        pot &= tanh ? (leftShift == 0 || leftShift == 1) : leftShift == 0;
        int multiplier;
        if (pot) {
            multiplier = 0;
        } else {
            double m = (double) qi.scale() * 4096.0 * 3.0;
            leftShift = 0;
            while (m <= 32767.0 / 2.0 && leftShift <= 30) {
                leftShift++;
                m = m * 2.0;
            }
            multiplier = (int) m;
        }
        if (multiplier == 0) {
            multiplier = 3 << leftShift;
            leftShift = 0;
        }
        final int mul = multiplier;
        final int shift = leftShift;
        final int round = shift > 0 ? 1 << (shift - 1) : 0;
        if (tanh) {
            return () -> {
                for (int i = 0; i < x.length; i++) {
                    int input = (x[i] * mul + round) >> shift;
                    int abs = Math.abs(input);
                    int uh = abs >>> 8;
                    int result;
                    if (uh >= 255) {
                        result = 0xFFFF << 8;
                    } else {
                        int ua = SIGMOID_TABLE_UINT16[uh];
                        int ub = SIGMOID_TABLE_UINT16[uh + 1];
                        int ut = abs & 0xFF;
                        result = (ua << 8) + ut * (ub - ua);
                    }
                    result = input >= 0 ? result - (1 << (14 + 9)) + (1 << (9 - 2))
                            : -result + (1 << (14 + 9)) + (1 << (9 - 2)) - 1;
                    y[i] = (short) (result >> (9 - 1));
                }
            };
        }
        return () -> {
            for (int i = 0; i < x.length; i++) {
                int input = (x[i] * mul + round) >> shift;
                int abs = Math.abs(input);
                int uh = abs >>> 9;
                int result;
                if (uh >= 255) {
                    result = 0x7FFF << 10;
                } else {
                    int ua = SIGMOID_TABLE_UINT16[uh];
                    int ub = SIGMOID_TABLE_UINT16[uh + 1];
                    int ut = abs & 0x1ff;
                    result = (ua << 9) + ut * (ub - ua);
                }
                result = input >= 0 ? result + (1 << 9) : (1 << (16 + 9)) - result + (1 << 9) - 1;
                y[i] = (short) (result >>> 10);
            }
        };
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
}
