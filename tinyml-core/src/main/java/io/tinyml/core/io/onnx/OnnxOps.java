package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.internal.ReaderEntry;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the nodes of one ONNX graph to IR nodes, keeping every 4-D activation NHWC (see
 * {@link OnnxValues}): reads initializers, inputs and outputs, dispatches each node to its mapper
 * ({@link OnnxConvOps}, {@link OnnxMathOps}, {@link OnnxLayoutOps}, {@link OnnxQuantOps}) and bounds
 * the result. One instance per read; not thread-safe.
 */
final class OnnxOps extends OnnxNodeContext {
    private static final Logger log = LoggerFactory.getLogger(OnnxOps.class);
    private static final long MAX_ACTIVATION_BYTES = 1L << 30;

    private final OnnxConvOps convs;
    private final OnnxMathOps maths;
    private final OnnxLayoutOps layouts;
    private final OnnxQuantOps quants;

    OnnxOps(String source, int opset) {
        super(new Shared(source, opset));
        convs = new OnnxConvOps(shared);
        maths = new OnnxMathOps(shared);
        layouts = new OnnxLayoutOps(shared);
        quants = new OnnxQuantOps(shared);
    }

    Graph readGraph(OnnxProto.Graph g, Map<String, Tensor> bindings, Map<String, String> metadata)
            throws MalformedModelException, UnsupportedOperatorException {
        if (g.sparseInitializers() > 0) {
            throw new UnsupportedOperatorException("sparse_initializer", "'" + source
                    + "': expected dense initializers, found " + g.sparseInitializers() + " sparse ones (onnx-reader)");
        }
        for (OnnxProto.TensorP t : g.initializers()) {
            if (t.name().isEmpty()) {
                throw malformedG("expected every initializer to have a name, found an unnamed one");
            }
            Tensor c = OnnxTensors.toConstant(t, t.name(), "'" + source + "'");
            define(t.name(), constValue(t.name(), c));
            if (OnnxTensors.widened(t.dataType())) {
                shared.widened.put(t.name(), t.dataType());
            }
        }
        Map<String, OnnxProto.ValueInfo> inputsByName = new HashMap<>();
        for (OnnxProto.ValueInfo vi : g.inputs()) {
            inputsByName.put(vi.name(), vi);
        }
        for (Map.Entry<String, Tensor> e : bindings.entrySet()) {
            OnnxProto.ValueInfo vi = inputsByName.get(e.getKey());
            if (vi == null || values.containsKey(e.getKey())) {
                throw malformedG("expected a bound name to be a graph input, found '" + e.getKey() + "'");
            }
            define(e.getKey(), constValue(e.getKey(), e.getValue().withName(e.getKey())));
            if (OnnxTensors.widened(vi.elemType())) {
                shared.widened.put(vi.name(), vi.elemType());
            }
        }
        for (OnnxProto.ValueInfo vi : g.inputs()) {
            if (values.containsKey(vi.name())) {
                continue; // an initializer listed as input (IR < 4) or a bound input
            }
            DataType type = OnnxTensors.holderType(vi.elemType());
            if (OnnxTensors.widened(vi.elemType())) {
                shared.widened.put(vi.name(), vi.elemType());
            }
            if (type == null) {
                throw new UnsupportedOperatorException(OnnxTensors.onnxTypeName(vi.elemType()), "'" + source
                        + "': graph input '" + vi.name() + "': expected a tensor of an IR element type, found "
                        + OnnxTensors.onnxTypeName(vi.elemType()) + " (onnx-reader)");
            }
            if (vi.dims() == null) {
                throw malformedG("graph input '" + vi.name() + "': expected a shape, found none");
            }
            long[] d = vi.dims().clone();
            for (int i = 0; i < d.length; i++) {
                if (d[i] < 0) {
                    log.debug("{}: input '{}': symbolic dimension {} read as 1", source, vi.name(), i);
                    d[i] = 1;
                }
            }
            int[] shape = OnnxTensors.shape(d, type.byteSize(), "'" + source + "': graph input '" + vi.name() + "'")
                    .toArray();
            Value v = new Value(vi.name(), type, shape);
            if (shape.length == 4) {
                v.nhwc = vs.activation(vi.name(), type, OnnxValues.nhwcShape(shape), null);
                vs.b.addInputIndex(v.nhwc);
                metadata.put("layout.input." + vi.name(), "NCHW");
            } else {
                v.plain = vs.activation(vi.name(), type, shape, null);
                vs.b.addInputIndex(v.plain);
            }
            define(vi.name(), v);
        }
        for (OnnxProto.Node n : g.nodes()) {
            for (String s : n.inputs()) {
                uses.merge(s, 1, Integer::sum);
            }
        }
        for (OnnxProto.ValueInfo vi : g.outputs()) {
            uses.merge(vi.name(), 1, Integer::sum);
        }
        for (OnnxProto.Node n : g.nodes()) {
            shared.node = n;
            mapNode(n);
        }
        shared.node = null;
        if (g.outputs().isEmpty()) {
            throw malformedG("expected at least one graph output, found none");
        }
        for (OnnxProto.ValueInfo vi : g.outputs()) {
            Value v = values.get(vi.name());
            if (v == null) {
                throw malformedG("graph output '" + vi.name() + "': expected a value produced by the graph, found none");
            }
            int idx;
            if (v.isConstant() || vs.b.inputs().contains(v.rank() == 4 ? vs.nhwc(v) : vs.plain(v))) {
                int src = v.rank() == 4 ? vs.nhwc(v) : vs.plain(v);
                int[] s = vs.b.tensor(src).shape().toArray();
                idx = vs.activation(vi.name(), vs.b.tensor(src).type(), s, vs.b.tensor(src).quant().orElse(null));
                vs.node(vi.name(), new Op.Reshape(), List.of(src), List.of(idx));
            } else {
                idx = v.rank() == 4 ? vs.nhwc(v) : vs.plain(v);
            }
            if (v.rank() == 4) {
                metadata.put("layout.output." + vi.name(), "NCHW");
            }
            vs.b.addOutput(idx);
        }
        checkLimits();
        return vs.b.build();
    }

