package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the nodes of one ONNX graph to IR nodes, keeping every 4-D activation NHWC (see
 * {@link OnnxValues}). One instance per read; not thread-safe.
 */
final class OnnxOps {
    private static final Logger log = LoggerFactory.getLogger(OnnxOps.class);
    private static final long MAX_ACTIVATION_BYTES = 1L << 30;
    private static final long MAX_FANOUT_COST = 1L << 26;

    private final String source;
    private final int opset;
    private final OnnxValues vs = new OnnxValues();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Integer> uses = new HashMap<>();
    /** FullyConnected nodes made from a MatMul, without bias yet: output value to node position. */
    private final Map<Value, Integer> biaslessFc = new HashMap<>();
    private OnnxProto.Node node;

    OnnxOps(String source, int opset) {
        this.source = source;
        this.opset = opset;
    }

    // ------------------------------------------------------------------ graph

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
        }
        for (OnnxProto.ValueInfo vi : g.inputs()) {
            if (values.containsKey(vi.name())) {
                continue; // an initializer listed as input (IR < 4) or a bound input
            }
            DataType type = OnnxTensors.irType(vi.elemType());
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
            node = n;
            mapNode(n);
        }
        node = null;
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
        int nt = vs.b.tensorCount();
        int[] reads = new int[nt];
        int[] distinct = new int[nt];
        int[] last = new int[nt];
        Arrays.fill(last, -1);
        List<Node> nodes = vs.b.nodes();
        for (int n = 0; n < nodes.size(); n++) {
            for (int i : nodes.get(n).inputs()) {
                if (i != Node.ABSENT) {
                    reads[i]++;
                    if (last[i] != n) {
                        last[i] = n;
                        distinct[i]++;
                    }
                }
            }
        }
        long cost = 0;
        for (int i = 0; i < nt; i++) {
            cost += (long) reads[i] * distinct[i];
        }
        if (cost > MAX_FANOUT_COST) {
            throw malformedG("expected tensors read by a moderate number of nodes, found a fan-out cost of " + cost
                    + " (limit " + MAX_FANOUT_COST + ")");
        }
    }

    private static Value constValue(String name, Tensor c) {
        Value v = new Value(name, c.type(), c.shape().toArray());
        v.constant = c;
        return v;
    }

    private void define(String name, Value v) throws MalformedModelException {
        if (name.isEmpty()) {
            return;
        }
        if (values.putIfAbsent(name, v) != null) {
            throw malformedG("expected value '" + name + "' to be produced once, found it produced again"
                    + (node != null ? " by " + where() : ""));
        }
    }

    // ------------------------------------------------------------------ nodes

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
            case "Conv" -> conv();
            case "Gemm" -> gemm();
            case "MatMul" -> matMul();
            case "Add" -> add();
            case "Sub" -> binary(new Op.Sub(Activation.NONE), in(0), legacyBroadcast(in(0), in(1)));
            case "Mul" -> binary(new Op.Mul(Activation.NONE), in(0), legacyBroadcast(in(0), in(1)));
            case "Div" -> div();
            case "Relu" -> unary(new Op.Relu());
            case "Sigmoid" -> unary(new Op.Logistic());
            case "Tanh" -> unary(new Op.Tanh());
            case "HardSwish" -> unary(new Op.HardSwish());
            case "LeakyRelu" -> unary(new Op.LeakyRelu(attrF("alpha", 0.01f)));
            case "Clip" -> clip();
            case "HardSigmoid" -> hardSigmoid();
            case "PRelu" -> prelu();
            case "Softmax" -> softmax();
            case "BatchNormalization" -> batchNorm();
            case "MaxPool", "AveragePool" -> pool(n.opType().equals("MaxPool"));
            case "GlobalAveragePool" -> globalAveragePool();
            case "ReduceMean" -> reduceMean();
            case "Flatten" -> flatten();
            case "Reshape" -> reshapeOp();
            case "Squeeze" -> squeeze();
            case "Unsqueeze" -> unsqueeze();
            case "Identity" -> reshapeTo(in(0), in(0).shape);
            case "Dropout" -> dropout();
            case "Transpose" -> transpose();
            case "Concat" -> concat();
            case "Pad" -> pad();
            case "QuantizeLinear" -> quantizeLinear();
            case "DequantizeLinear" -> dequantizeLinear();
            case "Constant" -> constantNode();
            case "Shape" -> shapeOp();
            case "Gather" -> gather();
            case "Cast" -> cast();
            default -> throw unsupported("an operator the IR can express, found " + n.opType());
        }
    }

    // ---- Conv

    private void conv() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value w = in(1);
        Value bias = opt(2);
        if (x.rank() != 4 || w.rank() != 4) {
            throw unsupported("a 2-D convolution (rank-4 input and weights), found input rank " + x.rank());
        }
        requireFloat(x);
        int[] k = {w.shape[2], w.shape[3]};
        int[] ks = attrInts("kernel_shape", k);
        if (ks.length != 2 || ks[0] != k[0] || ks[1] != k[1]) {
            throw malformed("kernel_shape " + Arrays.toString(k) + " from the weights, found " + Arrays.toString(ks));
        }
        int[] strides = attrInts("strides", new int[] {1, 1});
        int[] dil = attrInts("dilations", new int[] {1, 1});
        int group = (int) attrI("group", 1);
        int c = x.shape[1];
        int m = w.shape[0];
        if (strides.length != 2 || dil.length != 2 || group < 1 || c % group != 0 || m % group != 0
                || w.shape[1] != c / group) {
            throw malformed("consistent strides, dilations, group and weights for " + c + " input channels, found group "
                    + group + " and weights " + Arrays.toString(w.shape));
        }
        int[] pads = resolvePads(x.shape, k, strides, dil, attrInts("pads", new int[] {0, 0, 0, 0}));
        Padding padding = spatialPadding(x.shape, k, strides, dil, pads);
        int xi = vs.nhwc(x);
        if (padding == null) {
            xi = padNhwc(x, xi, pads, 0f);
            padding = Padding.VALID;
        }
        boolean depthwise = group == c && w.shape[1] == 1 && group > 1;
        int wi;
        if (w.isConstant()) {
            wi = vs.constant(w, depthwise ? new int[] {1, 2, 3, 0} : OnnxTensors.TO_NHWC, w.shape);
        } else {
            wi = vs.nhwc(w); // OHWI
            if (depthwise) {
                int[] s = vs.b.tensor(wi).shape().toArray();
                int t = vs.activation(w.name + "_1hwo", w.type, new int[] {1, s[1], s[2], s[0]}, null);
                vs.node(w.name + "_1hwo", new Op.Transpose(List.of(3, 1, 2, 0)), List.of(wi), List.of(t));
                wi = t;
            }
        }
        int bi = bias == null ? Node.ABSENT : vs.plain(bias);
        int oh = Math.floorDiv(x.shape[2] + pads[0] + pads[2] - ((k[0] - 1) * dil[0] + 1), strides[0]) + 1;
        int ow = Math.floorDiv(x.shape[3] + pads[1] + pads[3] - ((k[1] - 1) * dil[1] + 1), strides[1]) + 1;
        if (oh < 1 || ow < 1) {
            throw malformed("a kernel within the padded input", Arrays.toString(x.shape) + " and kernel " + Arrays.toString(k));
        }
        Value y = outNhwc(0, x.type, new int[] {x.shape[0], m, oh, ow}, null);
        Op op = depthwise
                ? new Op.DepthwiseConv2D(strides[0], strides[1], dil[0], dil[1], padding, m / c, Activation.NONE)
                : new Op.Conv2D(strides[0], strides[1], dil[0], dil[1], padding, Activation.NONE);
        vs.node(node.name(), op, List.of(xi, wi, bi), List.of(y.nhwc));
        if (bi == Node.ABSENT) {
            biaslessFc.put(y, vs.b.nodes().size() - 1);
        }
    }

    /** Returns explicit pads {hb, wb, he, we} from the pads attribute or auto_pad. */
    private int[] resolvePads(int[] x, int[] k, int[] s, int[] d, int[] pads)
            throws MalformedModelException, UnsupportedOperatorException {
        String autoPad = attrS("auto_pad", "NOTSET");
        if (pads.length != 4) {
            throw malformed("4 pads for 2 spatial axes", Arrays.toString(pads));
        }
        switch (autoPad) {
            case "NOTSET" -> {
                for (int p : pads) {
                    if (p < 0) {
                        throw unsupported("non-negative pads, found " + Arrays.toString(pads));
                    }
                }
                return pads;
            }
            case "VALID" -> {
                return new int[4];
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] out = new int[4];
                for (int a = 0; a < 2; a++) {
                    int in = x[2 + a];
                    int o = (in + s[a] - 1) / s[a];
                    int total = Math.max((o - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in, 0);
                    int small = total / 2;
                    out[a] = autoPad.equals("SAME_UPPER") ? small : total - small;
                    out[a + 2] = total - out[a];
                }
                return out;
            }
            default -> throw malformed("auto_pad NOTSET, SAME_UPPER, SAME_LOWER or VALID", autoPad);
        }
    }

    /** SAME or VALID if the explicit pads equal what they mean, else null (an explicit Pad is needed). */
    private static Padding spatialPadding(int[] x, int[] k, int[] s, int[] d, int[] pads) {
        boolean same = true;
        boolean zero = true;
        for (int a = 0; a < 2; a++) {
            int in = x[2 + a];
            int o = (in + s[a] - 1) / s[a];
            int before = Padding.SAME.padBefore(in, k[a], s[a], d[a], o);
            int total = Math.max((o - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in, 0);
            int onnxOut = Math.floorDiv(in + pads[a] + pads[a + 2] - ((k[a] - 1) * d[a] + 1), s[a]) + 1;
            same &= pads[a] == before && pads[a + 2] == total - before && onnxOut == o;
            zero &= pads[a] == 0 && pads[a + 2] == 0;
        }
        return same ? Padding.SAME : zero ? Padding.VALID : null;
    }

    /** Adds a Pad node on an NHWC tensor with ONNX spatial pads {hb, wb, he, we}. */
    private int padNhwc(Value x, int xi, int[] pads, float value) {
        int[] s = vs.b.tensor(xi).shape().toArray();
        int[] o = {s[0], s[1] + pads[0] + pads[2], s[2] + pads[1] + pads[3], s[3]};
        int out = vs.activation(x.name + "_padded", x.type, o, vs.b.tensor(xi).quant().orElse(null));
        vs.node(node.name() + "_pad", new Op.Pad(List.of(0, pads[0], pads[1], 0), List.of(0, pads[2], pads[3], 0), value),
                List.of(xi), List.of(out));
        return out;
    }

    // ---- pooling

    private void pool(boolean max) throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        boolean lifted = x.rank() == 3;
        if (x.rank() != 4 && !lifted) {
            throw unsupported("1-D or 2-D pooling (a rank-3 or rank-4 input), found rank " + x.rank());
        }
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
            throw unsupported("MaxPool without the Indices output, found it requested");
        }
        int sp = x.rank() - 2;
        int[] k = attrInts("kernel_shape", null);
        if (k == null || k.length != sp) {
            throw malformed("a kernel_shape of " + sp + " values", k == null ? "none" : Arrays.toString(k));
        }
        int[] s = attrInts("strides", sp == 2 ? new int[] {1, 1} : new int[] {1});
        int[] d = attrInts("dilations", sp == 2 ? new int[] {1, 1} : new int[] {1});
        int[] rawPads = attrInts("pads", new int[2 * sp]);
        if (s.length != sp || d.length != sp || rawPads.length != 2 * sp) {
            throw malformed(sp + " strides and dilations, " + 2 * sp + " pads", Arrays.toString(s) + " "
                    + Arrays.toString(d) + " " + Arrays.toString(rawPads));
        }
        if (lifted) {
            // [N, C, L] pools as [N, C, 1, L]: exact
            k = new int[] {1, k[0]};
            s = new int[] {1, s[0]};
            d = new int[] {1, d[0]};
            rawPads = new int[] {0, rawPads[0], 0, rawPads[1]};
            Value x4 = new Value(x.name + "_2d", x.type, new int[] {x.shape[0], x.shape[1], 1, x.shape[2]});
            x4.quant = x.quant;
            x4.plain = vs.activation(x4.name + "_nchw", x.type, x4.shape, x.quant);
            vs.node(x4.name, new Op.Reshape(), List.of(vs.plain(x)), List.of(x4.plain));
            x = x4;
        }
        boolean dilated = d[0] != 1 || d[1] != 1;
        if (dilated && (lifted || !max || s[0] % d[0] != 0 || s[1] % d[1] != 0 || d[0] < 1 || d[1] < 1)) {
            throw unsupported("pooling without dilation, or 2-D max pooling whose strides are multiples of the dilations"
                    + " (the IR has no dilated pooling), found dilations " + Arrays.toString(d) + " and strides "
                    + Arrays.toString(s));
        }
        for (int v : k) {
            if (v < 1) {
                throw malformed("positive kernel sizes", Arrays.toString(k));
            }
        }
        for (int v : s) {
            if (v < 1) {
                throw malformed("positive strides", Arrays.toString(s));
            }
        }
        boolean ceil = attrI("ceil_mode", 0) != 0;
        boolean includePad = !max && attrI("count_include_pad", 0) != 0;
        int[] pads = resolvePads(x.shape, k, s, d, rawPads);
        if (dilated) {
            dilatedMaxPool(x, k, s, d, pads, attrI("ceil_mode", 0) != 0);
            return;
        }
        int[] out = new int[2];
        for (int a = 0; a < 2; a++) {
            int span = x.shape[2 + a] + pads[a] + pads[a + 2] - k[a];
            if (span < 0) {
                throw malformed("a pooling window within the padded input", "kernel " + Arrays.toString(k)
                        + " over " + Arrays.toString(x.shape));
            }
            out[a] = (ceil ? Math.floorDiv(span + s[a] - 1, s[a]) : Math.floorDiv(span, s[a])) + 1;
            if (ceil && (out[a] - 1) * s[a] >= x.shape[2 + a] + pads[a]) {
                out[a]--; // the last window may not start in the trailing padding
            }
            int extra = (out[a] - 1) * s[a] + k[a] - (x.shape[2 + a] + pads[a] + pads[a + 2]);
            if (extra > 0) {
                if (!max) {
                    throw unsupported("AveragePool with ceil_mode only where it changes no output size");
                }
                pads[a + 2] += extra;
            }
        }
        Padding padding = includePad ? (pads[0] + pads[1] + pads[2] + pads[3] == 0 ? Padding.VALID : null)
                : spatialPadding(x.shape, k, s, d, pads);
        int xi = vs.nhwc(x);
        if (padding == null) {
            if (!max && !includePad) {
                throw unsupported("AveragePool whose pads are SAME or zero when padding is not counted "
                        + "(count_include_pad=0), found pads " + Arrays.toString(pads));
            }
            xi = padNhwc(x, xi, pads, max ? Float.NEGATIVE_INFINITY : 0f);
            padding = Padding.VALID;
        }
        int[] os = {x.shape[0], x.shape[1], out[0], out[1]};
        Value y;
        if (lifted) {
            y = new Value(node.outputs().get(0) + "_2d", x.type, os);
            y.quant = x.quant;
            y.nhwc = vs.activation(y.name, x.type, OnnxValues.nhwcShape(os), x.quant);
        } else {
            y = outNhwc(0, x.type, os, x.quant);
        }
        Op op = max ? new Op.MaxPool2D(k[0], k[1], s[0], s[1], padding, Activation.NONE)
                : new Op.AveragePool2D(k[0], k[1], s[0], s[1], padding, Activation.NONE);
        vs.node(node.name(), op, List.of(xi), List.of(y.nhwc));
        if (lifted) {
            reshapeTo(y, new int[] {os[0], os[1], os[3]});
        }
    }

    /**
     * Dilated max pooling whose strides are multiples of the dilations, exactly: pad with -inf, keep
     * every d-th row and column (a 1x1 max pool of stride d), then pool with kernel k and stride s/d.
     */
    private void dilatedMaxPool(Value x, int[] k, int[] s, int[] d, int[] pads, boolean ceil)
            throws MalformedModelException, UnsupportedOperatorException {
        if (ceil) {
            throw unsupported("dilated max pooling without ceil_mode");
        }
        int[] out = new int[2];
        int[] sub = new int[2];
        for (int a = 0; a < 2; a++) {
            int padded = x.shape[2 + a] + pads[a] + pads[a + 2];
            int eff = (k[a] - 1) * d[a] + 1;
            if (padded < eff) {
                throw malformed("a pooling window within the padded input", Arrays.toString(x.shape));
            }
            out[a] = (padded - eff) / s[a] + 1;
            sub[a] = (padded - 1) / d[a] + 1;
            if ((sub[a] - k[a]) / (s[a] / d[a]) + 1 != out[a]) {
                throw unsupported("dilated max pooling expressible by subsampling");
            }
        }
        int xi = vs.nhwc(x);
        if (pads[0] + pads[1] + pads[2] + pads[3] > 0) {
            xi = padNhwc(x, xi, pads, Float.NEGATIVE_INFINITY);
        }
        int c = x.shape[1];
        int si = vs.activation(node.outputs().get(0) + "_subsampled", x.type, new int[] {x.shape[0], sub[0], sub[1], c},
                x.quant);
        vs.node(node.name() + "_subsample", new Op.MaxPool2D(1, 1, d[0], d[1], Padding.VALID, Activation.NONE),
                List.of(xi), List.of(si));
        Value y = outNhwc(0, x.type, new int[] {x.shape[0], c, out[0], out[1]}, x.quant);
        vs.node(node.name(), new Op.MaxPool2D(k[0], k[1], s[0] / d[0], s[1] / d[1], Padding.VALID, Activation.NONE),
                List.of(si), List.of(y.nhwc));
    }

    private void globalAveragePool() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (x.rank() < 3) {
            throw malformed("an input of rank >= 3", Arrays.toString(x.shape));
        }
        int[] o = x.shape.clone();
        for (int i = 2; i < o.length; i++) {
            o[i] = 1;
        }
        if (x.rank() == 4) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Mean(List.of(1, 2), true), List.of(vs.nhwc(x)), List.of(y.nhwc));
        } else {
            List<Integer> axes = new ArrayList<>();
            for (int i = 2; i < o.length; i++) {
                axes.add(i);
            }
            Value y = outPlain(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Mean(axes, true), List.of(vs.plain(x)), List.of(y.plain));
        }
    }

    private void reduceMean() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        int[] axes = opset >= 18 ? (opt(1) == null ? null : constInts(opt(1), "axes")) : attrInts("axes", null);
        boolean keep = attrI("keepdims", 1) != 0;
        int r = x.rank();
        boolean[] red = new boolean[r];
        if (axes == null || axes.length == 0) {
            if (attrI("noop_with_empty_axes", 0) != 0) {
                reshapeTo(x, x.shape);
                return;
            }
            Arrays.fill(red, true);
        } else {
            for (int a : axes) {
                int n = normAxis(a, r);
                if (red[n]) {
                    throw malformed("distinct axes", Arrays.toString(axes));
                }
                red[n] = true;
            }
        }
        int[] kept = x.shape.clone();
        List<Integer> ax = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (red[i]) {
                kept[i] = 1;
            } else {
                dims.add(x.shape[i]);
            }
        }
        if (r == 4 && (x.nhwc >= 0 || x.plain < 0)) {
            int[] toNhwcPos = {0, 3, 1, 2};
            for (int i = 0; i < 4; i++) {
                if (red[i]) {
                    ax.add(toNhwcPos[i]);
                }
            }
            ax.sort(null);
            Value full = keep ? outNhwc(0, x.type, kept, x.quant) : new Value(node.outputs().get(0) + "_keep", x.type, kept);
            if (!keep) {
                full.nhwc = vs.activation(full.name, x.type, OnnxValues.nhwcShape(kept), x.quant);
            }
            vs.node(node.name(), new Op.Mean(ax, true), List.of(vs.nhwc(x)), List.of(full.nhwc));
            if (!keep) {
                reshapeTo(full, dims.stream().mapToInt(Integer::intValue).toArray());
            }
            return;
        }
        for (int i = 0; i < r; i++) {
            if (red[i]) {
                ax.add(i);
            }
        }
        int[] o = keep ? kept : dims.stream().mapToInt(Integer::intValue).toArray();
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node.name(), new Op.Mean(ax, keep), List.of(vs.plain(x)), List.of(y.plain));
    }

    // ---- fully connected

    private void gemm() throws MalformedModelException, UnsupportedOperatorException {
        Value a = in(0);
        Value bv = in(1);
        Value c = opt(2);
        float alpha = attrF("alpha", 1f);
        float beta = attrF("beta", 1f);
        boolean ta = attrI("transA", 0) != 0;
        boolean tb = attrI("transB", 0) != 0;
        if (a.rank() != 2 || bv.rank() != 2) {
            throw malformed("2-D Gemm operands", Arrays.toString(a.shape) + " and " + Arrays.toString(bv.shape));
        }
        requireFloat(a);
        int mDim = ta ? a.shape[1] : a.shape[0];
        int kDim = ta ? a.shape[0] : a.shape[1];
        int nDim = tb ? bv.shape[0] : bv.shape[1];
        if ((tb ? bv.shape[1] : bv.shape[0]) != kDim) {
            throw malformed("Gemm operands with a common inner size " + kDim, Arrays.toString(bv.shape));
        }
        int ai;
        int[] colPerm = null;
        if (ta) {
            int src = vs.plain(a);
            ai = transposeNode(a.name + "_t", src, List.of(1, 0), a.type, new int[] {mDim, kDim});
        } else if (a.flatSource != null && bv.isConstant()) {
            ai = vs.flat(a);
            colPerm = a.flatSource.shape;
        } else {
            ai = vs.plain(a);
        }
        int wi;
        boolean alphaFolded = false;
        if (bv.isConstant()) {
            Tensor w = bv.constant;
            if (!tb) {
                w = OnnxValues.permuteWithQuant(w, new int[] {1, 0});
            }
            if (alpha != 1f && !bv.dequantize) {
                w = scale(w, alpha);
                alphaFolded = true;
            }
            if (colPerm != null) {
                w = permuteColumns(w, colPerm);
            }
            Value wv = new Value(bv.name + (tb ? "" : "_t"), w.type(), w.shape().toArray());
            wv.constant = w;
            wv.dequantize = bv.dequantize;
            wi = vs.plain(wv);
        } else {
            int src = vs.plain(bv);
            wi = tb ? src : transposeNode(bv.name + "_t", src, List.of(1, 0), bv.type, new int[] {nDim, kDim});
        }
        int bi = Node.ABSENT;
        Value addAfter = null;
        if (c != null) {
            if (c.isPlainConstant() && c.type == DataType.FLOAT32 && c.constant.shape().elementCount() == 1 || c.isPlainConstant()
                    && c.type == DataType.FLOAT32 && isRowVector(c.shape, nDim)) {
                float[] cv = c.constant.floats();
                float[] bias = new float[nDim];
                for (int i = 0; i < nDim; i++) {
                    bias[i] = beta * cv[cv.length == 1 ? 0 : i];
                }
                bi = vs.addTensor(Tensor.ofFloats(c.name + "_bias", Shape.of(nDim), bias));
            } else {
                addAfter = c;
            }
        }
        boolean postAlpha = alpha != 1f && !alphaFolded;
        boolean last = addAfter == null && !postAlpha;
        int[] os = {mDim, nDim};
        Value y = last ? outPlain(0, a.type, os, null) : new Value(node.outputs().get(0) + "_mm", a.type, os);
        if (!last) {
            y.plain = vs.activation(y.name, a.type, os, null);
        }
        vs.node(node.name(), new Op.FullyConnected(Activation.NONE, false), List.of(ai, wi, bi), List.of(y.plain));
        if (postAlpha) {
            Value s = scalarConst(node.name() + "_alpha", alpha);
            Value z = addAfter == null ? null : new Value(node.outputs().get(0) + "_alpha", a.type, os);
            y = binaryTo(new Op.Mul(Activation.NONE), y, s, z);
        }
        if (addAfter != null) {
            Value cc = addAfter;
            if (beta != 1f) {
                cc = cc.isPlainConstant() && cc.type == DataType.FLOAT32 ? constValue(cc.name + "_beta", scale(cc.constant, beta))
                        : binaryTo(new Op.Mul(Activation.NONE), cc, scalarConst(node.name() + "_beta", beta),
                        new Value(cc.name + "_beta", cc.type, cc.shape));
            }
            binaryTo(new Op.Add(Activation.NONE), y, cc, null);
        }
    }

    private static boolean isRowVector(int[] s, int n) {
        int count = 1;
        for (int d : s) {
            count *= d;
        }
        return count == n && (s.length == 1 || s.length == 2 && s[0] == 1);
    }

    private void matMul() throws MalformedModelException, UnsupportedOperatorException {
        Value a = in(0);
        Value bv = in(1);
        requireFloat(a);
        if (bv.rank() > 2) {
            throw unsupported("a right operand of rank 1 or 2 (the IR has no batched matrix product), found "
                    + Arrays.toString(bv.shape));
        }
        int kDim = a.shape[a.rank() - 1];
        if (bv.shape[0] != kDim) {
            throw malformed("MatMul operands with a common inner size " + kDim, Arrays.toString(bv.shape));
        }
        int nDim = bv.rank() == 2 ? bv.shape[1] : 1;
        int ai;
        int[] colPerm = null;
        if (a.flatSource != null && bv.isConstant() && a.rank() == 2) {
            ai = vs.flat(a);
            colPerm = a.flatSource.shape;
        } else {
            ai = vs.plain(a);
        }
        int wi;
        if (bv.isConstant()) {
            Tensor w = bv.constant.withShape(Shape.of(kDim, nDim));
            w = OnnxValues.permuteWithQuant(w, new int[] {1, 0});
            if (colPerm != null) {
                w = permuteColumns(w, colPerm);
            }
            Value wv = new Value(bv.name + "_t", w.type(), w.shape().toArray());
            wv.constant = w;
            wv.dequantize = bv.dequantize;
            wi = vs.plain(wv);
        } else {
            int src = vs.plain(bv);
            if (bv.rank() == 1) {
                wi = vs.activation(bv.name + "_row", bv.type, new int[] {1, kDim}, null);
                vs.node(bv.name + "_row", new Op.Reshape(), List.of(src), List.of(wi));
            } else {
                wi = transposeNode(bv.name + "_t", src, List.of(1, 0), bv.type, new int[] {nDim, kDim});
            }
        }
        int[] os = new int[a.rank() - 1 + (bv.rank() == 2 ? 1 : 0)];
        System.arraycopy(a.shape, 0, os, 0, a.rank() - 1);
        if (bv.rank() == 2) {
            os[os.length - 1] = nDim;
        }
        if (bv.rank() == 2 && a.rank() >= 1) {
            int[] fcShape = a.rank() == 1 ? new int[] {nDim} : os;
            Value y = outPlain(0, a.type, fcShape, null);
            vs.node(node.name(), new Op.FullyConnected(Activation.NONE, true), List.of(ai, wi, Node.ABSENT),
                    List.of(y.plain));
            biaslessFc.put(y, vs.b.nodes().size() - 1);
        } else {
            int[] fcShape = new int[a.rank()];
            System.arraycopy(a.shape, 0, fcShape, 0, a.rank() - 1);
            fcShape[a.rank() - 1] = 1;
            Value tmp = new Value(node.outputs().get(0) + "_fc", a.type, fcShape);
            tmp.plain = vs.activation(tmp.name, a.type, fcShape, null);
            vs.node(node.name(), new Op.FullyConnected(Activation.NONE, true), List.of(ai, wi, Node.ABSENT),
                    List.of(tmp.plain));
            Value y = outPlain(0, a.type, os, null);
            vs.node(node.name() + "_reshape", new Op.Reshape(), List.of(tmp.plain), List.of(y.plain));
        }
    }

    /** Permutes the columns of a [out, C*H*W] weight matrix from CHW to HWC order. */
    private static Tensor permuteColumns(Tensor w, int[] nchw) {
        int out = w.shape().dim(0);
        int c = nchw[1];
        int h = nchw[2];
        int wd = nchw[3];
        Tensor t = w.withShape(Shape.of(out, c, h, wd));
        t = OnnxValues.permuteWithQuant(t, new int[] {0, 2, 3, 1});
        return t.withShape(Shape.of(out, c * h * wd));
    }

    private static Tensor scale(Tensor t, float s) {
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return Tensor.ofFloats(t.name(), t.shape(), v);
    }

    private Value scalarConst(String name, float v) {
        return constValue(name, Tensor.ofFloats(name, Shape.SCALAR, new float[] {v}));
    }

    private int transposeNode(String name, int src, List<Integer> perm, DataType type, int[] ignored) {
        int[] inShape = vs.b.tensor(src).shape().toArray();
        int[] o = new int[perm.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = inShape[perm.get(i)];
        }
        int out = vs.activation(name, type, o, vs.b.tensor(src).quant().orElse(null));
        vs.node(name, new Op.Transpose(perm), List.of(src), List.of(out));
        return out;
    }

    // ---- element-wise

    /**
     * Before opset 7, element-wise operators broadcast B only with {@code broadcast=1}, aligned at
     * {@code axis} (default: trailing); returns B reshaped for numpy broadcasting.
     */
    private Value legacyBroadcast(Value a, Value b) throws MalformedModelException, UnsupportedOperatorException {
        if (opset >= 7 || attrI("broadcast", 0) == 0) {
            if (opset < 7 && !Arrays.equals(a.shape, b.shape)) {
                throw malformed("equal shapes without broadcast=1", Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape));
            }
            return b;
        }
        int axis = (int) attrI("axis", a.rank() - b.rank());
        if (axis < 0) {
            axis += a.rank();
        }
        int trailing = a.rank() - axis - b.rank();
        if (trailing < 0 || axis < 0) {
            throw malformed("a broadcast axis aligning B within A", "axis " + axis);
        }
        if (trailing == 0) {
            return b;
        }
        int[] s = Arrays.copyOf(b.shape, b.rank() + trailing);
        Arrays.fill(s, b.rank(), s.length, 1);
        if (!b.isConstant()) {
            Value r = new Value(b.name + "_aligned", b.type, s);
            r.plain = vs.activation(r.name, b.type, s, null);
            vs.node(r.name, new Op.Reshape(), List.of(vs.plain(b)), List.of(r.plain));
            return r;
        }
        Value r = new Value(b.name + "_aligned", b.type, s);
        r.constant = b.constant.withQuant(null).withShape(Shape.of(s));
        r.dequantize = b.dequantize;
        return r;
    }

    private void add() throws MalformedModelException, UnsupportedOperatorException {
        Value a = in(0);
        Value b = legacyBroadcast(a, in(1));
        Value fc = biaslessFc.containsKey(a) ? a : biaslessFc.containsKey(b) ? b : null;
        Value bias = fc == a ? b : a;
        if (fc != null && fc.rank() != 4 && uses.getOrDefault(fc.name, 0) == 1 && bias.isPlainConstant() && bias.type == DataType.FLOAT32
                && fc.rank() >= 1 && isRowVector(bias.shape, fc.shape[fc.rank() - 1])
                && Arrays.equals(OnnxOpsShapes.broadcast(a.shape, b.shape), fc.shape)) {
            int pos = biaslessFc.remove(fc);
            Node old = vs.b.nodes().get(pos);
            int n = fc.shape[fc.rank() - 1];
            int bi = vs.addTensor(Tensor.ofFloats(bias.name, Shape.of(n), bias.constant.floats()));
            Value y = outPlain(0, fc.type, fc.shape, null);
            vs.b.nodes().set(pos, new Node(old.name(), old.op(), List.of(old.input(0), old.input(1), bi),
                    List.of(y.plain)));
            return;
        }
        if (fc != null && fc.rank() == 4 && uses.getOrDefault(fc.name, 0) == 1 && bias.isPlainConstant()
                && bias.type == DataType.FLOAT32 && bias.rank() <= 4 && isChannelVector(bias.shape, fc.shape[1])
                && Arrays.equals(OnnxOpsShapes.broadcast(a.shape, b.shape), fc.shape)) {
            // Conv + Add of a per-channel constant: the constant is the convolution's bias
            int pos = biaslessFc.remove(fc);
            Node old = vs.b.nodes().get(pos);
            int bi = vs.addTensor(Tensor.ofFloats(bias.name, Shape.of(fc.shape[1]), bias.constant.floats()));
            Value y = outNhwc(0, fc.type, fc.shape, null);
            vs.b.nodes().set(pos, new Node(old.name(), old.op(), List.of(old.input(0), old.input(1), bi),
                    List.of(y.nhwc)));
            return;
        }
        binary(new Op.Add(Activation.NONE), a, b);
    }

    /** Tells whether a shape, aligned to NCHW from the right, holds c values on the channel axis only. */
    private static boolean isChannelVector(int[] s, int c) {
        int[] s4 = new int[4];
        for (int i = 0; i < 4; i++) {
            s4[i] = i < 4 - s.length ? 1 : s[i - (4 - s.length)];
        }
        return s4[0] == 1 && s4[1] == c && s4[2] == 1 && s4[3] == 1;
    }

    private void div() throws MalformedModelException, UnsupportedOperatorException {
        Value a = in(0);
        Value b = legacyBroadcast(a, in(1));
        if (!b.isPlainConstant() || b.type != DataType.FLOAT32) {
            throw unsupported("division by a float constant (the IR has no Div), found divisor '" + b.name + "'");
        }
        float[] v = b.constant.floats();
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = 1f / v[i];
            if (!Float.isFinite(r[i]) || r[i] != 0 && Math.abs(r[i]) < Float.MIN_NORMAL || !Float.isFinite(v[i])) {
                throw unsupported("a divisor whose reciprocal is a normal float (x/b = x*(1/b) within 1e-6), found " + v[i]);
            }
        }
        binary(new Op.Mul(Activation.NONE), a, constValue(b.name + "_reciprocal",
                Tensor.ofFloats(b.name + "_reciprocal", b.constant.shape(), r)));
    }

    private void binary(Op op, Value a, Value b) throws MalformedModelException {
        binaryTo(op, a, b, null);
    }

    /** Adds an element-wise node; {@code into} null means the node's output 0. */
    private Value binaryTo(Op op, Value a, Value b, Value into) throws MalformedModelException {
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
            vs.node(node.name() + (into == null ? "" : "_" + op.kind().name().toLowerCase()), op, List.of(ai, bi),
                    List.of(y.nhwc));
            return y;
        }
        int ai = vs.plain(a);
        int bi = vs.plain(b);
        Value y = into == null ? outPlain(0, a.type, o, null) : into;
        if (into != null) {
            y.plain = vs.activation(y.name, a.type, o, null);
        }
        vs.node(node.name() + (into == null ? "" : "_" + op.kind().name().toLowerCase()), op, List.of(ai, bi),
                List.of(y.plain));
        return y;
    }

    private void unary(Op op) throws MalformedModelException {
        unaryTo(op, in(0), null);
    }

    private Value unaryTo(Op op, Value x, Value into) throws MalformedModelException {
        boolean nhwc = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        Value y;
        if (nhwc) {
            int xi = vs.nhwc(x);
            y = into == null ? outNhwc(0, x.type, x.shape, null) : into;
            if (into != null) {
                y.nhwc = vs.activation(y.name, x.type, OnnxValues.nhwcShape(x.shape), null);
            }
            vs.node(node.name() + (into == null ? "" : "_" + y.name), op, List.of(xi), List.of(y.nhwc));
        } else {
            int xi = vs.plain(x);
            y = into == null ? outPlain(0, x.type, x.shape, null) : into;
            if (into != null) {
                y.plain = vs.activation(y.name, x.type, x.shape, null);
            }
            vs.node(node.name() + (into == null ? "" : "_" + y.name), op, List.of(xi), List.of(y.plain));
        }
        return y;
    }

    private void clip() throws MalformedModelException, UnsupportedOperatorException {
        float lo;
        float hi;
        if (opset < 11) {
            lo = attrF("min", -Float.MAX_VALUE);
            hi = attrF("max", Float.MAX_VALUE);
        } else {
            Value mn = opt(1);
            Value mx = opt(2);
            lo = mn == null ? Float.NEGATIVE_INFINITY : constScalar(mn, "min");
            hi = mx == null ? Float.POSITIVE_INFINITY : constScalar(mx, "max");
        }
        if (lo > hi) {
            lo = hi; // ONNX: every value becomes max
        }
        Op op = lo == 0f && hi == 6f ? new Op.Relu6() : lo == 0f && hi == Float.POSITIVE_INFINITY ? new Op.Relu()
                : new Op.Clip(lo, hi);
        unary(op);
    }

    private void hardSigmoid() throws MalformedModelException {
        Value x = in(0);
        float alpha = attrF("alpha", 0.2f);
        float beta = attrF("beta", 0.5f);
        Value t = binaryTo(new Op.Mul(Activation.NONE), x, scalarConst(node.name() + "_alpha", alpha),
                new Value(node.outputs().get(0) + "_ax", x.type, x.shape));
        Value u = binaryTo(new Op.Add(Activation.NONE), t, scalarConst(node.name() + "_beta", beta),
                new Value(node.outputs().get(0) + "_axb", x.type, x.shape));
        unaryTo(new Op.Clip(0f, 1f), u, null);
    }

    private void prelu() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value slope = in(1);
        if (!slope.isPlainConstant() || slope.type != DataType.FLOAT32) {
            throw unsupported("a constant float slope, found '" + slope.name + "'");
        }
        float[] s = slope.constant.floats();
        boolean uniform = s.length > 0;
        for (float v : s) {
            uniform &= v == s[0];
        }
        int[] o = OnnxOpsShapes.broadcast(x.shape, slope.shape);
        if (o == null || !Arrays.equals(o, x.shape)) {
            throw malformed("a slope broadcastable to " + Arrays.toString(x.shape), Arrays.toString(slope.shape));
        }
        if (uniform) {
            unary(new Op.LeakyRelu(s[0]));
            return;
        }
        // x >= 0 ? x : s*x  ==  relu(x) + s * (x - relu(x)), exactly: one of the two terms is 0.
        String base = node.outputs().get(0);
        Value r = unaryTo(new Op.Relu(), x, new Value(base + "_pos", x.type, x.shape));
        Value neg = binaryTo(new Op.Sub(Activation.NONE), x, r, new Value(base + "_neg", x.type, x.shape));
        Value sn = binaryTo(new Op.Mul(Activation.NONE), neg, slope, new Value(base + "_sneg", x.type, x.shape));
        binaryTo(new Op.Add(Activation.NONE), r, sn, null);
    }

    private void softmax() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        int r = x.rank();
        int axis = normAxis((int) attrI("axis", opset >= 13 ? -1 : 1), r);
        if (axis == r - 1) {
            Value y = outPlain(0, x.type, x.shape, null);
            vs.node(node.name(), new Op.Softmax(1f), List.of(vs.plain(x)), List.of(y.plain));
            return;
        }
        if (opset < 13) {
            int outer = 1;
            int inner = 1;
            for (int i = 0; i < r; i++) {
                if (i < axis) {
                    outer *= x.shape[i];
                } else {
                    inner *= x.shape[i];
                }
            }
            int[] s2 = {outer, inner};
            int flat = vs.activation(x.name + "_2d", x.type, s2, null);
            vs.node(node.name() + "_flatten", new Op.Reshape(), List.of(vs.plain(x)), List.of(flat));
            int sm = vs.activation(node.outputs().get(0) + "_2d", x.type, s2, null);
            vs.node(node.name(), new Op.Softmax(1f), List.of(flat), List.of(sm));
            Value y = outPlain(0, x.type, x.shape, null);
            vs.node(node.name() + "_unflatten", new Op.Reshape(), List.of(sm), List.of(y.plain));
            return;
        }
        if (r == 4 && axis == 1 && (x.nhwc >= 0 || x.plain < 0)) {
            Value y = outNhwc(0, x.type, x.shape, null);
            vs.node(node.name(), new Op.Softmax(1f), List.of(vs.nhwc(x)), List.of(y.nhwc));
            return;
        }
        // move the axis last, softmax, move it back: transposes are exact
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (i != axis) {
                perm.add(i);
            }
        }
        perm.add(axis);
        List<Integer> inv = new ArrayList<>(perm);
        for (int i = 0; i < r; i++) {
            inv.set(perm.get(i), i);
        }
        int t = transposeNode(x.name + "_axis_last", vs.plain(x), perm, x.type, x.shape);
        int[] ts = vs.b.tensor(t).shape().toArray();
        int sm = vs.activation(node.outputs().get(0) + "_axis_last", x.type, ts, null);
        vs.node(node.name(), new Op.Softmax(1f), List.of(t), List.of(sm));
        Value y = outPlain(0, x.type, x.shape, null);
        vs.node(node.name() + "_axis_back", new Op.Transpose(inv), List.of(sm), List.of(y.plain));
    }

    private void batchNorm() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (attrI("training_mode", 0) != 0) {
            throw unsupported("inference mode (training_mode=0), found training_mode=1");
        }
        for (int i = 1; i < node.outputs().size(); i++) {
            if (!node.outputs().get(i).isEmpty()) {
                throw unsupported("only output Y (inference), found output " + i + " requested");
            }
        }
        if (opset < 9 && attrI("spatial", 1) == 0) {
            throw unsupported("spatial=1, found spatial=0");
        }
        float eps = attrF("epsilon", 1e-5f);
        List<Integer> params = new ArrayList<>();
        int c = x.rank() >= 2 ? x.shape[1] : 1;
        for (int i = 1; i <= 4; i++) {
            Value p = in(i);
            if (p.constant != null && p.constant.shape().elementCount() != c) {
                throw malformed(c + " values in '" + p.name + "'", Arrays.toString(p.shape));
            }
            params.add(vs.plain(p));
        }
        if (x.rank() == 4) {
            Value y = outNhwc(0, x.type, x.shape, null);
            List<Integer> ins = new ArrayList<>(List.of(vs.nhwc(x)));
            ins.addAll(params);
            vs.node(node.name(), new Op.BatchNormalization(eps), ins, List.of(y.nhwc));
        } else if (x.rank() == 2) {
            Value y = outPlain(0, x.type, x.shape, null);
            List<Integer> ins = new ArrayList<>(List.of(vs.plain(x)));
            ins.addAll(params);
            vs.node(node.name(), new Op.BatchNormalization(eps), ins, List.of(y.plain));
        } else {
            throw unsupported("BatchNormalization of a rank-2 or rank-4 input, found rank " + x.rank());
        }
    }

    // ---- layout

    private void flatten() throws MalformedModelException {
        Value x = in(0);
        int axis = (int) attrI("axis", 1);
        int r = x.rank();
        if (axis < -r || axis > r) {
            throw malformed("an axis in [" + -r + ", " + r + "]", "" + axis);
        }
        if (axis < 0) {
            axis += r;
        }
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < r; i++) {
            if (i < axis) {
                outer *= x.shape[i];
            } else {
                inner *= x.shape[i];
            }
        }
        reshapeTo(x, new int[] {(int) outer, (int) inner});
    }

    private void reshapeOp() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        long[] spec = constLongs(in(1), "shape");
        boolean allowZero = attrI("allowzero", 0) != 0;
        int[] o = new int[spec.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < spec.length; i++) {
            long s = spec[i];
            if (s == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw malformed("a 0 in the shape only where the input has a dimension", Arrays.toString(spec));
                }
                s = x.shape[i];
            }
            if (s == -1) {
                if (infer >= 0) {
                    throw malformed("at most one -1 in the shape", Arrays.toString(spec));
                }
                infer = i;
                continue;
            }
            if (s < 0 || s > Integer.MAX_VALUE) {
                throw malformed("shape values >= -1", Arrays.toString(spec));
            }
            o[i] = (int) s;
            known *= s;
            if (known > Integer.MAX_VALUE) {
                throw malformed("a shape of fewer than 2^31 elements", Arrays.toString(spec));
            }
        }
        long count = count(x.shape);
        if (infer >= 0) {
            if (known == 0 || count % known != 0) {
                throw malformed("a shape that divides " + count + " elements", Arrays.toString(spec));
            }
            o[infer] = (int) (count / known);
        }
        if (count(o) != count) {
            throw malformed("a shape of " + count + " elements", Arrays.toString(o));
        }
        reshapeTo(x, o);
    }

    private void squeeze() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        int[] axes = opset >= 13 ? (opt(1) == null ? null : constInts(opt(1), "axes")) : attrInts("axes", null);
        int r = x.rank();
        boolean[] drop = new boolean[r];
        if (axes == null) {
            for (int i = 0; i < r; i++) {
                drop[i] = x.shape[i] == 1;
            }
        } else {
            for (int a : axes) {
                int n = normAxis(a, r);
                if (x.shape[n] != 1) {
                    throw malformed("squeezed axes of size 1", "axis " + a + " of " + Arrays.toString(x.shape));
                }
                drop[n] = true;
            }
        }
        List<Integer> o = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (!drop[i]) {
                o.add(x.shape[i]);
            }
        }
        reshapeTo(x, o.stream().mapToInt(Integer::intValue).toArray());
    }

    private void unsqueeze() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        int[] axes = opset >= 13 ? constInts(in(1), "axes") : attrInts("axes", null);
        if (axes == null) {
            throw malformed("axes", "none");
        }
        int r = x.rank() + axes.length;
        if (r > OnnxProto.MAX_RANK) {
            throw malformed("a rank of at most " + OnnxProto.MAX_RANK, "" + r);
        }
        boolean[] added = new boolean[r];
        for (int a : axes) {
            int n = normAxis(a, r);
            if (added[n]) {
                throw malformed("distinct axes", Arrays.toString(axes));
            }
            added[n] = true;
        }
        int[] o = new int[r];
        int k = 0;
        for (int i = 0; i < r; i++) {
            o[i] = added[i] ? 1 : x.shape[k++];
        }
        reshapeTo(x, o);
    }

    private void dropout() throws MalformedModelException, UnsupportedOperatorException {
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty() && uses.containsKey(node.outputs().get(1))) {
            throw unsupported("Dropout without a used mask output, found mask '" + node.outputs().get(1) + "' read");
        }
        if (opset >= 12 && opt(2) != null) {
            Value t = opt(2);
            if (!t.isPlainConstant() || constLongs(t, "training_mode")[0] != 0) {
                throw unsupported("inference mode (training_mode false), found '" + t.name + "'");
            }
        }
        reshapeTo(in(0), in(0).shape);
    }

    /** Reshapes a value to a new ONNX shape (Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout). */
    private void reshapeTo(Value x, int[] o) throws MalformedModelException {
        if (count(o) != count(x.shape)) {
            throw malformed("an output of " + count(x.shape) + " elements", Arrays.toString(o));
        }
        if (x.isConstant()) {
            Value y = new Value(node.outputs().get(0), x.type, o);
            y.constant = reshapeConst(x.constant, o, node.outputs().get(0));
            y.dequantize = x.dequantize;
            define(node.outputs().get(0), y);
            return;
        }
        boolean in4 = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        boolean out4 = o.length == 4;
        if (in4 && out4 && Arrays.equals(o, x.shape)) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Reshape(), List.of(vs.nhwc(x)), List.of(y.nhwc));
            return;
        }
        boolean inSame = in4 && OnnxValues.sameOrder(x.shape);
        if (in4 && !out4 && (inSame || o.length == 2 && o[0] == x.shape[0])) {
            if (inSame) {
                Value y = outPlain(0, x.type, o, x.quant);
                vs.node(node.name(), new Op.Reshape(), List.of(vs.nhwc(x)), List.of(y.plain));
            } else {
                Value y = new Value(node.outputs().get(0), x.type, o);
                y.quant = x.quant;
                y.flatSource = x; // made on demand: HWC order for an FC, or NCHW order for anything else
                define(y.name, y);
            }
            return;
        }
        int src = inSame ? vs.nhwc(x) : vs.plain(x);
        if (out4 && OnnxValues.sameOrder(o) && (inSame || !in4)) {
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Reshape(), List.of(src), List.of(y.nhwc));
            return;
        }
        src = vs.plain(x);
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node.name(), new Op.Reshape(), List.of(src), List.of(y.plain));
    }

    private static Tensor reshapeConst(Tensor t, int[] o, String name) {
        QuantParams q = t.quant().orElse(null);
        Tensor r = t.withQuant(null).withShape(Shape.of(o)).withName(name);
        return q != null && q.isPerTensor() ? r.withQuant(q) : r;
    }

    private void transpose() throws MalformedModelException {
        Value x = in(0);
        int r = x.rank();
        int[] perm = attrInts("perm", null);
        if (perm == null) {
            perm = new int[r];
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < r; i++) {
            if (sorted.length != r || sorted[i] != i) {
                throw malformed("a permutation of " + r + " axes", Arrays.toString(perm));
            }
        }
        int[] o = new int[r];
        for (int i = 0; i < r; i++) {
            o[i] = x.shape[perm[i]];
        }
        if (x.isPlainConstant()) {
            define(node.outputs().get(0), constValue(node.outputs().get(0), OnnxTensors.permute(x.constant, perm,
                    node.outputs().get(0))));
            return;
        }
        if (r == 4 && (x.nhwc >= 0 || x.plain < 0)) {
            int[] toNhwc = OnnxTensors.TO_NHWC;
            int[] toNchw = OnnxTensors.TO_NCHW;
            List<Integer> p = new ArrayList<>();
            boolean identity = true;
            for (int i = 0; i < 4; i++) {
                p.add(toNchw[perm[toNhwc[i]]]);
                identity &= p.get(i) == i;
            }
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node.name(), identity ? new Op.Reshape() : new Op.Transpose(p), List.of(vs.nhwc(x)), List.of(y.nhwc));
            return;
        }
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node.name(), new Op.Transpose(Arrays.stream(perm).boxed().toList()), List.of(vs.plain(x)),
                List.of(y.plain));
    }

    private void concat() throws MalformedModelException {
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            Value v = opt(i);
            if (v != null) {
                ins.add(v);
            }
        }
        if (ins.isEmpty()) {
            throw malformed("at least one input", "none");
        }
        Value first = ins.get(0);
        int r = first.rank();
        int axis = normAxis((int) attrI("axis", Long.MIN_VALUE), r);
        int[] o = first.shape.clone();
        o[axis] = 0;
        boolean allConst = true;
        for (Value v : ins) {
            if (v.rank() != r || v.type != first.type) {
                throw malformed("inputs of one rank and type", Arrays.toString(v.shape) + " " + v.type);
            }
            for (int i = 0; i < r; i++) {
                if (i != axis && v.shape[i] != first.shape[i]) {
                    throw malformed("inputs equal except on axis " + axis, Arrays.toString(v.shape));
                }
            }
            o[axis] += v.shape[axis];
            allConst &= v.isPlainConstant();
        }
        if (allConst) {
            define(node.outputs().get(0), constValue(node.outputs().get(0), concatConst(ins, axis, o)));
            return;
        }
        List<Integer> idx = new ArrayList<>();
        if (r == 4) {
            for (Value v : ins) {
                idx.add(vs.nhwc(v));
            }
            Value y = outNhwc(0, first.type, o, first.quant);
            int[] pos = {0, 3, 1, 2};
            vs.node(node.name(), new Op.Concatenation(pos[axis], Activation.NONE), idx, List.of(y.nhwc));
        } else {
            for (Value v : ins) {
                idx.add(vs.plain(v));
            }
            Value y = outPlain(0, first.type, o, first.quant);
            vs.node(node.name(), new Op.Concatenation(axis, Activation.NONE), idx, List.of(y.plain));
        }
    }

    private static Tensor concatConst(List<Value> ins, int axis, int[] o) {
        int es = ins.get(0).type.byteSize();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= o[i];
        }
        int innerOut = (int) (count(o) / Math.max(1, outer));
        ByteBuffer out = ByteBuffer.allocate((int) count(o) * es);
        for (int p = 0; p < outer; p++) {
            for (Value v : ins) {
                byte[] d = v.constant.bytes();
                int chunk = outer == 0 ? 0 : d.length / outer;
                out.put(d, p * chunk, chunk);
            }
        }
        return Tensor.constant("concat", ins.get(0).type, Shape.of(o), out.array());
    }

    private void pad() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        String mode = attrS("mode", "constant");
        if (!mode.equals("constant")) {
            throw unsupported("constant padding (the IR has no " + mode + " padding), found mode '" + mode + "'");
        }
        int r = x.rank();
        long[] pads;
        float value = 0f;
        int[] axes = null;
        if (opset < 11) {
            int[] p = attrInts(opset < 2 ? "paddings" : "pads", null);
            if (p == null) {
                throw malformed("pads", "none");
            }
            pads = Arrays.stream(p).asLongStream().toArray();
            value = attrF("value", 0f);
        } else {
            pads = constLongs(in(1), "pads");
            Value cv = opt(2);
            if (cv != null) {
                value = constScalar(cv, "constant_value");
            }
            Value av = opt(3);
            if (av != null) {
                axes = constInts(av, "axes");
            }
        }
        if (axes == null) {
            axes = new int[r];
            for (int i = 0; i < r; i++) {
                axes[i] = i;
            }
        }
        if (pads.length != 2 * axes.length) {
            throw malformed(2 * axes.length + " pads", "" + pads.length);
        }
        int[] before = new int[r];
        int[] after = new int[r];
        for (int i = 0; i < axes.length; i++) {
            int a = normAxis(axes[i], r);
            long pb = pads[i];
            long pe = pads[i + axes.length];
            if (pb < 0 || pe < 0) {
                throw unsupported("non-negative pads (the IR has no cropping), found " + Arrays.toString(pads));
            }
            if (pb > 1 << 24 || pe > 1 << 24) {
                throw malformed("pads below 2^24", Arrays.toString(pads));
            }
            before[a] = (int) pb;
            after[a] = (int) pe;
        }
        int[] o = new int[r];
        for (int i = 0; i < r; i++) {
            o[i] = x.shape[i] + before[i] + after[i];
        }
        OnnxTensors.shape(Arrays.stream(o).asLongStream().toArray(), x.type.byteSize(), "'" + source + "': " + where());
        if (r == 4) {
            int[] p = OnnxTensors.TO_NHWC;
            List<Integer> bb = new ArrayList<>();
            List<Integer> aa = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bb.add(before[p[i]]);
                aa.add(after[p[i]]);
            }
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Pad(bb, aa, value), List.of(vs.nhwc(x)), List.of(y.nhwc));
        } else {
            Value y = outPlain(0, x.type, o, x.quant);
            vs.node(node.name(), new Op.Pad(Arrays.stream(before).boxed().toList(), Arrays.stream(after).boxed().toList(),
                    value), List.of(vs.plain(x)), List.of(y.plain));
        }
    }

    // ---- quantization

    private QuantParams quantParams(Value scale, Value zp, int rank, String what)
            throws MalformedModelException, UnsupportedOperatorException {
        if (!scale.isPlainConstant() || (zp != null && !zp.isPlainConstant())) {
            throw unsupported("constant " + what + " scale and zero point, found '" + scale.name + "'");
        }
        if (scale.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT scale, found " + scale.type);
        }
        if (attrI("block_size", 0) != 0) {
            throw unsupported("per-tensor or per-axis quantization, found blocked quantization");
        }
        float[] s = scale.constant.floats();
        long[] z = zp == null ? new long[s.length] : OnnxTensors.longs(zp.constant);
        if (z.length != s.length) {
            throw malformed("as many zero points as scales", z.length + " and " + s.length);
        }
        if (scale.rank() == 0 || s.length == 1 && scale.rank() <= 1) {
            return QuantParams.perTensor(s[0], z[0]);
        }
        if (scale.rank() != 1) {
            throw unsupported("a scalar or 1-D scale, found " + Arrays.toString(scale.shape));
        }
        int axis = normAxis((int) attrI("axis", 1), rank);
        return QuantParams.perAxis(s, z, axis);
    }

    private void quantizeLinear() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        Value zp = opt(2);
        DataType out = zp != null ? zp.type : DataType.UINT8;
        long dt = attrI("output_dtype", 0);
        if (dt != 0) {
            out = OnnxTensors.irType((int) dt);
        }
        if (out != DataType.INT8 && out != DataType.UINT8 && out != DataType.INT16) {
            throw unsupported("an INT8, UINT8 or INT16 output, found " + (out == null ? "type " + dt : out));
        }
        if (x.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT input, found " + x.type);
        }
        QuantParams q = quantParams(in(1), zp, x.rank(), "QuantizeLinear");
        if (x.isPlainConstant()) {
            define(node.outputs().get(0), constValue(node.outputs().get(0), quantizeConst(x.constant, q, out,
                    node.outputs().get(0))));
            return;
        }
        if (!q.isPerTensor()) {
            throw unsupported("per-tensor quantization of an activation, found per-axis parameters");
        }
        Value y = unaryToTyped(new Op.Quantize(), x, out, q);
        y.quant = q;
    }

    /** ONNX QuantizeLinear of constant data: round half to even, saturate. */
    private static Tensor quantizeConst(Tensor x, QuantParams q, DataType type, String name) {
        float[] v = x.floats();
        int[] s = x.shape().toArray();
        int inner = 1;
        if (!q.isPerTensor()) {
            for (int i = q.axis() + 1; i < s.length; i++) {
                inner *= s[i];
            }
        }
        long lo = type == DataType.INT8 ? -128 : type == DataType.UINT8 ? 0 : -32768;
        long hi = type == DataType.INT8 ? 127 : type == DataType.UINT8 ? 255 : 32767;
        ByteBuffer out = ByteBuffer.allocate(v.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            int c = q.isPerTensor() ? 0 : (i / inner) % q.size();
            long r = (long) Math.rint((double) (v[i] / q.scale(c))) + q.zeroPoint(c);
            r = Math.max(lo, Math.min(hi, r));
            if (type == DataType.INT16) {
                out.putShort((short) r);
            } else {
                out.put((byte) r);
            }
        }
        return Tensor.constant(name, type, x.shape(), out.array()).withQuant(q);
    }

    private void dequantizeLinear() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (x.type != DataType.INT8 && x.type != DataType.UINT8 && x.type != DataType.INT16 && x.type != DataType.INT32) {
            throw unsupported("an INT8, UINT8, INT16 or INT32 input, found " + x.type);
        }
        Value zp = opt(2);
        if (zp != null && zp.type != x.type) {
            throw malformed("a zero point of the input's type " + x.type, zp.type.toString());
        }
        QuantParams q = quantParams(in(1), zp, x.rank(), "DequantizeLinear");
        if (x.isPlainConstant()) {
            Value y = new Value(node.outputs().get(0), DataType.FLOAT32, x.shape);
            y.constant = x.constant.withQuant(q);
            y.dequantize = true;
            define(y.name, y);
            return;
        }
        if (!q.isPerTensor()) {
            throw unsupported("per-tensor dequantization of an activation, found per-axis parameters");
        }
        int xi = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0) ? vs.nhwc(x) : vs.plain(x);
        Tensor xt = vs.b.tensor(xi);
        if (xt.quant().isPresent() && !xt.quant().get().equals(q)) {
            throw unsupported("one set of quantization parameters per tensor, found two for '" + x.name + "'");
        }
        vs.b.setTensor(xi, xt.withQuant(q));
        x.quant = q;
        unaryToTyped(new Op.Dequantize(), x, DataType.FLOAT32, null);
    }

    private Value unaryToTyped(Op op, Value x, DataType type, QuantParams q) throws MalformedModelException {
        boolean nhwc = x.rank() == 4 && (x.nhwc >= 0 || x.plain < 0);
        Value y;
        if (nhwc) {
            int xi = vs.nhwc(x);
            y = outNhwc(0, type, x.shape, q);
            vs.node(node.name(), op, List.of(xi), List.of(y.nhwc));
        } else {
            int xi = vs.plain(x);
            y = outPlain(0, type, x.shape, q);
            vs.node(node.name(), op, List.of(xi), List.of(y.plain));
        }
        return y;
    }

    // ---- constants and shape arithmetic

    private void constantNode() throws MalformedModelException, UnsupportedOperatorException {
        String name = node.outputs().isEmpty() ? "" : node.outputs().get(0);
        Tensor t = null;
        for (OnnxProto.Attr a : node.attrs().values()) {
            switch (a.name()) {
                case "value" -> {
                    if (a.t() == null) {
                        throw malformed("a tensor in attribute 'value'", "none");
                    }
                    t = OnnxTensors.toConstant(a.t(), name, "'" + source + "': " + where());
                }
                case "value_float" -> t = Tensor.ofFloats(name, Shape.SCALAR, new float[] {a.f()});
                case "value_floats" -> t = Tensor.ofFloats(name, Shape.of(a.floats().length), a.floats());
                case "value_int" -> t = longTensor(name, new long[] {a.i()}, Shape.SCALAR);
                case "value_ints" -> t = longTensor(name, a.ints(), Shape.of(a.ints().length));
                default -> throw unsupported("a Constant given by value, value_float(s) or value_int(s), found '"
                        + a.name() + "'");
            }
        }
        if (t == null) {
            throw malformed("a value attribute", "none");
        }
        define(name, constValue(name, t));
    }

    private static Tensor longTensor(String name, long[] v, Shape s) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return Tensor.constant(name, DataType.INT64, s, b.array());
    }

    private void shapeOp() throws MalformedModelException {
        Value x = in(0);
        int r = x.rank();
        int start = normAxisClamped((int) attrI("start", 0), r);
        int end = normAxisClamped((int) attrI("end", r), r);
        long[] d = new long[Math.max(0, end - start)];
        for (int i = 0; i < d.length; i++) {
            d[i] = x.shape[start + i];
        }
        String name = node.outputs().get(0);
        define(name, constValue(name, longTensor(name, d, Shape.of(d.length))));
    }

    private void gather() throws MalformedModelException, UnsupportedOperatorException {
        Value data = in(0);
        Value idx = in(1);
        if (!data.isPlainConstant() || !idx.isPlainConstant() || data.rank() != 1) {
            throw unsupported("a Gather of constants on a 1-D tensor (shape arithmetic), found '" + data.name + "'");
        }
        long[] d = OnnxTensors.longs(data.constant);
        long[] ix = OnnxTensors.longs(idx.constant);
        long[] o = new long[ix.length];
        for (int i = 0; i < ix.length; i++) {
            long k = ix[i] < 0 ? ix[i] + d.length : ix[i];
            if (k < 0 || k >= d.length) {
                throw malformed("indices in [" + -d.length + ", " + d.length + ")", "" + ix[i]);
            }
            o[i] = d[(int) k];
        }
        String name = node.outputs().get(0);
        Tensor t = longTensor(name, o, idx.constant.shape());
        if (data.type != DataType.INT64) {
            throw unsupported("INT64 shape data, found " + data.type);
        }
        define(name, constValue(name, t));
    }

    private void cast() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        DataType to = OnnxTensors.irType((int) attrI("to", 0));
        if (to == x.type) {
            reshapeTo(x, x.shape);
            return;
        }
        if (x.isPlainConstant() && to != null && (to == DataType.INT64 || to == DataType.INT32) && !x.type.isFloat()) {
            long[] v = OnnxTensors.longs(x.constant);
            String name = node.outputs().get(0);
            Tensor t = to == DataType.INT64 ? longTensor(name, v, x.constant.shape())
                    : Tensor.ofInts(name, x.constant.shape(), Arrays.stream(v).mapToInt(l -> (int) l).toArray());
            define(name, constValue(name, t));
            return;
        }
        throw unsupported("a Cast the IR can express (the IR has no Cast), found " + x.type + " to "
                + OnnxTensors.onnxTypeName((int) attrI("to", 0)));
    }

    // ------------------------------------------------------------------ helpers

    private Value outPlain(int i, DataType type, int[] shape, QuantParams q) throws MalformedModelException {
        String name = outName(i);
        Value v = new Value(name, type, shape);
        v.quant = q;
        v.plain = vs.activation(name + (shape.length == 4 ? "_nchw" : ""), type, shape, q);
        define(name, v);
        return v;
    }

    private Value outNhwc(int i, DataType type, int[] nchw, QuantParams q) throws MalformedModelException {
        String name = outName(i);
        Value v = new Value(name, type, nchw);
        v.quant = q;
        v.nhwc = vs.activation(name, type, OnnxValues.nhwcShape(nchw), q);
        define(name, v);
        return v;
    }

    private String outName(int i) throws MalformedModelException {
        if (i >= node.outputs().size() || node.outputs().get(i).isEmpty()) {
            throw malformed("output " + i, "none");
        }
        return node.outputs().get(i);
    }

    private Value in(int i) throws MalformedModelException {
        Value v = opt(i);
        if (v == null) {
            throw malformed("input " + i, "none");
        }
        return v;
    }

    private Value opt(int i) throws MalformedModelException {
        if (i >= node.inputs().size() || node.inputs().get(i).isEmpty()) {
            return null;
        }
        String name = node.inputs().get(i);
        Value v = values.get(name);
        if (v == null) {
            throw malformed("input '" + name + "' produced before the node (ONNX graphs are topologically sorted)",
                    "no producer");
        }
        return v;
    }

    private void requireFloat(Value x) throws UnsupportedOperatorException {
        if (x.type != DataType.FLOAT32) {
            throw unsupported("a FLOAT input, found " + x.type);
        }
    }

    private OnnxProto.Attr attr(String name, int type) throws MalformedModelException {
        OnnxProto.Attr a = node.attrs().get(name);
        if (a != null && a.type() != 0 && a.type() != type) {
            throw malformed("attribute '" + name + "' of type " + type, "type " + a.type());
        }
        return a;
    }

    private long attrI(String name, long def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_INT);
        if (a == null) {
            if (def == Long.MIN_VALUE) {
                throw malformed("attribute '" + name + "'", "none");
            }
            return def;
        }
        return a.i();
    }

    private float attrF(String name, float def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_FLOAT);
        return a == null ? def : a.f();
    }

    private String attrS(String name, String def) throws MalformedModelException {
        OnnxProto.Attr a = attr(name, OnnxProto.A_STRING);
        return a == null || a.s() == null ? def : a.string();
    }

    private int[] attrInts(String name, int[] def) throws MalformedModelException {
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

    private long[] constLongs(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
        if (!v.isPlainConstant()) {
            throw unsupported("a constant '" + what + "' input, found activation '" + v.name + "'");
        }
        if (v.type != DataType.INT64 && v.type != DataType.INT32) {
            throw malformed("an integer '" + what + "' input", v.type.toString());
        }
        return OnnxTensors.longs(v.constant);
    }

    private int[] constInts(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
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

    private float constScalar(Value v, String what) throws MalformedModelException, UnsupportedOperatorException {
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

    private int normAxis(int a, int r) throws MalformedModelException {
        if (a < -r || a >= r) {
            throw malformed("an axis in [" + -r + ", " + r + ")", "" + a);
        }
        return a < 0 ? a + r : a;
    }

    private static int normAxisClamped(int a, int r) {
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

    private String where() {
        return "node '" + node.name() + "' (" + node.opType() + ")";
    }

    private UnsupportedOperatorException unsupported(String detail) {
        return new UnsupportedOperatorException(node.opType(), "'" + source + "': " + where() + ": expected "
                + detail + " (onnx-reader, opset " + opset + ")");
    }

    private MalformedModelException malformed(String expected, String found) {
        return new MalformedModelException("'" + source + "': " + where() + ": expected " + expected + ", found " + found);
    }

    private MalformedModelException malformed(String message) {
        return new MalformedModelException("'" + source + "': " + where() + ": expected " + message);
    }

    private MalformedModelException malformedG(String message) {
        return new MalformedModelException("'" + source + "': " + message);
    }
}
