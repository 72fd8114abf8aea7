package io.tinyml.codegen.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.PadMode;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.ConvParams;
import io.tinyml.core.quant.MeanParams;
import io.tinyml.core.quant.ElementwiseParams;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;
import io.tinyml.core.quant.Softmax16Params;

import java.nio.ByteBuffer;
import java.util.TreeSet;

/**
 * Emits the nodes of an int16x8 model (int16 activations of zero point 0, int8 weights, int64
 * biases; TFLite's 16x8 scheme) with the interpreter's parameters: convolution, depthwise, fully
 * connected (int64 accumulators, {@code tm_mbqm64}), add/sub, softmax (TFLite's 513-entry tables),
 * average/max pooling, mean, constant padding and reshape. Not thread-safe; one per model.
 */
final class Int16Emitter {
    private final ModelEmitter m;
    private final Graph g;

    Int16Emitter(ModelEmitter m) {
        this.m = m;
        this.g = m.graph();
    }

    /** Whether a node reads or writes int16 activations (it is then this emitter's). */
    static boolean handles(Graph g, Node n) {
        return g.tensor(n.input(0)).type() == DataType.INT16 || g.tensor(n.output(0)).type() == DataType.INT16;
    }

    String emit(int index, Node n) throws UnsupportedOperatorException {
        Tensor in = g.tensor(n.input(0));
        Tensor out = g.tensor(n.output(0));
        OpKind k = n.op().kind();
        if (in.type() != DataType.INT16 || out.type() != DataType.INT16) {
            throw NodeEmitter.unsupported(n, in.type() + " input and " + out.type() + " output: int16 kernels read and "
                    + "write int16 tensors (conversions to and from int16 have no C kernel yet)");
        }
        if (k != OpKind.RESHAPE) {
            requireSymmetric(n, in);
            requireSymmetric(n, out);
        }
        m.useKernel("rq_s16");
        return switch (k) {
            case CONV_2D -> conv(index, n, false);
            case DEPTHWISE_CONV_2D -> conv(index, n, true);
            case FULLY_CONNECTED -> fullyConnected(index, n);
            case ADD, SUB -> addSub(n);
            case SOFTMAX -> softmax(index, n);
            case AVERAGE_POOL_2D, MAX_POOL_2D -> pool(n);
            case MEAN -> mean(n);
            case PAD -> pad(n);
            case RESHAPE -> reshape(n);
            default -> throw NodeEmitter.unsupported(n, "int16 " + k + " has no C kernel yet (int16x8 C covers conv, "
                    + "depthwise, fully connected, add, sub, softmax, pooling, mean, pad and reshape)");
        };
    }

    /** int16x8 activations are per-tensor with zero point 0 (TFLite's 16x8 scheme). */
    private static void requireSymmetric(Node n, Tensor t) throws UnsupportedOperatorException {
        if (!Quant.perTensor(t) || t.requireQuant().zeroPoint() != 0) {
            throw NodeEmitter.unsupported(n, "int16 tensor '" + t.name() + "' must be quantized per tensor with zero "
                    + "point 0 (the 16x8 scheme), found " + t.quant().map(Object::toString).orElse("none"));
        }
    }