    private void checkLimits() throws MalformedModelException {
        long act = 0;
        for (int i = 0; i < vs.b.tensorCount(); i++) {
            Tensor t = vs.b.tensor(i);
            if (!t.isConstant()) {
                act += t.byteSize();
            }
        }
        if (act > MAX_ACTIVATION_BYTES) {
            throw malformedG("activations declare " + act + " bytes in total, over the limit of "
                    + MAX_ACTIVATION_BYTES + " bytes (1 GiB)");
        }
        long cost = ReaderEntry.fanOutCost(vs.b.tensorCount(), vs.b.nodes().stream().map(Node::inputs).toList());
        if (cost > ReaderEntry.MAX_FANOUT_COST) {
            throw malformedG("expected tensors read by a moderate number of nodes, found a fan-out cost of " + cost
                    + " (limit " + ReaderEntry.MAX_FANOUT_COST + ")");
        }
    }

    /** A step of an operator mapped as several standard ONNX operators. */
    private interface Step {
        void run() throws MalformedModelException, UnsupportedOperatorException;
    }

    /** Maps a synthetic standard node with the mapper of its operator, as part of {@code parent}. */
    private void sub(OnnxProto.Node parent, String op, List<String> in, List<String> out, Map<String, OnnxProto.Attr> attrs,
                     Step step) throws MalformedModelException, UnsupportedOperatorException {
        shared.node = new OnnxProto.Node(parent.name(), op, "", in, out, attrs);
        for (String s : in) {
            uses.merge(s, 1, Integer::sum);
        }
        try {
            step.run();
        } finally {
            shared.node = parent;
        }
    }

