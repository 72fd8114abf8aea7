package io.tinyml.core.io.savedmodel.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Padding;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.io.savedmodel.internal.TfGraphImporter.Scope;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps TensorFlow operators onto IR operators, with TensorFlow's semantics: NHWC data, filters
 * {@code [KH,KW,Cin,Cout]} (Conv2D) and {@code [KH,KW,C,M]} (DepthwiseConv2dNative), MatMul weights
 * {@code [in,out]}. Stateless; not API.
 */
final class TfOps {
    private TfOps() {
    }

    static TfValue convert(TfGraphImporter im, Scope s, NodeDef nd, String where)
            throws UnsupportedOperatorException, MalformedModelException {
        List<TfValue> in = im.inputs(s, nd);
        String name = nd.getName();
        switch (nd.getOp()) {
            case "Identity" -> {
                TfValue x = in.get(0);
                if (!(x instanceof TfValue.Act a)) {
                    return x;
                }
                Shape sh = im.shapeOf(a);
                return im.node(name, new Op.Reshape(), List.of(im.use(a)), sh);
            }
            case "Conv2D" -> {
                nhwc(nd, where);
                TfValue.Act x = act(in.get(0), nd, where);
                TfValue.Const w = cnst(in.get(1), nd, where, "filter");
                int[] st = pair(nd, "strides", where);
                int[] dil = pair(nd, "dilations", where);
                Padding p = padding(nd, where);
                Shape xs = im.shapeOf(x);
                Shape ws = w.shape();
                int kh = ws.dim(0);
                int kw = ws.dim(1);
                int cin = ws.dim(2);
                int cout = ws.dim(3);
                float[] ohwi = new float[w.floats().length];
                for (int y = 0; y < kh; y++) {
                    for (int xx = 0; xx < kw; xx++) {
                        for (int c = 0; c < cin; c++) {
                            for (int o = 0; o < cout; o++) {
                                ohwi[((o * kh + y) * kw + xx) * cin + c] = w.floats()[((y * kw + xx) * cin + c) * cout + o];
                            }
                        }
                    }
                }
                int wt = im.constant(name + "/filter", TfValue.Const.ofFloats(Shape.of(cout, kh, kw, cin), ohwi));
                Shape out = Shape.of(xs.dim(0), p.outputSize(xs.dim(1), kh, st[0], dil[0]),
                        p.outputSize(xs.dim(2), kw, st[1], dil[1]), cout);
                return im.node(name, new Op.Conv2D(st[0], st[1], dil[0], dil[1], p, Activation.NONE),
                        List.of(im.use(x), wt), out);
            }
            case "DepthwiseConv2dNative" -> {
                nhwc(nd, where);
                TfValue.Act x = act(in.get(0), nd, where);
                TfValue.Const w = cnst(in.get(1), nd, where, "filter");
                int[] st = pair(nd, "strides", where);
                int[] dil = pair(nd, "dilations", where);
                Padding p = padding(nd, where);
                Shape xs = im.shapeOf(x);
                Shape ws = w.shape();
                int kh = ws.dim(0);
                int kw = ws.dim(1);
                int m = ws.dim(3);
                int cm = ws.dim(2) * m;
                // [KH,KW,C,M] flattened is already [KH,KW,C*M] with output channel c*M+m
                int wt = im.constant(name + "/filter", TfValue.Const.ofFloats(Shape.of(1, kh, kw, cm), w.floats()));
                Shape out = Shape.of(xs.dim(0), p.outputSize(xs.dim(1), kh, st[0], dil[0]),
                        p.outputSize(xs.dim(2), kw, st[1], dil[1]), cm);
                return im.node(name, new Op.DepthwiseConv2D(st[0], st[1], dil[0], dil[1], p, m, Activation.NONE),
                        List.of(im.use(x), wt), out);
            }
            case "MatMul" -> {
                if (bool(nd, "transpose_a")) {
                    throw TfGraphImporter.unsupported(nd, where, "transpose_a=true");
                }
                TfValue.Act x = act(in.get(0), nd, where);
                TfValue.Const w = cnst(in.get(1), nd, where, "weights");
                int rows = w.shape().dim(0);
                int cols = w.shape().dim(1);
                float[] v = w.floats();
                Shape ws;
                if (!bool(nd, "transpose_b")) {
                    float[] t = new float[v.length];
                    for (int i = 0; i < rows; i++) {
                        for (int o = 0; o < cols; o++) {
                            t[o * rows + i] = v[i * cols + o];
                        }
                    }
                    v = t;
                    ws = Shape.of(cols, rows);
                } else {
                    ws = w.shape();
                }
                int wt = im.constant(name + "/weights", TfValue.Const.ofFloats(ws, v));
                Shape xs = im.shapeOf(x);
                return im.node(name, new Op.FullyConnected(Activation.NONE, false), List.of(im.use(x), wt),
                        Shape.of(xs.dim(0), ws.dim(0)));
            }
            case "BiasAdd" -> {
                nhwc(nd, where);
                TfValue.Act x = act(in.get(0), nd, where);
                TfValue.Const b = cnst(in.get(1), nd, where, "bias");
                int bt = im.constant(name + "/bias", b);
                if (im.fuseBias(x, bt)) {
                    // the producer now computes the biased value; its pre-bias value must not be read again
                    im.fusedAway.add(x);
                    return new TfValue.Act(x.tensor());
                }
                return im.node(name, new Op.Add(Activation.NONE), List.of(im.use(x), bt), im.shapeOf(x));
            }
            case "Relu" -> {
                TfValue.Act x = act(in.get(0), nd, where);
                return im.node(name, new Op.Relu(), List.of(im.use(x)), im.shapeOf(x));
            }
            case "Relu6" -> {
                TfValue.Act x = act(in.get(0), nd, where);
                return im.node(name, new Op.Relu6(), List.of(im.use(x)), im.shapeOf(x));
            }
            case "Softmax" -> {
                TfValue.Act x = act(in.get(0), nd, where);
                return im.node(name, new Op.Softmax(1f), List.of(im.use(x)), im.shapeOf(x));
            }
            case "FusedBatchNormV3", "FusedBatchNorm", "FusedBatchNormV2" -> {
                nhwc(nd, where);
                if (bool(nd, "is_training")) {
                    throw TfGraphImporter.unsupported(nd, where, "is_training=true");
                }
                TfValue.Act x = act(in.get(0), nd, where);
                AttrValue eps = TfGraphImporter.attr(nd, "epsilon");
                List<Integer> ins = new ArrayList<>(List.of(im.use(x)));
                String[] parts = {"scale", "offset", "mean", "variance"};
                for (int i = 0; i < 4; i++) {
                    ins.add(im.constant(name + "/" + parts[i], cnst(in.get(i + 1), nd, where, parts[i])));
                }
                return im.node(name, new Op.BatchNormalization(eps == null ? 1e-4f : eps.getF()), ins, im.shapeOf(x));
            }
            case "AvgPool", "MaxPool", "MaxPoolV2" -> {
                nhwc(nd, where);
                TfValue.Act x = act(in.get(0), nd, where);
                boolean v2 = nd.getOp().equals("MaxPoolV2");
                int[] k = v2 ? hw(cnst(in.get(1), nd, where, "ksize").asInts(), nd, where, "ksize")
                        : pair(nd, "ksize", where);
                int[] st = v2 ? hw(cnst(in.get(2), nd, where, "strides").asInts(), nd, where, "strides")
                        : pair(nd, "strides", where);
                Padding p = padding(nd, where);
                Shape xs = im.shapeOf(x);
                Shape out = Shape.of(xs.dim(0), p.outputSize(xs.dim(1), k[0], st[0], 1),
                        p.outputSize(xs.dim(2), k[1], st[1], 1), xs.dim(3));
                Op op = nd.getOp().equals("AvgPool")
                        ? new Op.AveragePool2D(k[0], k[1], st[0], st[1], p, Activation.NONE)
                        : new Op.MaxPool2D(k[0], k[1], st[0], st[1], p, Activation.NONE);
                return im.node(name, op, List.of(im.use(x)), out);
            }
            case "Mean" -> {
                TfValue.Act x = act(in.get(0), nd, where);
                Shape xs = im.shapeOf(x);
                int[] axes = cnst(in.get(1), nd, where, "axes").asInts();
                boolean keep = bool(nd, "keep_dims");
                boolean[] reduced = new boolean[xs.rank()];
                for (int a : axes) {
                    reduced[a < 0 ? a + xs.rank() : a] = true;
                }
                List<Integer> ax = new ArrayList<>();
                List<Integer> dims = new ArrayList<>();
                for (int i = 0; i < xs.rank(); i++) {
                    if (reduced[i]) {
                        ax.add(i);
                        if (keep) {
                            dims.add(1);
                        }
                    } else {
                        dims.add(xs.dim(i));
                    }
                }
                return im.node(name, new Op.Mean(ax, keep), List.of(im.use(x)),
                        Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
            }
            case "Reshape" -> {
                Shape xs = im.shapeOf(in.get(0));
                Shape to = reshaped(xs, cnst(in.get(1), nd, where, "shape").asInts(), where);
                return reshape(im, name, in.get(0), to);
            }
            case "Squeeze" -> {
                Shape xs = im.shapeOf(in.get(0));
                AttrValue sd = TfGraphImporter.attr(nd, "squeeze_dims");
                List<Long> axes = sd == null ? List.of() : sd.getList().getIList();
                List<Integer> dims = new ArrayList<>();
                for (int i = 0; i < xs.rank(); i++) {
                    boolean drop = axes.isEmpty() ? xs.dim(i) == 1
                            : axes.contains((long) i) || axes.contains((long) (i - xs.rank()));
                    if (!drop) {
                        dims.add(xs.dim(i));
                    }
                }
                return reshape(im, name, in.get(0), Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
            }
            case "AddV2", "Add" -> {
                Shape out = broadcast(im.shapeOf(in.get(0)), im.shapeOf(in.get(1)), where);
                if (in.get(0) instanceof TfValue.Const && in.get(1) instanceof TfValue.Const) {
                    throw TfGraphImporter.unsupported(nd, where, "two constant operands");
                }
                int a = im.tensorOf(in.get(0), name + "/x", where);
                int b = im.tensorOf(in.get(1), name + "/y", where);
                return im.node(name, new Op.Add(Activation.NONE), List.of(a, b), out);
            }
            case "Pad", "PadV2" -> {
                TfValue.Act x = act(in.get(0), nd, where);
                Shape xs = im.shapeOf(x);
                int[] p = cnst(in.get(1), nd, where, "paddings").asInts();
                if (p.length != 2 * xs.rank()) {
                    throw new MalformedModelException("expected " + 2 * xs.rank() + " paddings at " + where
                            + ", found " + p.length);
                }
                float value = in.size() > 2 ? cnst(in.get(2), nd, where, "constant_values").asFloats()[0] : 0f;
                List<Integer> before = new ArrayList<>();
                List<Integer> after = new ArrayList<>();
                int[] dims = new int[xs.rank()];
                for (int i = 0; i < xs.rank(); i++) {
                    before.add(p[2 * i]);
                    after.add(p[2 * i + 1]);
                    dims[i] = xs.dim(i) + p[2 * i] + p[2 * i + 1];
                }
                return im.node(name, new Op.Pad(before, after, value), List.of(im.use(x)), Shape.of(dims));
            }
            default -> throw new UnsupportedOperatorException(nd.getOp(), "operator " + nd.getOp() + " at " + where
                    + " is not supported by the SavedModel reader");
        }
    }

    private static TfValue reshape(TfGraphImporter im, String name, TfValue x, Shape to) throws UnsupportedOperatorException {
        if (x instanceof TfValue.Const c) {
            return new TfValue.Const(to, c.floats(), c.ints());
        }
        TfValue.Act a = (TfValue.Act) x;
        return im.node(name, new Op.Reshape(), List.of(im.use(a)), to);
    }

    private static Shape reshaped(Shape from, int[] spec, String where) throws MalformedModelException {
        int[] d = spec.clone();
        int known = 1;
        int free = -1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (free >= 0) {
                    throw new MalformedModelException("expected at most one -1 in the reshape at " + where + ", found two");
                }
                free = i;
            } else {
                known *= d[i];
            }
        }
        if (free >= 0) {
            d[free] = known == 0 ? 0 : from.elementCount() / known;
        }
        Shape s = Shape.of(d);
        if (s.elementCount() != from.elementCount()) {
            throw new MalformedModelException("expected a reshape of " + from + " to keep " + from.elementCount()
                    + " elements at " + where + ", found " + s);
        }
        return s;
    }

