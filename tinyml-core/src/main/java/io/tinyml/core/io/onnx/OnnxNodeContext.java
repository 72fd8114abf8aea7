package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state shared by the node mappers of one read (the values, their IR tensors, the node being
 * mapped) and the helpers they use: node inputs and outputs, attributes, constant inputs, the
 * element-wise and reshape nodes most mappers emit, and error messages naming the node. One shared
 * state per read; not thread-safe.
 */
class OnnxNodeContext {
    /** The mutable state of one read, shared by every mapper. */
    static final class Shared {
        final String source;
        final int opset;
        final OnnxValues vs = new OnnxValues();
        final Map<String, Value> values = new HashMap<>();
        final Map<String, Integer> uses = new HashMap<>();
        /** Values of a type the IR lacks, held in a wider type (see OnnxTensors.holderType): their ONNX type. */
        final Map<String, Integer> widened = new HashMap<>();
        /** Conv, FullyConnected nodes made without a bias: output value to node position. */
        final Map<Value, Integer> biasless = new HashMap<>();
        OnnxProto.Node node;

        Shared(String source, int opset) {
            this.source = source;
            this.opset = opset;
        }
    }

    final Shared shared;
    final String source;
    final int opset;
    final OnnxValues vs;
    final Map<String, Value> values;
    final Map<String, Integer> uses;
    final Map<Value, Integer> biaslessFc;

    OnnxNodeContext(Shared shared) {
        this.shared = shared;
        this.source = shared.source;
        this.opset = shared.opset;
        this.vs = shared.vs;
        this.values = shared.values;
        this.uses = shared.uses;
        this.biaslessFc = shared.biasless;
    }

    /** The node being mapped, or null between nodes. */
    OnnxProto.Node node() {
        return shared.node;
    }

    static Value constValue(String name, Tensor c) {
        Value v = new Value(name, c.type(), c.shape().toArray());
        v.constant = c;
        return v;
    }

    void define(String name, Value v) throws MalformedModelException {
        if (name.isEmpty()) {
            return;
        }
        if (values.putIfAbsent(name, v) != null) {
            throw malformedG("expected value '" + name + "' to be produced once, found it produced again"
                    + (node() != null ? " by " + where() : ""));
        }
    }

    Value scalarConst(String name, float v) {
        return constValue(name, Tensor.ofFloats(name, Shape.SCALAR, new float[] {v}));
    }

    int transposeNode(String name, int src, List<Integer> perm, DataType type) {
        int[] inShape = vs.b.tensor(src).shape().toArray();
        int[] o = new int[perm.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = inShape[perm.get(i)];
        }
        int out = vs.activation(name, type, o, vs.b.tensor(src).quant().orElse(null));
        vs.node(name, new Op.Transpose(perm), List.of(src), List.of(out));
        return out;
    }

    void binary(Op op, Value a, Value b) throws MalformedModelException {
        binaryTo(op, a, b, null);
    }