    private static Map<String, OnnxProto.Attr> axis(long a) {
        return Map.of("axis", new OnnxProto.Attr("axis", OnnxProto.A_INT, 0f, a, null, null, null, null, false));
    }

    /**
     * QLinearConv and QLinearMatMul as their definition reads: DequantizeLinear of the input and the
     * weights (per output channel when the weight scale is a vector), the float Conv or MatMul with
     * the INT32 bias dequantized by x_scale × w_scale, and QuantizeLinear to the output's parameters.
     * An int8 group then becomes one int8 operator ({@link QdqFusion}); other types run in float.
     */
    private void qlinear(OnnxProto.Node n, boolean conv) throws MalformedModelException, UnsupportedOperatorException {
        if (n.inputs().size() < 8) {
            throw malformed("at least 8 inputs", Integer.toString(n.inputs().size()));
        }
        String base = n.outputs().get(0);
        List<String> in = new java.util.ArrayList<>(n.inputs());
        for (int i : new int[] {1, 4, 6}) {
            in.set(i, float32Scale(in.get(i), base + "/scale" + i));
        }
        String xf = base + "/x_dequantized";
        String wf = base + "/w_dequantized";
        String yf = base + "/float";
        sub(n, "DequantizeLinear", List.of(in.get(0), in.get(1), in.get(2)), List.of(xf), Map.of(),
                quants::dequantizeLinear);
        sub(n, "DequantizeLinear", List.of(in.get(3), in.get(4), in.get(5)), List.of(wf), axis(conv ? 0 : 1),
                quants::dequantizeLinear);
        List<String> opIn = new java.util.ArrayList<>(List.of(xf, wf));
        if (conv && in.size() > 8 && !in.get(8).isEmpty()) {
            String bf = base + "/bias_dequantized";
            quants.dequantizeBias(in.get(8), in.get(1), in.get(4), bf);
            uses.merge(bf, 1, Integer::sum);
            opIn.add(bf);
        }
        if (conv) {
            sub(n, "Conv", opIn, List.of(yf), n.attrs(), convs::conv);
        } else {
            sub(n, "MatMul", opIn, List.of(yf), Map.of(), maths::matMul);
        }
        sub(n, "QuantizeLinear", List.of(yf, in.get(6), in.get(7)), List.of(n.outputs().get(0)), Map.of(),
                quants::quantizeLinear);
    }

    /** A FLOAT16 constant scale (QLinear operators may carry them) as a FLOAT32 constant; others unchanged. */
    private String float32Scale(String name, String as) throws MalformedModelException {
        Value v = values.get(name);
        if (v == null || !v.isPlainConstant() || v.type != DataType.FLOAT16) {
            return name;
        }
        define(as, constValue(as, Tensor.ofFloats(as, v.constant.shape(), v.constant.floats())));
        return as;
    }

    /**
     * ConvInteger: the integer inputs minus their zero points (exact in float32 for 8-bit data and
     * accumulations below 2^24), a float Conv, and the INT32 result (scale 1, zero point 0).
     */
    private void convInteger(OnnxProto.Node n) throws MalformedModelException, UnsupportedOperatorException {
        List<String> in = n.inputs();
        String base = n.outputs().get(0);
        String one = ones(base + "/one", in.size() > 2 ? in.get(2) : "");
        String wOne = ones(base + "/w_one", in.size() > 3 ? in.get(3) : "");
        String xf = base + "/x_float";
        String wf = base + "/w_float";
        String yf = base + "/float";
        sub(n, "DequantizeLinear", in.size() > 2 && !in.get(2).isEmpty() ? List.of(in.get(0), one, in.get(2))
                : List.of(in.get(0), one), List.of(xf), Map.of(), quants::dequantizeLinear);
        sub(n, "DequantizeLinear", in.size() > 3 && !in.get(3).isEmpty() ? List.of(in.get(1), wOne, in.get(3))
                : List.of(in.get(1), wOne), List.of(wf), axis(0), quants::dequantizeLinear);
        sub(n, "Conv", List.of(xf, wf), List.of(yf), n.attrs(), convs::conv);
        sub(n, "Cast", List.of(yf), List.of(n.outputs().get(0)), Map.of(), quants::toInt32);
    }