    private static Shape broadcast(Shape a, Shape b, String where) throws MalformedModelException {
        int r = Math.max(a.rank(), b.rank());
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - a.rank()) >= 0 ? a.dim(i - (r - a.rank())) : 1;
            int y = i - (r - b.rank()) >= 0 ? b.dim(i - (r - b.rank())) : 1;
            if (x != y && x != 1 && y != 1) {
                throw new MalformedModelException("expected broadcastable shapes at " + where + ", found " + a + " and " + b);
            }
            d[i] = Math.max(x, y);
        }
        return Shape.of(d);
    }

    private static TfValue.Act act(TfValue v, NodeDef nd, String where) throws UnsupportedOperatorException {
        if (v instanceof TfValue.Act a) {
            return a;
        }
        throw TfGraphImporter.unsupported(nd, where, "expected a computed tensor as data input, found a constant");
    }

    private static TfValue.Const cnst(TfValue v, NodeDef nd, String where, String what)
            throws UnsupportedOperatorException {
        if (v instanceof TfValue.Const c) {
            return c;
        }
        throw TfGraphImporter.unsupported(nd, where, "expected a constant or variable " + what + ", found a computed tensor");
    }

    private static void nhwc(NodeDef nd, String where) throws UnsupportedOperatorException {
        AttrValue f = TfGraphImporter.attr(nd, "data_format");
        if (f != null && !f.getS().toStringUtf8().equals("NHWC") && !f.getS().isEmpty()) {
            throw TfGraphImporter.unsupported(nd, where, "expected data_format NHWC, found " + f.getS().toStringUtf8());
        }
    }

    private static boolean bool(NodeDef nd, String attr) {
        AttrValue a = TfGraphImporter.attr(nd, attr);
        return a != null && a.getB();
    }

    /** The H and W entries of a 4-element NHWC list attribute (strides, dilations, ksize); 1s when absent. */
    private static int[] pair(NodeDef nd, String attr, String where) throws UnsupportedOperatorException {
        AttrValue a = TfGraphImporter.attr(nd, attr);
        if (a == null || a.getList().getICount() == 0) {
            return new int[] {1, 1};
        }
        List<Long> v = a.getList().getIList();
        if (v.size() != 4 || v.get(0) != 1 || v.get(3) != 1) {
            throw TfGraphImporter.unsupported(nd, where, "expected " + attr + " [1,h,w,1], found " + v);
        }
        return new int[] {Math.toIntExact(v.get(1)), Math.toIntExact(v.get(2))};
    }

    /** The H and W entries of a 4-element NHWC vector given as a constant input (MaxPoolV2). */
    private static int[] hw(int[] v, NodeDef nd, String where, String what) throws UnsupportedOperatorException {
        if (v.length != 4 || v[0] != 1 || v[3] != 1) {
            throw TfGraphImporter.unsupported(nd, where, "expected " + what + " [1,h,w,1], found "
                    + java.util.Arrays.toString(v));
        }
        return new int[] {v[1], v[2]};
    }

    private static Padding padding(NodeDef nd, String where) throws UnsupportedOperatorException {
        String p = TfGraphImporter.attr(nd, "padding").getS().toStringUtf8();
        return switch (p) {
            case "SAME" -> Padding.SAME;
            case "VALID" -> Padding.VALID;
            default -> throw TfGraphImporter.unsupported(nd, where, "padding " + p);
        };
    }
}
