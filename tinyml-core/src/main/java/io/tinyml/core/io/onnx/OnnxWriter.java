package io.tinyml.core.io.onnx;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.AtomicFiles;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a model as ONNX (IR version 8, default-domain opset {@value #OPSET}) that ONNX Runtime runs.
 *
 * <p><b>Layout.</b> Every 4-D activation of the IR (NHWC) is NCHW in the ONNX graph, graph inputs
 * and outputs included, so that {@link OnnxReader} reads the file back to the same graph semantics
 * (and records {@code layout.input.<name>=NCHW}). Weights are permuted (OHWI to OIHW, 1HWO to
 * [O,1,H,W]); axis attributes, paddings and permutations are rewritten; a fully-connected layer fed
 * by a 4-D activation flattens it in NHWC order (a Transpose before the Reshape). Tensor names are
 * kept.
 *
 * <p><b>Quantized models.</b> Float models become float ONNX. Integer tensors with quantization
 * parameters are written in QDQ form: integer initializers (per-tensor or per-axis) and integer
 * activations are dequantized by {@code DequantizeLinear} before each operator, which computes in
 * float, and its output is requantized by {@code QuantizeLinear} to the output's parameters. Results
 * match the integer interpreter within rounding (1 LSB). Integer graph inputs and outputs keep their
 * type.
 *
 * <p>Fused activations become separate nodes. Operators or types without an ONNX form here
 * (INT16 activations, grouped float16 data) raise {@link UnsupportedOperatorException}. Stateless and
 * thread-safe.
 *
 * <pre>{@code
 * byte[] onnx = OnnxWriter.write(TfliteReader.read(Path.of("kws_dscnn_int8.tflite")));
 * OnnxWriter.write(model, Path.of("model.onnx"));
 * }</pre>
 */
public final class OnnxWriter {
    /** The default-domain opset written. */
    public static final int OPSET = 14;
    /** The producer name written into the model. */
    public static final String PRODUCER = "tinyml-onnx-writer";

    private static final Logger log = LoggerFactory.getLogger(OnnxWriter.class);
    private static final int[] TO_NHWC = OnnxTensors.TO_NHWC;
    private static final int[] TO_NCHW = OnnxTensors.TO_NCHW;

    private final Graph g;
    private final List<OnnxProtoWriter> nodes = new ArrayList<>();
    private final List<OnnxProtoWriter> inits = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<Integer, String> floatName = new HashMap<>();
    private int counter;

    private OnnxWriter(Graph g) {
        this.g = g;
        for (Tensor t : g.tensors()) {
            names.add(t.name());
        }
    }

    /**
     * Serializes a model to ONNX bytes.
     *
     * @param model the model
     * @return the serialized ModelProto
     * @throws UnsupportedOperatorException if a node or tensor type has no ONNX form in this writer
     */
    public static byte[] write(Model model) throws UnsupportedOperatorException {
        OnnxWriter w = new OnnxWriter(model.graph());
        OnnxProtoWriter graph = w.graph(model);
        OnnxProtoWriter m = new OnnxProtoWriter()
                .varint(1, 8)
                .string(2, PRODUCER)
                .string(3, "1")
                .message(7, graph)
                .message(8, new OnnxProtoWriter().string(1, "").varint(2, OPSET));
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            if (!e.getKey().startsWith("layout.") && !e.getKey().startsWith("onnx.")) {
                m.message(14, new OnnxProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
            }
        }
        log.debug("wrote {} as ONNX: {} nodes", model, w.nodes.size());
        return m.toByteArray();
    }

    /**
     * Writes a model to an ONNX file through a temporary file and an atomic move ({@link AtomicFiles}).
     *
     * @param model the model
     * @param path the destination
     * @throws IOException if the file cannot be written
     * @throws UnsupportedOperatorException if a node or tensor type has no ONNX form in this writer
     */
    public static void write(Model model, Path path) throws IOException, UnsupportedOperatorException {
        AtomicFiles.write(path, write(model));
    }

    // ------------------------------------------------------------------ graph

    private OnnxProtoWriter graph(Model model) throws UnsupportedOperatorException {
        OnnxProtoWriter gw = new OnnxProtoWriter();
        for (Node n : g.nodes()) {
            node(n);
        }
        nodes.forEach(n -> gw.message(1, n));
        gw.string(2, "tinyml");
        inits.forEach(t -> gw.message(5, t));
        for (int i : g.inputs()) {
            gw.message(11, valueInfo(g.tensor(i)));
        }
        for (int o : g.outputs()) {
            gw.message(12, valueInfo(g.tensor(o)));
        }
        return gw;
    }

    private static OnnxProtoWriter valueInfo(Tensor t) {
        int[] s = onnxShape(t);
        OnnxProtoWriter shape = new OnnxProtoWriter();
        for (int d : s) {
            shape.message(1, new OnnxProtoWriter().varint(1, d));
        }
        OnnxProtoWriter tt = new OnnxProtoWriter().varint(1, OnnxTensors.onnxType(t.type())).message(2, shape);
        return new OnnxProtoWriter().string(1, t.name()).message(2, new OnnxProtoWriter().message(1, tt));
    }

    /** The ONNX shape of an activation: NCHW for 4-D tensors. */
    private static int[] onnxShape(Tensor t) {
        int[] s = t.shape().toArray();
        return s.length == 4 ? new int[] {s[0], s[3], s[1], s[2]} : s;
    }

    private String fresh(String base) {
        String n = base;
        while (!names.add(n)) {
            n = base + "_" + ++counter;
        }
        return n;
    }

    /** Adds a node; attributes are pre-encoded AttributeProtos. */
    private void add(String op, String name, List<String> in, List<String> out, OnnxProtoWriter... attrs) {
        OnnxProtoWriter n = new OnnxProtoWriter();
        in.forEach(s -> n.string(1, s));
        out.forEach(s -> n.string(2, s));
        n.string(3, fresh(name + "/" + op));
        n.string(4, op);
        for (OnnxProtoWriter a : attrs) {
            n.message(5, a);
        }
        nodes.add(n);
    }

    private static OnnxProtoWriter attrInt(String name, long v) {
        return new OnnxProtoWriter().string(1, name).varint(3, v).varint(20, OnnxProto.A_INT);
    }

    private static OnnxProtoWriter attrFloat(String name, float v) {
        return new OnnxProtoWriter().string(1, name).float32(2, v).varint(20, OnnxProto.A_FLOAT);
    }

    private static OnnxProtoWriter attrInts(String name, int... v) {
        OnnxProtoWriter a = new OnnxProtoWriter().string(1, name);
        for (int x : v) {
            a.varint(8, x);
        }
        return a.varint(20, OnnxProto.A_INTS);
    }

    private static OnnxProtoWriter attrString(String name, String v) {
        return new OnnxProtoWriter().string(1, name).string(4, v).varint(20, OnnxProto.A_STRING);
    }

    /** Adds an initializer; returns its name. */
    private String initializer(String base, DataType type, int[] dims, byte[] data) {
        String name = fresh(base);
        OnnxProtoWriter t = new OnnxProtoWriter();
        for (int d : dims) {
            t.varint(1, d);
        }
        t.varint(2, OnnxTensors.onnxType(type)).string(8, name).bytes(9, data);
        inits.add(t);
        return name;
    }

    private String floatsInit(String base, int[] dims, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return initializer(base, DataType.FLOAT32, dims, b.array());
    }

    private String longsInit(String base, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return initializer(base, DataType.INT64, new int[] {v.length}, b.array());
    }

    /** Scale and zero-point initializers of quantization parameters; returns {scale, zp}. */
    private String[] quantInits(String base, QuantParams q, DataType type) throws UnsupportedOperatorException {
        if (type != DataType.INT8 && type != DataType.UINT8 && type != DataType.INT32) {
            throw new UnsupportedOperatorException("QuantizeLinear", "tensor '" + base + "': expected INT8, UINT8 or"
                    + " INT32 quantized data for ONNX opset " + OPSET + ", found " + type + " (onnx-writer)");
        }
        int n = q.size();
        int[] dims = q.isPerTensor() ? new int[0] : new int[] {n};
        String s = floatsInit(base + "_scale", dims, q.scales());
        ByteBuffer z = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : q.zeroPoints()) {
            if (type == DataType.INT32) {
                z.putInt((int) v);
            } else {
                z.put((byte) v);
            }
        }
        String zp = initializer(base + "_zero_point", type, dims, z.array());
        return new String[] {s, zp};
    }

    /**
     * Adds a constant in float form: the tensor reshaped to {@code rankTo} dims (leading 1s) if larger
     * than its rank, permuted by {@code perm} if not null, and dequantized if it is an integer tensor.
     */
    private String constant(Tensor t, int rankTo, int[] perm) throws UnsupportedOperatorException {
        Tensor c = t;
        int r = t.shape().rank();
        if (rankTo > r) {
            int[] s = new int[rankTo];
            int[] d = t.shape().toArray();
            for (int i = 0; i < rankTo; i++) {
                s[i] = i < rankTo - r ? 1 : d[i - (rankTo - r)];
            }
            QuantParams q = t.quant().orElse(null);
            c = t.withQuant(null).withShape(Shape.of(s));
            if (q != null) {
                c = c.withQuant(q.isPerTensor() ? q : QuantParams.perAxis(q.scales(), q.zeroPoints(), q.axis() + rankTo - r));
            }
        }
        if (perm != null) {
            c = OnnxValues.permuteWithQuant(c, perm);
        }
        if (c.type() == DataType.FLOAT32) {
            return initializer(t.name(), c.type(), c.shape().toArray(), c.bytes());
        }
        if (c.type() == DataType.FLOAT16) {
            return floatsInit(t.name(), c.shape().toArray(), c.floats());
        }
        if (c.quant().isEmpty()) {
            if (c.type() == DataType.INT64 || c.type() == DataType.INT32) {
                return initializer(t.name(), c.type(), c.shape().toArray(), c.bytes());
            }
            throw new UnsupportedOperatorException("DequantizeLinear", "constant '" + t.name() + "': expected a float or"
                    + " quantized constant, found unquantized " + c.type() + " (onnx-writer)");
        }
        String q = initializer(t.name() + "_quantized", c.type(), c.shape().toArray(), c.bytes());
        String[] sz = quantInits(t.name(), c.requireQuant(), c.type());
        String out = fresh(t.name());
        QuantParams qp = c.requireQuant();
        if (qp.isPerTensor()) {
            add("DequantizeLinear", t.name(), List.of(q, sz[0], sz[1]), List.of(out));
        } else {
            add("DequantizeLinear", t.name(), List.of(q, sz[0], sz[1]), List.of(out), attrInt("axis", qp.axis()));
        }
        return out;
    }

    /** The float ONNX name of an activation (NCHW for 4-D), dequantizing integer tensors once. */
    private String floatAct(int idx) throws UnsupportedOperatorException {
        Tensor t = g.tensor(idx);
        if (t.isConstant()) {
            return constant(t, t.shape().rank(), t.shape().rank() == 4 ? TO_NCHW : null);
        }
        if (t.type() == DataType.FLOAT32) {
            return t.name();
        }
        String cached = floatName.get(idx);
        if (cached != null) {
            return cached;
        }
        QuantParams q = t.quant().orElseThrow(() -> new UnsupportedOperatorException("DequantizeLinear",
                "tensor '" + t.name() + "': expected a float or quantized activation, found unquantized " + t.type()
                        + " (onnx-writer)"));
        if (!q.isPerTensor()) {
            throw new UnsupportedOperatorException("DequantizeLinear", "tensor '" + t.name()
                    + "': expected per-tensor quantization of an activation, found per-axis (onnx-writer)");
        }
        String[] sz = quantInits(t.name(), q, t.type());
        String out = fresh(t.name() + "_dequantized");
        add("DequantizeLinear", t.name(), List.of(t.name(), sz[0], sz[1]), List.of(out));
        floatName.put(idx, out);
        return out;
    }

    /** Float input in ONNX layout; for 4-D operands of a 4-D element-wise op, constants are broadcast to 4-D. */
    private String operand(int idx, int outRank) throws UnsupportedOperatorException {
        Tensor t = g.tensor(idx);
        if (outRank == 4 && t.isConstant()) {
            return constant(t, 4, TO_NCHW);
        }
        String f = floatAct(idx);
        if (outRank == 4 && t.shape().rank() < 4) {
            int[] s4 = new int[4];
            int[] d = t.shape().toArray();
            for (int i = 0; i < 4; i++) {
                s4[i] = i < 4 - d.length ? 1 : d[i - (4 - d.length)];
            }
            String r = fresh(t.name() + "_4d");
            add("Reshape", t.name(), List.of(f, longsInit(t.name() + "_4d_shape", toLongs(s4))), List.of(r));
            String p = fresh(t.name() + "_4d_nchw");
            add("Transpose", t.name(), List.of(r), List.of(p), attrInts("perm", TO_NCHW));
            return p;
        }
        return f;
    }

    private static long[] toLongs(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return l;
    }

    /**
     * Returns where a node's float result goes, and finishes it: a fused activation, then a
     * QuantizeLinear for an integer output.
     */
    private final class Out {
        final Tensor t;
        final String name;
        final Activation act;

        Out(Node n, Activation act) {
            this.t = g.tensor(n.output(0));
            this.act = act;
            this.name = t.type() == DataType.FLOAT32 && act == Activation.NONE ? t.name() : fresh(t.name() + "_float");
        }

        void finish(String nodeName) throws UnsupportedOperatorException {
            String cur = name;
            if (act != Activation.NONE) {
                String a = t.type() == DataType.FLOAT32 ? t.name() : fresh(t.name() + "_activated");
                switch (act) {
                    case RELU -> add("Relu", nodeName, List.of(cur), List.of(a));
                    case RELU6 -> add("Clip", nodeName, List.of(cur, scalar(nodeName + "_min", 0f),
                            scalar(nodeName + "_max", 6f)), List.of(a));
                    case RELU_N1_TO_1 -> add("Clip", nodeName, List.of(cur, scalar(nodeName + "_min", -1f),
                            scalar(nodeName + "_max", 1f)), List.of(a));
                    case TANH -> add("Tanh", nodeName, List.of(cur), List.of(a));
                    default -> throw new IllegalStateException("unknown activation " + act);
                }
                cur = a;
            }
            if (t.type() != DataType.FLOAT32) {
                QuantParams q = t.quant().orElseThrow(() -> new UnsupportedOperatorException("QuantizeLinear",
                        "tensor '" + t.name() + "': expected a quantized " + t.type() + " output, found none (onnx-writer)"));
                if (!q.isPerTensor()) {
                    throw new UnsupportedOperatorException("QuantizeLinear", "tensor '" + t.name()
                            + "': expected per-tensor quantization, found per-axis (onnx-writer)");
                }
                String[] sz = quantInits(t.name(), q, t.type());
                add("QuantizeLinear", nodeName, List.of(cur, sz[0], sz[1]), List.of(t.name()));
            }
        }
    }

    private String scalar(String base, float v) {
        return floatsInit(base, new int[0], new float[] {v});
    }

    // ------------------------------------------------------------------ nodes

    private void node(Node n) throws UnsupportedOperatorException {
        Op op = n.op();
        // one arm per operator: a new OpKind does not compile until it is written or refused here
        Emit emit = switch (op.kind()) {
            case CONV_2D -> () -> {
                Op.Conv2D c = (Op.Conv2D) op;
                conv(n, c.strideH(), c.strideW(), c.dilationH(), c.dilationW(), c.padding(), false, c.activation());
            };
            case DEPTHWISE_CONV_2D -> () -> {
                Op.DepthwiseConv2D c = (Op.DepthwiseConv2D) op;
                conv(n, c.strideH(), c.strideW(), c.dilationH(), c.dilationW(), c.padding(), true, c.activation());
            };
            case FULLY_CONNECTED -> () -> fullyConnected(n, (Op.FullyConnected) op);
            case ADD -> () -> binary(n, "Add", op.activation());
            case SUB -> () -> binary(n, "Sub", op.activation());
            case MUL -> () -> binary(n, "Mul", op.activation());
            case AVERAGE_POOL_2D -> () -> {
                Op.AveragePool2D p = (Op.AveragePool2D) op;
                pool(n, "AveragePool", p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding(), p.activation());
            };
            case MAX_POOL_2D -> () -> {
                Op.MaxPool2D p = (Op.MaxPool2D) op;
                pool(n, "MaxPool", p.filterH(), p.filterW(), p.strideH(), p.strideW(), p.padding(), p.activation());
            };
            case POOL -> () -> generalPool(n, (Op.Pool) op);
            case MEAN -> () -> mean(n, (Op.Mean) op);
            case RESHAPE -> () -> reshape(n);
            case CONCATENATION -> () -> concat(n, (Op.Concatenation) op);
            case PAD -> () -> pad(n, (Op.Pad) op);
            case SOFTMAX -> () -> softmax(n, (Op.Softmax) op);
            case LOG_SOFTMAX -> () -> unary(n, "LogSoftmax",
                    attrInt("axis", g.tensor(n.input(0)).shape().rank() == 4 ? 1 : -1));
            case RELU -> () -> unary(n, "Relu");
            case RELU6 -> () -> clip(n, 0f, 6f);
            case CLIP -> () -> clip(n, ((Op.Clip) op).min(), ((Op.Clip) op).max());
            case LEAKY_RELU -> () -> unary(n, "LeakyRelu", attrFloat("alpha", ((Op.LeakyRelu) op).alpha()));
            case LOGISTIC -> () -> unary(n, "Sigmoid");
            case TANH -> () -> unary(n, "Tanh");
            case HARD_SWISH -> () -> unary(n, "HardSwish");
            case QUANTIZE -> () -> {
                if (((Op.Quantize) op).narrowed()) {
                    throw new UnsupportedOperatorException("QuantizeLinear", "node '" + n.name() + "': expected "
                            + "quantization to the output type's range, found the narrower range ["
                            + ((Op.Quantize) op).min() + ", " + ((Op.Quantize) op).max() + "] (onnx-writer, opset "
                            + OPSET + " has no 4- or 2-bit types)");
                }
                unary(n, "Identity");
            };
            case DEQUANTIZE -> () -> dequantize(n);
            case TRANSPOSE -> () -> transpose(n, (Op.Transpose) op);
            case BATCH_NORMALIZATION -> () -> batchNorm(n, (Op.BatchNormalization) op);
        };
        emit.run();
    }

    /** Writes the ONNX nodes of one IR node. */
    @FunctionalInterface
    private interface Emit {
        void run() throws UnsupportedOperatorException;
    }

    private void conv(Node n, int sh, int sw, int dh, int dw, Padding padding, boolean depthwise, Activation act)
            throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        int[] xs = x.shape().toArray();
        int[] ws = w.shape().toArray();
        int kh = ws[1];
        int kw = ws[2];
        String wi;
        int group;
        if (depthwise) {
            wi = w.isConstant() ? constant(w, 4, new int[] {3, 0, 1, 2}) : transposeTo(floatAct(n.input(1)), new int[] {1, 0, 2, 3},
                    w.name());
            group = xs[3];
        } else {
            wi = w.isConstant() ? constant(w, 4, TO_NCHW) : floatAct(n.input(1));
            group = xs[3] / ws[3];
        }
        List<String> in = new ArrayList<>(List.of(floatAct(n.input(0)), wi));
        if (n.input(2) != Node.ABSENT) {
            in.add(g.tensor(n.input(2)).isConstant() ? constant(g.tensor(n.input(2)), 1, null) : floatAct(n.input(2)));
        }
        Tensor y = g.tensor(n.output(0));
        int[] pads = pads(xs, kh, kw, sh, sw, dh, dw, padding, y.shape().toArray());
        Out out = new Out(n, act);
        add("Conv", n.name(), in, List.of(out.name), attrInts("kernel_shape", kh, kw), attrInts("strides", sh, sw),
                attrInts("dilations", dh, dw), attrInts("pads", pads), attrInt("group", group));
        out.finish(n.name());
    }

    /** A 4-D depthwise weight given in ONNX layout [1,C*M,KH,KW] (from NHWC [1,KH,KW,C*M]) to [C*M,1,KH,KW]. */
    private String transposeTo(String src, int[] perm, String base) {
        String o = fresh(base + "_t");
        add("Transpose", base, List.of(src), List.of(o), attrInts("perm", perm));
        return o;
    }

    private static int[] pads(int[] xs, int kh, int kw, int sh, int sw, int dh, int dw, Padding p, int[] ys) {
        if (p == Padding.VALID) {
            return new int[4];
        }
        int[] out = new int[4];
        int[] k = {kh, kw};
        int[] s = {sh, sw};
        int[] d = {dh, dw};
        for (int a = 0; a < 2; a++) {
            int in = xs[1 + a];
            int o = ys[1 + a];
            int eff = (k[a] - 1) * d[a] + 1;
            int total = Math.max((o - 1) * s[a] + eff - in, 0);
            out[a] = total / 2;
            out[a + 2] = total - total / 2;
        }
        return out;
    }

    private void fullyConnected(Node n, Op.FullyConnected f) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor w = g.tensor(n.input(1));
        int inN = w.shape().dim(1);
        String xi = floatAct(n.input(0));
        if (x.shape().rank() == 4) {
            xi = transposeTo(xi, TO_NHWC, x.name() + "_nhwc");
        }
        if (x.shape().rank() != 2) {
            String r = fresh(x.name() + "_2d");
            add("Reshape", n.name(), List.of(xi, longsInit(x.name() + "_2d_shape", -1, inN)), List.of(r));
            xi = r;
        }
        List<String> in = new ArrayList<>(List.of(xi, w.isConstant() ? constant(w, 2, null) : floatAct(n.input(1))));
        if (n.input(2) != Node.ABSENT) {
            Tensor b = g.tensor(n.input(2));
            in.add(b.isConstant() ? constant(b, 1, null) : floatAct(n.input(2)));
        }
        Tensor y = g.tensor(n.output(0));
        if (y.shape().rank() == 2) {
            Out out = new Out(n, f.activation());
            add("Gemm", n.name(), in, List.of(out.name), attrInt("transB", 1));
            out.finish(n.name());
            return;
        }
        String gm = fresh(y.name() + "_2d");
        add("Gemm", n.name(), in, List.of(gm), attrInt("transB", 1));
        Out out = new Out(n, f.activation());
        reshapeToIr(gm, y, out.name, n.name());
        out.finish(n.name());
    }

    /** Reshapes a tensor holding y's elements in IR (NHWC) order to y's ONNX layout. */
    private void reshapeToIr(String src, Tensor y, String dst, String nodeName) {
        int[] ys = y.shape().toArray();
        if (ys.length == 4) {
            String r = fresh(y.name() + "_nhwc");
            add("Reshape", nodeName, List.of(src, longsInit(y.name() + "_shape", toLongs(ys))), List.of(r));
            add("Transpose", nodeName, List.of(r), List.of(dst), attrInts("perm", TO_NCHW));
        } else {
            add("Reshape", nodeName, List.of(src, longsInit(y.name() + "_shape", toLongs(ys))), List.of(dst));
        }
    }

    private void binary(Node n, String op, Activation act) throws UnsupportedOperatorException {
        int r = g.tensor(n.output(0)).shape().rank();
        String a = operand(n.input(0), r);
        String b = operand(n.input(1), r);
        Out out = new Out(n, act);
        add(op, n.name(), List.of(a, b), List.of(out.name));
        out.finish(n.name());
    }

    private void pool(Node n, String op, int fh, int fw, int sh, int sw, Padding p, Activation act)
            throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        int[] pads = pads(x.shape().toArray(), fh, fw, sh, sw, 1, 1, p, g.tensor(n.output(0)).shape().toArray());
        Out out = new Out(n, act);
        List<OnnxProtoWriter> attrs = new ArrayList<>(List.of(attrInts("kernel_shape", fh, fw), attrInts("strides", sh, sw),
                attrInts("pads", pads)));
        if (op.equals("AveragePool")) {
            attrs.add(attrInt("count_include_pad", 0));
        }
        add(op, n.name(), List.of(floatAct(n.input(0))), List.of(out.name), attrs.toArray(new OnnxProtoWriter[0]));
        out.finish(n.name());
    }

    /** N-d pooling: channels-last IR tensors are transposed to ONNX's channels-first (rank 4 already is). */
    private void generalPool(Node n, Op.Pool p) throws UnsupportedOperatorException {
        if (n.outputs().size() > 1) {
            throw new UnsupportedOperatorException("MaxPool", "node '" + n.name() + "': expected pooling without the "
                    + "Indices output, found it (onnx-writer)");
        }
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        int r = x.shape().rank();
        int k = r - 2;
        int[] toFirst = new int[r];
        int[] toLast = new int[r];
        toFirst[1] = r - 1;
        toLast[r - 1] = 1;
        for (int a = 0; a < k; a++) {
            toFirst[a + 2] = a + 1;
            toLast[a + 1] = a + 2;
        }
        boolean ceil = false;
        int[] pads = new int[2 * k];
        for (int a = 0; a < k; a++) {
            pads[a] = p.before().get(a);
            pads[a + k] = p.after().get(a);
            long span = (long) x.shape().dim(a + 1) + pads[a] + pads[a + k]
                    - ((long) (p.filter().get(a) - 1) * p.dilations().get(a) + 1);
            ceil |= y.shape().dim(a + 1) > span / p.strides().get(a) + 1;
        }
        List<OnnxProtoWriter> attrs = new ArrayList<>(List.of(
                attrInts("kernel_shape", p.filter().stream().mapToInt(Integer::intValue).toArray()),
                attrInts("strides", p.strides().stream().mapToInt(Integer::intValue).toArray()),
                attrInts("pads", pads), attrInt("ceil_mode", ceil ? 1 : 0)));
        boolean dilated = p.dilations().stream().anyMatch(v -> v != 1);
        if (p.max()) {
            attrs.add(attrInts("dilations", p.dilations().stream().mapToInt(Integer::intValue).toArray()));
        } else {
            if (dilated) {
                throw new UnsupportedOperatorException("AveragePool", "node '" + n.name() + "': expected AveragePool "
                        + "without dilations (they need opset 19), found " + p.dilations() + " (onnx-writer, opset "
                        + OPSET + ")");
            }
            attrs.add(attrInt("count_include_pad", p.countPadding() ? 1 : 0));
        }
        String op = p.max() ? "MaxPool" : "AveragePool";
        String xi = floatAct(n.input(0));
        Out out = new Out(n, Activation.NONE);
        if (r == 4) {
            add(op, n.name(), List.of(xi), List.of(out.name), attrs.toArray(new OnnxProtoWriter[0]));
        } else {
            String cf = fresh(y.name() + "_channels_first");
            add(op, n.name(), List.of(transposeTo(xi, toFirst, x.name() + "_channels_first")), List.of(cf),
                    attrs.toArray(new OnnxProtoWriter[0]));
            add("Transpose", n.name(), List.of(cf), List.of(out.name), attrInts("perm", toLast));
        }
        out.finish(n.name());
    }

    private void mean(Node n, Op.Mean m) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        int r = x.shape().rank();
        int[] axes = new int[m.axes().size()];
        for (int i = 0; i < axes.length; i++) {
            int a = m.axes().get(i);
            axes[i] = r == 4 ? TO_NHWC[a] : a;
        }
        Out out = new Out(n, Activation.NONE);
        if (r == 4 && (!m.keepDims() || y.shape().rank() != 4)) {
            String k = fresh(y.name() + "_kept");
            add("ReduceMean", n.name(), List.of(floatAct(n.input(0))), List.of(k), attrInts("axes", axes),
                    attrInt("keepdims", 1));
            String t = transposeTo(k, TO_NHWC, y.name() + "_kept_nhwc");
            reshapeToIr(t, y, out.name, n.name());
        } else {
            add("ReduceMean", n.name(), List.of(floatAct(n.input(0))), List.of(out.name), attrInts("axes", axes),
                    attrInt("keepdims", m.keepDims() ? 1 : 0));
        }
        out.finish(n.name());
    }

    private void reshape(Node n) throws UnsupportedOperatorException {
        Tensor x = g.tensor(n.input(0));
        Tensor y = g.tensor(n.output(0));
        String xi = floatAct(n.input(0));
        if (x.shape().rank() == 4) {
            xi = transposeTo(xi, TO_NHWC, x.name() + "_nhwc");
        }
        Out out = new Out(n, Activation.NONE);
        reshapeToIr(xi, y, out.name, n.name());
        out.finish(n.name());
    }

    private void concat(Node n, Op.Concatenation c) throws UnsupportedOperatorException {
        Tensor y = g.tensor(n.output(0));
        int r = y.shape().rank();
        List<String> in = new ArrayList<>();
        for (int i : n.inputs()) {
            in.add(operand(i, r));
        }
        Out out = new Out(n, c.activation());
        add("Concat", n.name(), in, List.of(out.name), attrInt("axis", r == 4 ? TO_NHWC[c.axis()] : c.axis()));
        out.finish(n.name());
    }

    private void pad(Node n, Op.Pad p) throws UnsupportedOperatorException {
        int r = p.before().size();
        long[] pads = new long[2 * r];
        for (int i = 0; i < r; i++) {
            int a = r == 4 ? TO_NCHW[i] : i;
            pads[i] = p.before().get(a);
            pads[i + r] = p.after().get(a);
        }
        Out out = new Out(n, Activation.NONE);
        add("Pad", n.name(), List.of(floatAct(n.input(0)), longsInit(n.name() + "_pads", pads),
                scalar(n.name() + "_value", p.value())), List.of(out.name),
                attrString("mode", p.mode().name().toLowerCase(java.util.Locale.ROOT)));
        out.finish(n.name());
    }

    private void softmax(Node n, Op.Softmax s) throws UnsupportedOperatorException {
        int r = g.tensor(n.input(0)).shape().rank();
        String x = floatAct(n.input(0));
        if (s.beta() != 1f) {
            String b = fresh(g.tensor(n.input(0)).name() + "_beta");
            add("Mul", n.name(), List.of(x, scalar(n.name() + "_beta", s.beta())), List.of(b));
            x = b;
        }
        Out out = new Out(n, Activation.NONE);
        add("Softmax", n.name(), List.of(x), List.of(out.name), attrInt("axis", r == 4 ? 1 : -1));
        out.finish(n.name());
    }

    private void unary(Node n, String op, OnnxProtoWriter... attrs) throws UnsupportedOperatorException {
        Out out = new Out(n, Activation.NONE);
        add(op, n.name(), List.of(floatAct(n.input(0))), List.of(out.name), attrs);
        out.finish(n.name());
    }

    private void clip(Node n, float lo, float hi) throws UnsupportedOperatorException {
        Out out = new Out(n, Activation.NONE);
        add("Clip", n.name(), List.of(floatAct(n.input(0)), scalar(n.name() + "_min", lo), scalar(n.name() + "_max", hi)),
                List.of(out.name));
        out.finish(n.name());
    }

    private void dequantize(Node n) throws UnsupportedOperatorException {
        Tensor y = g.tensor(n.output(0));
        String src = floatAct(n.input(0));
        add("Identity", n.name(), List.of(src), List.of(y.name()));
    }

    private void transpose(Node n, Op.Transpose t) throws UnsupportedOperatorException {
        int r = t.perm().size();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = r == 4 ? TO_NHWC[t.perm().get(TO_NCHW[i])] : t.perm().get(i);
        }
        Out out = new Out(n, Activation.NONE);
        add("Transpose", n.name(), List.of(floatAct(n.input(0))), List.of(out.name), attrInts("perm", p));
        out.finish(n.name());
    }

    private void batchNorm(Node n, Op.BatchNormalization b) throws UnsupportedOperatorException {
        int r = g.tensor(n.input(0)).shape().rank();
        if (r != 4 && r != 2) {
            throw new UnsupportedOperatorException("BatchNormalization", "node '" + n.name()
                    + "': expected a rank-2 or rank-4 input, found rank " + r + " (onnx-writer)");
        }
        List<String> in = new ArrayList<>(List.of(floatAct(n.input(0))));
        for (int i = 1; i <= 4; i++) {
            Tensor p = g.tensor(n.input(i));
            in.add(p.isConstant() ? constant(p, 1, null) : floatAct(n.input(i)));
        }
        Out out = new Out(n, Activation.NONE);
        add("BatchNormalization", n.name(), in, List.of(out.name), attrFloat("epsilon", b.epsilon()));
        out.finish(n.name());
    }
}
