package io.tinyml.core.io.tflite;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import static io.tinyml.core.io.tflite.TfliteSchema.*;

/**
 * Maps one TFLite operator (its builtin code, options table and tensor indices) to an IR operator
 * record and the tensor indices the IR node keeps. Used by one {@link TfliteReader}; not thread-safe.
 */
final class TfliteOps {
    private static final Logger log = LoggerFactory.getLogger(TfliteOps.class);

    /** An operator mapped to the IR, its tensor indices still those of the file. */
    record Mapped(int index, String builtinName, Op op, List<Integer> inputs, List<Integer> outputs) {
    }

    private final FlatReader fb;
    private final TfliteReader reader;

    TfliteOps(FlatReader fb, TfliteReader reader) {
        this.fb = fb;
        this.reader = reader;
    }

    Mapped map(int n, int t, List<TfliteReader.OpCode> opcodes)
            throws MalformedModelException, UnsupportedOperatorException {
        String what = "operator " + n;
        long opcodeIndex = fb.getUint(t, OP_OPCODE_INDEX, what);
        if (opcodeIndex >= opcodes.size()) {
            throw malformed(what + ": expected an opcode index in [0, " + opcodes.size() + "), found " + opcodeIndex);
        }
        List<Integer> in = new ArrayList<>();
        for (int i : fb.ints(fb.vector(t, OP_INPUTS, 4, what + " inputs"))) {
            if (i == -1) {
                in.add(Node.ABSENT);
            } else {
                reader.checkTensorIndex(i, what + " input");
                in.add(i);
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i : fb.ints(fb.vector(t, OP_OUTPUTS, 4, what + " outputs"))) {
            reader.checkTensorIndex(i, what + " output");
            out.add(i);
        }
        TfliteReader.OpCode code = opcodes.get((int) opcodeIndex);
        String name = builtinName(code.builtin());
        String output = out.isEmpty() ? "none" : TfliteReader.label(reader.raw(out.get(0)));
        String node = "node " + n + " (" + name + ", output '" + output + "')";
        if (code.builtin() == CUSTOM) {
            String custom = code.custom() == null ? "(no custom code)" : code.custom();
            throw new UnsupportedOperatorException(custom, "'" + reader.source() + "': custom operator '" + custom
                    + "' at node " + n + " (output '" + output + "') is not supported by the TFLite reader");
        }
        Ctx c = new Ctx(name, node, t, fb.getUbyte(t, OP_BUILTIN_OPTIONS_TYPE, 0, what), in);
        Op op = switch (code.builtin()) {
            case CONV_2D -> {
                int o = c.options(OPT_CONV_2D, "Conv2DOptions");
                yield new Op.Conv2D(c.i(o, 2, 0), c.i(o, 1, 0), c.i(o, 5, 1), c.i(o, 4, 1), c.padding(o, 0),
                        c.activation(o, 3));
            }
            case DEPTHWISE_CONV_2D -> {
                int o = c.options(OPT_DEPTHWISE_CONV_2D, "DepthwiseConv2DOptions");
                yield new Op.DepthwiseConv2D(c.i(o, 2, 0), c.i(o, 1, 0), c.i(o, 6, 1), c.i(o, 5, 1),
                        c.padding(o, 0), depthMultiplier(c, c.i(o, 3, 0)), c.activation(o, 4));
            }
            case FULLY_CONNECTED -> {
                int o = c.options(OPT_FULLY_CONNECTED, "FullyConnectedOptions");
                int format = o < 0 ? 0 : fb.getByte(o, 1, 0, node);
                if (format != 0) {
                    throw c.unsupported("shuffled weights format " + format);
                }
                if (o >= 0 && fb.getBool(o, 3, false, node) && c.typeOf(0) == 0 && c.typeOf(1) == 9) {
                    log.warn("{}: {} asks hybrid kernels to quantize inputs asymmetrically; the IR does not "
                            + "carry the flag, so hybrid execution uses symmetric input quantization", reader.source(), node);
                }
                yield new Op.FullyConnected(c.activation(o, 0), o >= 0 && fb.getBool(o, 2, false, node));
            }
            case ADD, SUB -> {
                int o = c.options(code.builtin() == ADD ? OPT_ADD : OPT_SUB, code.builtin() == ADD ? "AddOptions" : "SubOptions");
                if (o >= 0 && !fb.getBool(o, 1, true, node) && c.typeOf(0) == 7) {
                    log.warn("{}: {} sets pot_scale_int16 = false; the IR does not carry the flag, so int16 kernels "
                            + "use the default (power-of-two scales)", reader.source(), node);
                }
                Activation a = c.activation(o, 0);
                yield code.builtin() == ADD ? new Op.Add(a) : new Op.Sub(a);
            }
            case MUL -> new Op.Mul(c.activation(c.options(OPT_MUL, "MulOptions"), 0));
            case AVERAGE_POOL_2D, MAX_POOL_2D -> {
                int o = c.options(OPT_POOL_2D, "Pool2DOptions");
                int fh = c.i(o, 4, 0);
                int fw = c.i(o, 3, 0);
                int sh = c.i(o, 2, 0);
                int sw = c.i(o, 1, 0);
                yield code.builtin() == AVERAGE_POOL_2D
                        ? new Op.AveragePool2D(fh, fw, sh, sw, c.padding(o, 0), c.activation(o, 5))
                        : new Op.MaxPool2D(fh, fw, sh, sw, c.padding(o, 0), c.activation(o, 5));
            }
            case MEAN -> {
                int o = c.options(OPT_REDUCER, "ReducerOptions");
                int rank = c.rank(0);
                TreeSet<Integer> axes = new TreeSet<>();
                for (int a : c.constInts(1, "axes")) {
                    if (a < -rank || a >= rank) {
                        throw c.malformed("expected axes in [" + -rank + ", " + rank + "), found " + a);
                    }
                    axes.add(a < 0 ? a + rank : a);
                }
                c.keep(1);
                yield new Op.Mean(List.copyOf(axes), o >= 0 && fb.getBool(o, 0, false, node));
            }
            case RESHAPE, SQUEEZE, EXPAND_DIMS -> {
                c.options(code.builtin() == RESHAPE ? OPT_RESHAPE : code.builtin() == SQUEEZE ? OPT_SQUEEZE
                        : OPT_EXPAND_DIMS, code.builtin() == RESHAPE ? "ReshapeOptions"
                        : code.builtin() == SQUEEZE ? "SqueezeOptions" : "ExpandDimsOptions");
                c.keep(1);
                yield new Op.Reshape();
            }
            case CONCATENATION -> {
                int o = c.options(OPT_CONCATENATION, "ConcatenationOptions");
                int axis = c.i(o, 0, 0);
                int rank = out.isEmpty() ? 0 : reader.raw(out.get(0)).dims().length;
                if (axis < -rank || axis >= Math.max(rank, 1)) {
                    throw c.malformed("expected an axis in [" + -rank + ", " + rank + "), found " + axis);
                }
                yield new Op.Concatenation(axis < 0 ? axis + rank : axis, c.activation(o, 1));
            }
            case PAD, PADV2 -> {
                if (code.builtin() == PAD) {
                    c.options(OPT_PAD, "PadOptions");
                } else {
                    c.options(OPT_PADV2, "PadV2Options");
                }
                int rank = c.rank(0);
                int[] p = c.constInts(1, "paddings");
                if (p.length != 2 * rank) {
                    throw c.malformed("expected paddings of shape [" + rank + ", 2], found " + p.length + " values");
                }
                List<Integer> before = new ArrayList<>();
                List<Integer> after = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    before.add(p[2 * i]);
                    after.add(p[2 * i + 1]);
                }
                float value = code.builtin() == PADV2 && c.input(2) != Node.ABSENT ? padValue(c) : 0f;
                c.keep(1);
                yield new Op.Pad(before, after, value);
            }
            case SOFTMAX -> new Op.Softmax(c.f(c.options(OPT_SOFTMAX, "SoftmaxOptions"), 0, 0f));
            case RELU -> new Op.Relu();
            case RELU6 -> new Op.Relu6();
            case RELU_N1_TO_1 -> new Op.Clip(-1f, 1f);
            case RELU_0_TO_1 -> new Op.Clip(0f, 1f);
            case LEAKY_RELU -> new Op.LeakyRelu(c.f(c.options(OPT_LEAKY_RELU, "LeakyReluOptions"), 0, 0f));
            case LOGISTIC -> new Op.Logistic();
            case LOG_SOFTMAX -> new Op.LogSoftmax();
            case TANH -> new Op.Tanh();
            case HARD_SWISH -> {
                c.options(OPT_HARD_SWISH, "HardSwishOptions");
                yield new Op.HardSwish();
            }
            case QUANTIZE -> {
                c.options(OPT_QUANTIZE, "QuantizeOptions");
                yield new Op.Quantize();
            }
            case DEQUANTIZE -> {
                c.options(OPT_DEQUANTIZE, "DequantizeOptions");
                yield new Op.Dequantize();
            }
            case TRANSPOSE -> {
                c.options(OPT_TRANSPOSE, "TransposeOptions");
                int[] perm = c.constInts(1, "perm");
                c.keep(1);
                yield new Op.Transpose(Arrays.stream(perm).boxed().toList());
            }
            default -> throw new UnsupportedOperatorException(name, "'" + reader.source() + "': operator " + name
                    + " at node " + n + " (output '" + output + "') is not supported by the TFLite reader");
        };
        return new Mapped(n, name, op, c.in, out);
    }

