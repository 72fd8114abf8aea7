package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.PadMode;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps shape and layout operators (Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Pad)
 * and constant shape arithmetic (Constant, Shape, Gather, Cast), remapping axes between NCHW and NHWC. Not thread-safe.
 */
final class OnnxLayoutOps extends OnnxNodeContext {
    OnnxLayoutOps(Shared shared) {
        super(shared);
    }

    void flatten() throws MalformedModelException {
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

    void reshapeOp() throws MalformedModelException, UnsupportedOperatorException {
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

    void squeeze() throws MalformedModelException, UnsupportedOperatorException {
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

    void unsqueeze() throws MalformedModelException, UnsupportedOperatorException {
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

    void dropout() throws MalformedModelException, UnsupportedOperatorException {
        if (node().outputs().size() > 1 && !node().outputs().get(1).isEmpty() && uses.containsKey(node().outputs().get(1))) {
            throw unsupported("Dropout without a used mask output, found mask '" + node().outputs().get(1) + "' read");
        }
        if (opset >= 12 && opt(2) != null) {
            Value t = opt(2);
            if (!t.isPlainConstant() || constLongs(t, "training_mode")[0] != 0) {
                throw unsupported("inference mode (training_mode false), found '" + t.name + "'");
            }
        }
        reshapeTo(in(0), in(0).shape);
    }

    void transpose() throws MalformedModelException {
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
            define(node().outputs().get(0), constValue(node().outputs().get(0), OnnxTensors.permute(x.constant, perm,
                    node().outputs().get(0))));
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
            vs.node(node().name(), identity ? new Op.Reshape() : new Op.Transpose(p), List.of(vs.nhwc(x)), List.of(y.nhwc));
            return;
        }
        Value y = outPlain(0, x.type, o, x.quant);
        vs.node(node().name(), new Op.Transpose(Arrays.stream(perm).boxed().toList()), List.of(vs.plain(x)),
                List.of(y.plain));
    }

    void concat() throws MalformedModelException {
        List<Value> ins = new ArrayList<>();
        for (int i = 0; i < node().inputs().size(); i++) {
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
            define(node().outputs().get(0), constValue(node().outputs().get(0), concatConst(ins, axis, o)));
            return;
        }
        List<Integer> idx = new ArrayList<>();
        if (r == 4) {
            for (Value v : ins) {
                idx.add(vs.nhwc(v));
            }
            Value y = outNhwc(0, first.type, o, first.quant);
            int[] pos = {0, 3, 1, 2};
            vs.node(node().name(), new Op.Concatenation(pos[axis], Activation.NONE), idx, List.of(y.nhwc));
        } else {
            for (Value v : ins) {
                idx.add(vs.plain(v));
            }
            Value y = outPlain(0, first.type, o, first.quant);
            vs.node(node().name(), new Op.Concatenation(axis, Activation.NONE), idx, List.of(y.plain));
        }
    }

    static Tensor concatConst(List<Value> ins, int axis, int[] o) {
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

    void pad() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        String mode = attrS("mode", "constant");
        if (!List.of("constant", "edge", "reflect", "wrap").contains(mode)) {
            throw unsupported("constant, edge, reflect or wrap padding, found mode '" + mode + "'");
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
        // float edge/reflect/wrap padding stays in operators every backend has (see indexPad); other
        // types copy elements with the Pad operator's own mode
        if (!mode.equals("constant") && x.type == DataType.FLOAT32) {
            indexPad(x, mode, before, after, o);
            return;
        }
        PadMode pm = PadMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT));
        for (int i = 0; i < r; i++) {
            boolean padded = before[i] > 0 || after[i] > 0;
            if (padded && pm != PadMode.CONSTANT && (x.shape[i] == 0
                    || (pm == PadMode.REFLECT && (before[i] >= x.shape[i] || after[i] >= x.shape[i])))) {
                throw unsupported(mode + " pads smaller than the axis (" + x.shape[i] + "), found " + before[i]
                        + " and " + after[i]);
            }
        }
        if (r == 4) {
            int[] p = OnnxTensors.TO_NHWC;
            List<Integer> bb = new ArrayList<>();
            List<Integer> aa = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bb.add(before[p[i]]);
                aa.add(after[p[i]]);
            }
            Value y = outNhwc(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Pad(bb, aa, value, pm), List.of(vs.nhwc(x)), List.of(y.nhwc));
        } else {
            Value y = outPlain(0, x.type, o, x.quant);
            vs.node(node().name(), new Op.Pad(Arrays.stream(before).boxed().toList(), Arrays.stream(after).boxed().toList(),
                    value, pm), List.of(vs.plain(x)), List.of(y.plain));
        }
    }

    /**
     * Edge, reflect and wrap padding, one axis at a time: the axis moved last, a fully-connected layer
     * whose constant 0/1 weights pick each output element's source element, the axis moved back.
     * Exact for finite values (a non-finite input element turns the other outputs of its row into NaN).
     */
    private void indexPad(Value x, String mode, int[] before, int[] after, int[] outShape)
            throws MalformedModelException, UnsupportedOperatorException {
        int r = x.rank();
        int cur = vs.plain(x);
        int[] shape = x.shape.clone();
        String base = node().outputs().get(0);
        for (int a = 0; a < r; a++) {
            if (before[a] == 0 && after[a] == 0) {
                continue;
            }
            int len = shape[a];
            if (len == 0 || (mode.equals("reflect") && (before[a] >= len || after[a] >= len))) {
                throw unsupported(mode + " pads smaller than the axis (" + len + "), found " + before[a] + " and "
                        + after[a]);
            }
            List<Integer> perm = new ArrayList<>();
            for (int i = 0; i < r; i++) {
                if (i != a) {
                    perm.add(i);
                }
            }
            perm.add(a);
            List<Integer> inv = new ArrayList<>(perm);
            for (int i = 0; i < r; i++) {
                inv.set(perm.get(i), i);
            }
            int moved = a == r - 1 ? cur : transposeNode(base + "_axis" + a + "_last", cur, perm, DataType.FLOAT32);
            int outLen = len + before[a] + after[a];
            float[] pick = new float[outLen * len];
            for (int j = 0; j < outLen; j++) {
                int i = j - before[a];
                if (mode.equals("edge")) {
                    i = Math.max(0, Math.min(len - 1, i));
                } else if (mode.equals("wrap")) {
                    i = Math.floorMod(i, len);
                } else {
                    i = i < 0 ? -i : i >= len ? 2 * (len - 1) - i : i;
                }
                pick[j * len + i] = 1f;
            }
            Value w = constValue(base + "_pick" + a, Tensor.ofFloats(base + "_pick" + a, Shape.of(outLen, len), pick));
            int[] ms = vs.b.tensor(moved).shape().toArray();
            ms[r - 1] = outLen;
            int picked = vs.activation(base + "_padded" + a, DataType.FLOAT32, ms, null);
            vs.node(node().name() + "_axis" + a, new Op.FullyConnected(Activation.NONE, true),
                    List.of(moved, vs.plain(w), Node.ABSENT), List.of(picked));
            cur = a == r - 1 ? picked : transposeNode(base + "_axis" + a + "_back", picked, inv, DataType.FLOAT32);
            shape[a] = outLen;
        }
        Value y = outPlain(0, x.type, outShape, null);
        vs.node(node().name(), new Op.Reshape(), List.of(cur), List.of(y.plain));
    }

    void constantNode() throws MalformedModelException, UnsupportedOperatorException {
        String name = node().outputs().isEmpty() ? "" : node().outputs().get(0);
        Tensor t = null;
        for (OnnxProto.Attr a : node().attrs().values()) {
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

    void shapeOp() throws MalformedModelException {
        Value x = in(0);
        int r = x.rank();
        int start = normAxisClamped((int) attrI("start", 0), r);
        int end = normAxisClamped((int) attrI("end", r), r);
        long[] d = new long[Math.max(0, end - start)];
        for (int i = 0; i < d.length; i++) {
            d[i] = x.shape[start + i];
        }
        String name = node().outputs().get(0);
        define(name, constValue(name, longTensor(name, d, Shape.of(d.length))));
    }

    void gather() throws MalformedModelException, UnsupportedOperatorException {
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
        String name = node().outputs().get(0);
        Tensor t = longTensor(name, o, idx.constant.shape());
        if (data.type != DataType.INT64) {
            throw unsupported("INT64 shape data, found " + data.type);
        }
        define(name, constValue(name, t));
    }

    void cast() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        DataType to = OnnxTensors.irType((int) attrI("to", 0));
        if (to == x.type) {
            reshapeTo(x, x.shape);
            return;
        }
        if (x.isPlainConstant() && to != null && (to == DataType.INT64 || to == DataType.INT32) && !x.type.isFloat()) {
            long[] v = OnnxTensors.longs(x.constant);
            String name = node().outputs().get(0);
            Tensor t = to == DataType.INT64 ? longTensor(name, v, x.constant.shape())
                    : Tensor.ofInts(name, x.constant.shape(), Arrays.stream(v).mapToInt(l -> (int) l).toArray());
            define(name, constValue(name, t));
            return;
        }
        throw unsupported("a Cast the IR can express (the IR has no Cast), found " + x.type + " to "
                + OnnxTensors.onnxTypeName((int) attrI("to", 0)));
    }

    /**
     * DepthToSpace (DCR and CRD modes) as its definition: a reshape to 6-D, a transpose and a reshape
     * back, on the NCHW data.
     */
    void depthToSpace() throws MalformedModelException, UnsupportedOperatorException {
        Value x = in(0);
        if (x.rank() != 4) {
            throw unsupported("a 4-D input, found " + Arrays.toString(x.shape));
        }
        int b = (int) attrI("blocksize", 0);
        String mode = attrS("mode", "DCR");
        int n = x.shape[0];
        int c = x.shape[1];
        int h = x.shape[2];
        int w = x.shape[3];
        if (b <= 0 || c % (b * b) != 0) {
            throw malformed("a positive blocksize whose square divides the channels " + c, Integer.toString(b));
        }
        boolean dcr = !"CRD".equals(mode);
        int[] six = dcr ? new int[] {n, b, b, c / (b * b), h, w} : new int[] {n, c / (b * b), b, b, h, w};
        List<Integer> perm = dcr ? List.of(0, 3, 4, 1, 5, 2) : List.of(0, 1, 4, 2, 5, 3);
        String base = node().outputs().get(0);
        int r6 = vs.activation(base + "_6d", x.type, six, null);
        vs.node(node().name() + "_6d", new Op.Reshape(), List.of(vs.plain(x)), List.of(r6));
        int t = transposeNode(base + "_moved", r6, perm, x.type);
        Value y = outPlain(0, x.type, new int[] {n, c / (b * b), h * b, w * b}, null);
        vs.node(node().name(), new Op.Reshape(), List.of(t), List.of(y.plain));
    }
}