    /** Defines a FLOAT32 constant of ones shaped like a zero point (a scalar when there is none). */
    private String ones(String name, String zeroPoint) throws MalformedModelException {
        Value zp = zeroPoint.isEmpty() ? null : values.get(zeroPoint);
        int count = zp == null ? 1 : Math.max(1, Arrays.stream(zp.shape).reduce(1, (a, b) -> a * b));
        float[] v = new float[count];
        Arrays.fill(v, 1f);
        define(name, constValue(name, Tensor.ofFloats(name, count == 1 && (zp == null || zp.rank() == 0)
                ? Shape.SCALAR : Shape.of(count), v)));
        return name;
    }

    private void mapNode(OnnxProto.Node n) throws MalformedModelException, UnsupportedOperatorException {
        if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
            throw unsupported("an operator of the default ONNX domain, found domain '" + n.domain() + "'");
        }
        for (OnnxProto.Attr a : n.attrs().values()) {
            if (a.hasGraph()) {
                throw unsupported("no graph-valued attributes (control flow), found '" + a.name() + "'");
            }
        }
        switch (n.opType()) {
            case "Conv" -> convs.conv();
            case "Gemm" -> maths.gemm();
            case "MatMul" -> maths.matMul();
            case "Add" -> maths.add();
            case "Sub" -> binary(new Op.Sub(Activation.NONE), in(0), maths.legacyBroadcast(in(0), in(1)));
            case "Mul" -> binary(new Op.Mul(Activation.NONE), in(0), maths.legacyBroadcast(in(0), in(1)));
            case "Div" -> maths.div();
            case "Relu" -> unary(new Op.Relu());
            case "Sigmoid" -> unary(new Op.Logistic());
            case "Tanh" -> unary(new Op.Tanh());
            case "HardSwish" -> unary(new Op.HardSwish());
            case "LeakyRelu" -> unary(new Op.LeakyRelu(attrF("alpha", 0.01f)));
            case "Clip" -> maths.clip();
            case "HardSigmoid" -> maths.hardSigmoid();
            case "PRelu" -> maths.prelu();
            case "Softmax" -> maths.softmax(false);
            case "LogSoftmax" -> maths.softmax(true);
            case "BatchNormalization" -> convs.batchNorm();
            case "MaxPool", "AveragePool" -> convs.pool(n.opType().equals("MaxPool"));
            case "GlobalAveragePool" -> convs.globalAveragePool();
            case "ReduceMean" -> convs.reduceMean();
            case "Flatten" -> layouts.flatten();
            case "Reshape" -> layouts.reshapeOp();
            case "Squeeze" -> layouts.squeeze();
            case "Unsqueeze" -> layouts.unsqueeze();
            case "Identity" -> reshapeTo(in(0), in(0).shape);
            case "Dropout" -> layouts.dropout();
            case "Transpose" -> layouts.transpose();
            case "DepthToSpace" -> layouts.depthToSpace();
            case "Concat" -> layouts.concat();
            case "Pad" -> layouts.pad();
            case "QLinearConv" -> qlinear(n, true);
            case "QLinearMatMul" -> qlinear(n, false);
            case "ConvInteger" -> convInteger(n);
            case "QuantizeLinear" -> quants.quantizeLinear();
            case "DequantizeLinear" -> quants.dequantizeLinear();
            case "Constant" -> layouts.constantNode();
            case "Shape" -> layouts.shapeOp();
            case "Gather" -> layouts.gather();
            case "Cast" -> layouts.cast();
            default -> throw unsupported("an operator the IR can express, found " + n.opType());
        }
    }
}