    /** Filter channels / input channels, the only consistent multiplier (old files carry others). */
    private int depthMultiplier(Ctx c, int declared) {
        if (c.input(0) == Node.ABSENT || c.input(1) == Node.ABSENT) {
            return declared;
        }
        int[] x = reader.raw(c.input(0)).dims();
        int[] w = reader.raw(c.input(1)).dims();
        if (x.length != 4 || w.length != 4 || x[3] == 0) {
            return declared;
        }
        return w[3] / x[3];
    }

    /** The real value of PadV2's constant input, dequantized when quantized. */
    private float padValue(Ctx c) throws MalformedModelException, UnsupportedOperatorException {
        TfliteReader.RawTensor r = reader.raw(c.input(2));
        byte[] data = reader.data(r);
        DataType dt = dataType(r.typeCode());
        if (data == null || dt == null || data.length < dt.byteSize()) {
            throw c.unsupported("a non-constant or empty constant_values input '" + TfliteReader.label(r) + "'");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (dt == DataType.FLOAT32) {
            return b.getFloat(0);
        }
        if (dt == DataType.FLOAT16) {
            return Tensor.constant("v", dt, Shape.of(1), Arrays.copyOf(data, 2)).floats()[0];
        }
        long q = switch (dt) {
            case INT8 -> b.get(0);
            case UINT8, BOOL -> b.get(0) & 0xff;
            case INT16 -> b.getShort(0);
            case INT32 -> b.getInt(0);
            default -> b.getLong(0);
        };
        int qt = r.quantTable();
        if (qt < 0) {
            return q;
        }
        FlatReader.Vec sv = fb.vector(qt, QUANT_SCALE, 4, c.node + " constant_values scale");
        FlatReader.Vec zv = fb.vector(qt, QUANT_ZERO_POINT, 8, c.node + " constant_values zero point");
        if (sv.length() == 0) {
            return q;
        }
        float scale = fb.floatAt(sv, 0);
        long zp = zv.length() == 0 ? 0 : fb.longAt(zv, 0);
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw c.malformed("expected a positive finite scale for constant_values, found " + scale);
        }
        return scale * (float) (q - zp);
    }