    private String conv(int index, Node n, boolean dw) throws UnsupportedOperatorException {
        Tensor w = g.tensor(n.input(1));
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !w.isConstant()) {
            throw NodeEmitter.unsupported(n, "weights must be constant int8");
        }
        ConvParams cp = ConvParams.of(g, n);
        ConvGeometry geo = ConvGeometry.of(g, n);
        int fIn = dw ? 1 : w.shape().dim(3);
        if (dw ? geo.outC() % geo.inC() != 0 : geo.inC() % fIn != 0 || geo.outC() % (geo.inC() / fIn) != 0) {
            throw NodeEmitter.unsupported(n, "channels " + geo.inC() + " -> " + geo.outC() + " with filter "
                    + w.shape());
        }
        String args = biasAndMultipliers(index, n, cp);
        String kernel = dw ? "dw_s16" : "conv_s16";
        m.useKernel(kernel);
        return "    static const tm_win_params P = {" + geo.inH() + ", " + geo.inW() + ", " + geo.inC() + ", " + geo.kH()
                + ", " + geo.kW() + ", " + fIn + ", " + geo.outH() + ", " + geo.outW() + ", " + geo.outC() + ", "
                + geo.strideH() + ", " + geo.strideW() + ", " + geo.dilationH() + ", " + geo.dilationW() + ", "
                + geo.padH() + ", " + geo.padW() + ", " + geo.batches() + ", 0, 0, " + cp.activationMin() + ", "
                + cp.activationMax() + "};\n    tm_" + kernel + "(&P, " + m.ptr(n.input(0), "int16_t", true) + ", "
                + m.ptr(n.output(0), "int16_t", false) + ", " + m.constant(n.input(1)) + ", " + args
                + ");\n    return 0;\n";
    }

    /**
     * Emits the int64 bias (or 0) and one requantization multiplier and shift per output channel, from
     * the prepared {@link ConvParams} the interpreter uses (which also checks the filter's quantization
     * axis and zero points); returns "bias, mult, shift".
     */
    private String biasAndMultipliers(int index, Node n, ConvParams cp) throws UnsupportedOperatorException {
        int[] mult = cp.multipliers();
        int[] shift = cp.shifts();
        for (int c = 0; c < mult.length; c++) {
            if (mult[c] < 0 || shift[c] < -31 || shift[c] > 7) {
                throw NodeEmitter.unsupported(n, "requantization multiplier " + mult[c] + " shift " + shift[c]
                        + " outside the int16x8 range");
            }
        }
        String base = m.prefix() + "_n" + index;
        String what = "node " + index + " '" + n.name() + "': ";
        String bias = "0";
        int bi = n.inputs().size() > 2 ? n.input(2) : Node.ABSENT;
        if (bi != Node.ABSENT) {
            Tensor b = g.tensor(bi);
            if (!b.isConstant() || (b.type() != DataType.INT64 && b.type() != DataType.INT32)) {
                throw NodeEmitter.unsupported(n, "bias must be constant int64 (or int32)");
            }
            long[] v = new long[b.shape().elementCount()];
            ByteBuffer d = b.data();
            for (int i = 0; i < v.length; i++) {
                v[i] = b.type() == DataType.INT64 ? d.getLong() : d.getInt();
            }
            m.longArray(base + "_bias", v, what + "int64 biases");
            bias = base + "_bias";
        }
        m.array("int32_t", base + "_mult", mult, what + "requantization multipliers (Q31)");
        m.array("int32_t", base + "_shift", shift, what + "requantization shifts");
        return bias + ", " + base + "_mult, " + base + "_shift";
    }

    private String fullyConnected(int index, Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        if (w.type() != DataType.INT8 || w.quant().isEmpty() || !w.isConstant() || w.shape().rank() != 2) {
            throw NodeEmitter.unsupported(n, "weights must be constant rank-2 int8");
        }
        ConvParams cp = ConvParams.of(g, n);
        int outN = w.shape().dim(0);
        int inN = w.shape().dim(1);
        String args = biasAndMultipliers(index, n, cp);
        m.useKernel("fc_s16");
        return "    tm_fc_s16(" + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.output(0), "int16_t", false)
                + ", " + m.constant(n.input(1)) + ", " + args + ", " + x.shape().elementCount() / inN + ", " + inN
                + ", " + outN + ", " + cp.filterOffset() + ", 0, " + cp.activationMin() + ", " + cp.activationMax()
                + ");\n    return 0;\n";
    }

    /** Add/Sub as the interpreter's (TFLite's) int16 form: left shift 15, Add's multipliers in double, Sub's in float. */
    private String addSub(Node n) throws UnsupportedOperatorException {
        Tensor a = g.tensor(n.input(0));
        Tensor b = g.tensor(n.input(1));
        Tensor y = g.tensor(n.output(0));
        if (!a.shape().equals(y.shape()) || !b.shape().equals(y.shape())) {
            throw NodeEmitter.unsupported(n, "broadcasting " + a.shape() + " and " + b.shape());
        }
        if (b.type() != DataType.INT16) {
            throw NodeEmitter.unsupported(n, "second input of type " + b.type());
        }
        requireSymmetric(n, b);
        boolean sub = n.op().kind() == OpKind.SUB;
        ElementwiseParams p = ElementwiseParams.of(g, n);
        m.useKernel("add_s16");
        return "    tm_addsub_s16(" + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.input(1), "int16_t", true)
                + ", " + m.ptr(n.output(0), "int16_t", false) + ", " + y.shape().elementCount() + ", 0, 0, 0, "
                + p.leftShift() + ", " + p.input1Multiplier() + ", " + p.input1Shift() + ", "
                + p.input2Multiplier() + ", " + p.input2Shift() + ", " + p.outputMultiplier() + ", "
                + p.outputShift() + ", " + p.activationMin() + ", " + p.activationMax() + ", " + (sub ? 1 : 0)
                + ");\n    return 0;\n";
    }

    private String softmax(int index, Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        float so = y.requireQuant().scale();
        if (Math.abs(so * 32768f - 1f) > 0.001f) {
            throw NodeEmitter.unsupported(n, "output scale " + so + " (int16 softmax needs 1/32768)");
        }
        Softmax16Params p = Softmax16Params.of(x.requireQuant().scale(), ((Op.Softmax) n.op()).beta());
        String base = m.prefix() + "_n" + index;
        String what = "node " + index + " '" + n.name() + "': ";
        m.array("int16_t", base + "_exp", widen(p.expTable()), what
                + "exp on [-10, 0], 512 segments and the end point");
        m.array("int16_t", base + "_recip", widen(p.reciprocalTable()), what
                + "1 / (1 + x) on [0, 1], 512 segments and the end point");
        int depth = x.shape().rank() == 0 ? 1 : x.shape().dim(-1);
        int outer = depth == 0 ? 0 : x.shape().elementCount() / depth;
        m.useKernel("softmax_s16");
        return "    tm_softmax_s16(" + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.output(0), "int16_t", false)
                + ", " + outer + ", " + depth + ", " + p.inputMultiplier() + ", " + p.inputShift()
                + ", " + base + "_exp, " + base + "_recip);\n    return 0;\n";
    }

    private static int[] widen(short[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i];
        }
        return r;
    }

    private String pool(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        if (!x.quant().equals(y.quant())) {
            throw NodeEmitter.unsupported(n, "input and output with different quantization");
        }
        ConvGeometry geo = ConvGeometry.of(g, n);
        boolean avg = n.op() instanceof Op.AveragePool2D;
        int[] range = Quant.activationRange(n.op().activation(), y, n);
        m.useKernel("pool_s16");
        return "    static const tm_win_params P = {" + geo.inH() + ", " + geo.inW() + ", " + geo.inC() + ", "
                + geo.kH() + ", " + geo.kW() + ", 1, " + geo.outH() + ", " + geo.outW() + ", " + geo.outC() + ", "
                + geo.strideH() + ", " + geo.strideW() + ", 1, 1, " + geo.padH() + ", " + geo.padW() + ", "
                + geo.batches() + ", 0, 0, " + range[0] + ", " + range[1] + "};\n    tm_pool_s16(&P, "
                + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.output(0), "int16_t", false) + ", "
                + (avg ? 1 : 0) + ");\n    return 0;\n";
    }

    /** MEAN over one contiguous block of axes with the interpreter's arithmetic (QuantActivationMean). */
    private String mean(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        int rank = x.shape().rank();
        TreeSet<Integer> axes = new TreeSet<>();
        for (int a : ((Op.Mean) n.op()).axes()) {
            axes.add(a < 0 ? a + rank : a);
        }
        if (axes.isEmpty() || axes.last() - axes.first() + 1 != axes.size()) {
            throw NodeEmitter.unsupported(n, "mean over axes " + axes + " (only one contiguous block of axes)");
        }
        int[] view = {1, 1, 1};
        for (int d = 0; d < rank; d++) {
            view[d < axes.first() ? 0 : d <= axes.last() ? 1 : 2] *= x.shape().dim(d);
        }
        MeanParams mp = MeanParams.of(g, n);
        int mult = mp.multiplier();
        int shift = mp.shift();
        m.useKernel("mean_s16");
        return "    tm_mean_s16(" + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.output(0), "int16_t", false)
                + ", " + view[0] + ", " + view[1] + ", " + view[2] + ", " + (mp.sameQuantization() ? 1 : 0) + ", 0, 0, "
                + (mult == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(mult)) + ", " + shift
                + ");\n    return 0;\n";
    }

    private String pad(Node n) throws UnsupportedOperatorException {
        Op.Pad op = (Op.Pad) n.op();
        if (op.mode() != PadMode.CONSTANT) {
            throw NodeEmitter.unsupported(n, op.mode() + " padding has no C kernel yet (constant padding has)");
        }
        int[] id = g.tensor(n.input(0)).shape().toArray();
        int[] od = g.tensor(n.output(0)).shape().toArray();
        int r = od.length;
        if (r > 4 || id.length != r || op.before().size() != r) {
            throw NodeEmitter.unsupported(n, "padding of rank " + op.before().size() + " for input rank " + id.length);
        }
        int[][] dims = {{1, 1, 1, 1}, {0, 0, 0, 0}, {1, 1, 1, 1}};
        for (int d = 0; d < r; d++) {
            dims[0][4 - r + d] = id[d];
            dims[1][4 - r + d] = op.before().get(d);
            dims[2][4 - r + d] = od[d];
            if (op.before().get(d) < 0 || id[d] + op.before().get(d) > od[d]) {
                throw NodeEmitter.unsupported(n, "negative padding (cropping)");
            }
        }
        QuantParams q = g.tensor(n.output(0)).requireQuant();
        int fill = op.value() == 0f ? 0 : Quant.quantize(op.value(), q.scale(), 0, Quant.qmin(DataType.INT16),
                Quant.qmax(DataType.INT16));
        m.useKernel("pad_s16");
        StringBuilder s = new StringBuilder();
        String[] names = {"IN", "BEFORE", "OUT"};
        for (int i = 0; i < 3; i++) {
            s.append("    static const int ").append(names[i]).append("[4] = {").append(dims[i][0]).append(", ")
                    .append(dims[i][1]).append(", ").append(dims[i][2]).append(", ").append(dims[i][3]).append("};\n");
        }
        return s + "    tm_pad_s16(" + m.ptr(n.input(0), "int16_t", true) + ", " + m.ptr(n.output(0), "int16_t", false)
                + ", IN, BEFORE, OUT, " + fill + ");\n    return 0;\n";
    }

    private String reshape(Node n) {
        if (m.offset(n.input(0)) == m.offset(n.output(0))) {
            return "    /* shares its input's arena bytes: nothing to do */\n    return 0;\n";
        }
        return "    memmove(" + m.ptr(n.output(0), "int16_t", false) + ", " + m.ptr(n.input(0), "int16_t", true) + ", "
                + g.tensor(n.output(0)).byteSize() + "u);\n    return 0;\n";
    }
}