    /** Adds an element-wise node; {@code into} null means the node's output 0. */
    Value binaryTo(Op op, Value a, Value b, Value into) throws MalformedModelException {
        if (a.type != b.type) {
            throw malformed("operands of one type", a.type + " and " + b.type);
        }
        int[] o = OnnxOpsShapes.broadcast(a.shape, b.shape);
        if (o == null) {
            throw malformed("broadcastable shapes", Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape));
        }
        if (o.length == 4) {
            int ai = vs.nhwc(a);
            int bi = vs.nhwc(b);
            Value y = into == null ? outNhwc(0, a.type, o, null) : into;
            if (into != null) {
                y.nhwc = vs.activation(y.name, a.type, OnnxValues.nhwcShape(o), null);
            }
            vs.node(node().name() + (into == null ? "" : "_" + op.kind().name().toLowerCase()), op, List.of(ai, bi),
                    List.of(y.nhwc));
            return y;
        }
        int ai = vs.plain(a);
        int bi = vs.plain(b);
        Value y = into == null ? outPlain(0, a.type, o, null) : into;
        if (into != null) {
            y.plain = vs.activation(y.name, a.type, o, null);
        }
        vs.node(node().name() + (into == null ? "" : "_" + op.kind().name().toLowerCase()), op, List.of(ai, bi),
                List.of(y.plain));
        return y;
    }

    void unary(Op op) throws MalformedModelException {
        unaryTo(op, in(0), null);
    }

    Value unaryTo(Op op, Value x, Value into) throws MalformedModelException {
        boolean nhwc = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        Value y;
        if (nhwc) {
            int xi = vs.nhwc(x);
            y = into == null ? outNhwc(0, x.type, x.shape, null) : into;
            if (into != null) {
                y.nhwc = vs.activation(y.name, x.type, OnnxValues.nhwcShape(x.shape), null);
            }
            vs.node(node().name() + (into == null ? "" : "_" + y.name), op, List.of(xi), List.of(y.nhwc));
        } else {
            int xi = vs.plain(x);
            y = into == null ? outPlain(0, x.type, x.shape, null) : into;
            if (into != null) {
                y.plain = vs.activation(y.name, x.type, x.shape, null);
            }
            vs.node(node().name() + (into == null ? "" : "_" + y.name), op, List.of(xi), List.of(y.plain));
        }
        return y;
    }

    /** Reshapes a value to a new ONNX shape (Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout). */
    void reshapeTo(Value x, int[] o) throws MalformedModelException {
        if (count(o) != count(x.shape)) {
            throw malformed("an output of " + count(x.shape) + " elements", Arrays.toString(o));
        }
        if (x.isConstant()) {
            Value y = new Value(node().outputs().get(0), x.type, o);
            y.constant = reshapeConst(x.constant, o, node().outputs().get(0));
            y.dequantize = x.dequantize;
            define(node().outputs().get(0), y);
            return;
        }
        boolean in4 = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        boolean out4 = o.length == 4;
        if (in4 && out4 && Arrays.equals(o, x.shape)) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Reshape(), List.of(vs.nhwc(x)), List.of(y.nhwc));
            return;
        }
        boolean inSame = in4 && OnnxValues.sameOrder(x.shape);
        if (in4 && !out4 && (inSame || o.length == 2 && o[0] == x.shape[0])) {
            if (inSame) {
                Value y = outPlain(0, x.type, o, x.quant);
                vs.node(node().name(), new Op.Reshape(), List.of(vs.nhwc(x)), List.of(y.plain));
            } else {
                Value y = new Value(node().outputs().get(0), x.type, o);
                y.quant = x.quant;
                y.flatSource = x; // made on demand: HWC order for an FC, or NCHW order for anything else
                define(y.name, y);
            }
            return;
        }
        int src = inSame ? vs.nhwc(x) : vs.plain(x);
        if (out4 && OnnxValues.sameOrder(o) && (inSame || !in4)) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Reshape(), List.of(src), List.of(y.nhwc));
            return;
        }
        src = vs.plain(x);
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node().name(), new Op.Reshape(), List.of(src), List.of(y.plain));
    }

    static Tensor reshapeConst(Tensor t, int[] o, String name) {
        QuantParams q = t.quant().orElse(null);
        Tensor r = t.withQuant(null).withShape(Shape.of(o)).withName(name);
        return q != null && q.isPerTensor() ? r.withQuant(q) : r;
    }

    Value unaryToTyped(Op op, Value x, DataType type, QuantParams q) throws MalformedModelException {
        boolean nhwc = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        Value y;
        if (nhwc) {
            int xi = vs.nhwc(x);
            y = outNhwc(0, type, x.shape, q);
            vs.node(node().name(), op, List.of(xi), List.of(y.nhwc));
        } else {
            int xi = vs.plain(x);
            y = outPlain(0, type, x.shape, q);
            vs.node(node().name(), op, List.of(xi), List.of(y.plain));
        }
        return y;
    }

    static Tensor longTensor(String name, long[] v, Shape s) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return Tensor.constant(name, DataType.INT64, s, b.array());
    }

    Value outPlain(int i, DataType type, int[] shape, QuantParams q) throws MalformedModelException {
        String name = outName(i);
        Value v = new Value(name, type, shape);
        v.quant = q;
        v.plain = vs.activation(name + (shape.length == 4 ? "_nchw" : ""), type, shape, q);
        define(name, v);
        return v;
    }

    Value outNhwc(int i, DataType type, int[] nchw, QuantParams q) throws MalformedModelException {
        String name = outName(i);
        Value v = new Value(name, type, nchw);
        v.quant = q;
        v.nhwc = vs.activation(name, type, OnnxValues.nhwcShape(nchw), q);
        define(name, v);
        return v;
    }

    String outName(int i) throws MalformedModelException {
        if (i >= node().outputs().size() || node().outputs().get(i).isEmpty()) {
            throw malformed("output " + i, "none");
        }
        return node().outputs().get(i);
    }

    Value in(int i) throws MalformedModelException {
        Value v = opt(i);
        if (v == null) {
            throw malformed("input " + i, "none");
        }
        return v;
    }

    Value opt(int i) throws MalformedModelException {
        if (i >= node().inputs().size() || node().inputs().get(i).isEmpty()) {
            return null;
        }
        String name = node().inputs().get(i);
        Value v = values.get(name);
        if (v == null) {
            throw malformed("input '" + name + "' produced before the node (ONNX graphs are topologically sorted)",
                    "no producer");
        }
        return v;
    }

    void requireFloat(Value x) throws UnsupportedOperatorException {
        if (x.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT input, found " + x.type);
        }
    }

    OnnxProto.Attr attr(String name, int type) throws MalformedModelException {
        OnnxProto.Attr a = node().attrs().get(name);
        if (a != null && a.type() != 0 && a.type() != type) {
            throw malformed("attribute '" + name + "' of type " + type, "type " + a.type());
        }
        return a;
    }

    long attrI(String name, long def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_INT);
        if (a == null) {
            if (def == Long.MIN_VALUE) {
                throw malformed("attribute '" + name + "'", "none");
            }
            return def;
        }
        return a.i();
    }

    float attrF(String name, float def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_FLOAT);
        return a == null ? def : a.f();
    }

    String attrS(String name, String def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_STRING);
        return a == null || a.s() == null ? def : a.string();
    }

    int[] attrInts(String name, int[] def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_INTS);
        if (a == null) {
            return def;
        }
        long[] v = a.ints();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != (int) v[i]) {
                throw malformed("attribute '" + name + "' values within int32", Arrays.toString(v));
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    long[] constLongs(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
        if (!v.isPlainConstant()) {
            throw unsupported("a constant '" + what + "' input, found activation '" + v.name + "'");
        }
        if (v.type != DataType.INT64 && v.type != DataType.INT32) {
            throw malformed("an integer '" + what + "' input", v.type.toString());
        }
        return OnnxTensors.longs(v.constant);
    }

    int[] constInts(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
        long[] l = constLongs(v, what);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != (int) l[i]) {
                throw malformed("'" + what + "' values within int32", Arrays.toString(l));
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    float constScalar(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
        if (!v.isPlainConstant()) {
            throw unsupported("a constant '" + what + "' input, found activation '" + v.name + "'");
        }
        if (v.constant.shape().elementCount() != 1) {
            throw malformed("a scalar '" + what + "'", Arrays.toString(v.shape));
        }
        if (v.type.isFloat()) {
            return v.constant.floats()[0];
        }
        return (float) OnnxTensors.longs(v.constant)[0];
    }

    int normAxis(int a, int r) throws MalformedModelException {
        if (a < -r || a >= r) {
            throw malformed("an axis in [" + -r + ", " + r + ")", "" + a);
        }
        return a < 0 ? a + r : a;
    }

    static int normAxisClamped(int a, int r) {
        int v = a < 0 ? a + r : a;
        return Math.max(0, Math.min(r, v));
    }

    static long count(int[] s) {
        long c = 1;
        for (int d : s) {
            c *= d;
        }
        return c;
    }

    String where() {
        return "node '" + node().name() + "' (" + node().opType() + ")";
    }

    UnsupportedOperatorException unsupported(String detail) {
        return new UnsupportedOperatorException(node().opType(), "'" + source + "': " + where() + ": expected "
                + detail + " (onnx-reader, opset " + opset + ")");
    }

    MalformedModelException malformed(String expected, String found) {
        return new MalformedModelException("'" + source + "': " + where() + ": expected " + expected + ", found " + found);
    }

    MalformedModelException malformed(String message) {
        return new MalformedModelException("'" + source + "': " + where() + ": expected " + message);
    }

    MalformedModelException malformedG(String message) {
        return new MalformedModelException("'" + source + "': " + message);
    }
}