    /** Per-operator context: the options table and inputs, with helpers that name the node. */
    private final class Ctx {
        final String opName;
        final String node;
        final int table;
        final int optionsType;
        List<Integer> in;

        Ctx(String opName, String node, int table, int optionsType, List<Integer> in) {
            this.opName = opName;
            this.node = node;
            this.table = table;
            this.optionsType = optionsType;
            this.in = in;
        }

        /** Returns the options table (-1 when absent: schema defaults apply) after checking its type. */
        int options(int expectedType, String typeName) throws MalformedModelException {
            if (optionsType == 0) {
                return -1;
            }
            if (optionsType != expectedType) {
                throw malformed("expected builtin options " + typeName + " (" + expectedType + "), found type "
                        + optionsType);
            }
            return fb.subTable(table, OP_BUILTIN_OPTIONS, node + " options");
        }

        int i(int o, int id, int def) throws MalformedModelException {
            return o < 0 ? def : fb.getInt(o, id, def, node + " options");
        }

        float f(int o, int id, float def) throws MalformedModelException {
            return o < 0 ? def : fb.getFloat(o, id, def, node + " options");
        }

        Padding padding(int o, int id) throws MalformedModelException {
            int p = o < 0 ? 0 : fb.getByte(o, id, 0, node + " options");
            return switch (p) {
                case PADDING_SAME -> Padding.SAME;
                case PADDING_VALID -> Padding.VALID;
                default -> throw malformed("expected padding SAME (0) or VALID (1), found " + p);
            };
        }

        Activation activation(int o, int id) throws MalformedModelException, UnsupportedOperatorException {
            int a = o < 0 ? 0 : fb.getByte(o, id, 0, node + " options");
            return switch (a) {
                case ACT_NONE -> Activation.NONE;
                case ACT_RELU -> Activation.RELU;
                case ACT_RELU_N1_TO_1 -> Activation.RELU_N1_TO_1;
                case ACT_RELU6 -> Activation.RELU6;
                case ACT_TANH -> Activation.TANH;
                case ACT_SIGN_BIT -> throw unsupported("fused activation SIGN_BIT");
                default -> throw malformed("expected a fused activation in [0, 5], found " + a);
            };
        }

        int input(int i) {
            return i < in.size() ? in.get(i) : Node.ABSENT;
        }

        /** The schema type code of input {@code i}, or -1 when absent. */
        int typeOf(int i) {
            return input(i) == Node.ABSENT ? -1 : reader.raw(input(i)).typeCode();
        }

        int rank(int i) throws MalformedModelException {
            if (input(i) == Node.ABSENT) {
                throw malformed("expected input " + i + ", found none");
            }
            return reader.raw(input(i)).dims().length;
        }

        int[] constInts(int i, String role) throws MalformedModelException, UnsupportedOperatorException {
            if (input(i) == Node.ABSENT) {
                throw malformed("expected a constant " + role + " input at position " + i + ", found none");
            }
            TfliteReader.RawTensor r = reader.raw(input(i));
            byte[] data = reader.data(r);
            if (data == null) {
                throw unsupported("a non-constant " + role + " input '" + TfliteReader.label(r) + "'");
            }
            int size = r.typeCode() == 2 ? 4 : r.typeCode() == 4 ? 8 : -1;
            if (size < 0) {
                throw malformed("expected an INT32 or INT64 " + role + " input, found "
                        + typeName(r.typeCode()));
            }
            long elements = 1;
            for (int d : r.dims()) {
                elements *= d;
            }
            if (data.length != elements * size) {
                throw malformed("expected " + elements * size + " bytes of " + role + ", found " + data.length);
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int[] v = new int[(int) elements];
            for (int k = 0; k < v.length; k++) {
                long x = size == 4 ? b.getInt(4 * k) : b.getLong(8 * k);
                if (x != (int) x) {
                    throw malformed("expected " + role + " values in the int32 range, found " + x);
                }
                v[k] = (int) x;
            }
            return v;
        }

        /** Keeps only the first {@code count} inputs (the rest are folded into the record). */
        void keep(int count) {
            in = new ArrayList<>(in.subList(0, Math.min(count, in.size())));
        }

        MalformedModelException malformed(String message) {
            return TfliteOps.this.malformed(node + ": " + message);
        }

        UnsupportedOperatorException unsupported(String variant) {
            return new UnsupportedOperatorException(opName, "'" + reader.source() + "': " + node + " uses " + variant
                    + ", which the TFLite reader does not support");
        }
    }

    private MalformedModelException malformed(String message) {
        return new MalformedModelException("'" + reader.source() + "': " + message);
    }
}
