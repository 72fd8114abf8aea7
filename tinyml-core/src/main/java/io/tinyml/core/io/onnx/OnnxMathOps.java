package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps fully-connected layers (Gemm, MatMul), element-wise arithmetic and activations, keeping
 * 4-D operands NHWC and folding constant biases, scales and reciprocals where that is exact. Not thread-safe.
 */
final class OnnxMathOps extends OnnxNodeContext {
    OnnxMathOps(Shared shared) {
        super(shared);
    }

    void gemm() throws MalformedModelException, UnsupportedOperatorException {
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
            ai = transposeNode(a.name + "_t", src, List.of(1, 0), a.type);
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
            wi = tb ? src : transposeNode(bv.name + "_t", src, List.of(1, 0), bv.type);
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
        Value y = last ? outPlain(0, a.type, os, null) : new Value(node().outputs().get(0) + "_mm", a.type, os);
        if (!last) {
            y.plain = vs.activation(y.name, a.type, os, null);
        }
        vs.node(node().name(), new Op.FullyConnected(Activation.NONE, false), List.of(ai, wi, bi), List.of(y.plain));
        if (postAlpha) {
            Value s = scalarConst(node().name() + "_alpha", alpha);
            Value z = addAfter == null ? null : new Value(node().outputs().get(0) + "_alpha", a.type, os);
            y = binaryTo(new Op.Mul(Activation.NONE), y, s, z);
        }
        if (addAfter != null) {
            Value cc = addAfter;
            if (beta != 1f) {
                cc = cc.isPlainConstant() && cc.type == DataType.FLOAT32 ? constValue(cc.name + "_beta", scale(cc.constant, beta))
                        : binaryTo(new Op.Mul(Activation.NONE), cc, scalarConst(node().name() + "_beta", beta),
                        new Value(cc.name + "_beta", cc.type, cc.shape));
            }
            binaryTo(new Op.Add(Activation.NONE), y, cc, null);
        }
    }

    static boolean isRowVector(int[] s, int n) {
        int count = 1;
        for (int d : s) {
            count *= d;
        }
        return count == n && (s.length == 1 || s.length == 2 && s[0] == 1);
    }

    /**
     * A batched matrix product (numpy matmul semantics) with the IR's broadcasting element-wise
     * operators: {@code a [..., M, K, 1] * b [..., 1, K, N]}, the mean over K, times K.
     */
    private void batchedMatMul(Value a, Value b) throws MalformedModelException, UnsupportedOperatorException {
        int[] as = a.rank() == 1 ? new int[] {1, a.shape[0]} : a.shape;
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = b.shape[b.rank() - 1];
        if (b.shape[b.rank() - 2] != k) {
            throw malformed("MatMul operands with a common inner size " + k, Arrays.toString(b.shape));
        }
        int batchRank = Math.max(as.length, b.rank()) - 2;
        int[] batch = new int[batchRank];
        for (int i = 0; i < batchRank; i++) {
            int da = i - (batchRank - (as.length - 2)) >= 0 ? as[i - (batchRank - (as.length - 2))] : 1;
            int db = i - (batchRank - (b.rank() - 2)) >= 0 ? b.shape[i - (batchRank - (b.rank() - 2))] : 1;
            if (da != db && da != 1 && db != 1) {
                throw malformed("MatMul batch dimensions that broadcast", Arrays.toString(a.shape) + " and "
                        + Arrays.toString(b.shape));
            }
            batch[i] = Math.max(da, db);
        }
        int r = batchRank + 3;
        int[] a5 = new int[r];
        int[] b5 = new int[r];
        int[] p5 = new int[r];
        for (int i = 0; i < batchRank; i++) {
            int ia = i - (batchRank - (as.length - 2));
            int ib = i - (batchRank - (b.rank() - 2));
            a5[i] = ia >= 0 ? as[ia] : 1;
            b5[i] = ib >= 0 ? b.shape[ib] : 1;
            p5[i] = batch[i];
        }
        a5[batchRank] = m;
        a5[batchRank + 1] = k;
        a5[batchRank + 2] = 1;
        b5[batchRank] = 1;
        b5[batchRank + 1] = k;
        b5[batchRank + 2] = n;
        p5[batchRank] = m;
        p5[batchRank + 1] = k;
        p5[batchRank + 2] = n;
        String base = node().outputs().get(0);
        int ai = vs.activation(base + "_a", a.type, a5, null);
        vs.node(node().name() + "_a", new Op.Reshape(), List.of(vs.plain(a)), List.of(ai));
        int bi = vs.activation(base + "_b", b.type, b5, null);
        vs.node(node().name() + "_b", new Op.Reshape(), List.of(vs.plain(b)), List.of(bi));
        int pi = vs.activation(base + "_products", a.type, p5, null);
        vs.node(node().name() + "_products", new Op.Mul(Activation.NONE), List.of(ai, bi), List.of(pi));
        int[] mean = new int[r - 1];
        System.arraycopy(p5, 0, mean, 0, batchRank + 1);
        mean[batchRank + 1] = n;
        int mi = vs.activation(base + "_mean", a.type, mean, null);
        vs.node(node().name() + "_mean", new Op.Mean(List.of(batchRank + 1), false), List.of(pi), List.of(mi));
        Value kv = constValue(base + "_k", Tensor.ofFloats(base + "_k", Shape.SCALAR, new float[] {k}));
        int[] os;
        if (a.rank() == 1) {
            os = new int[batchRank + 1];
            System.arraycopy(batch, 0, os, 0, batchRank);
            os[batchRank] = n;
        } else {
            os = mean;
        }
        if (a.rank() == 1) {
            int si = vs.activation(base + "_sum", a.type, mean, null);
            vs.node(node().name() + "_sum", new Op.Mul(Activation.NONE), List.of(mi, vs.plain(kv)), List.of(si));
            Value y = outPlain(0, a.type, os, null);
            vs.node(node().name(), new Op.Reshape(), List.of(si), List.of(y.plain));
        } else {
            Value y = outPlain(0, a.type, os, null);
            vs.node(node().name(), new Op.Mul(Activation.NONE), List.of(mi, vs.plain(kv)), List.of(y.plain));
        }
    }

    void matMul() throws MalformedModelException, UnsupportedOperatorException {
        Value a = in(0);
        Value bv = in(1);
        requireFloat(a);
        if (bv.rank() > 2) {
            batchedMatMul(a, bv);
            return;
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
                wi = transposeNode(bv.name + "_t", src, List.of(1, 0), bv.type);
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
            vs.node(node().name(), new Op.FullyConnected(Activation.NONE, true), List.of(ai, wi, Node.ABSENT),
                    List.of(y.plain));
            biaslessFc.put(y, vs.b.nodes().size() - 1);
        } else {
            int[] fcShape = new int[a.rank()];
            System.arraycopy(a.shape, 0, fcShape, 0, a.rank() - 1);
            fcShape[a.rank() - 1] = 1;
            Value tmp = new Value(node().outputs().get(0) + "_fc", a.type, fcShape);
            tmp.plain = vs.activation(tmp.name, a.type, fcShape, null);
            vs.node(node().name(), new Op.FullyConnected(Activation.NONE, true), List.of(ai, wi, Node.ABSENT),
                    List.of(tmp.plain));
            Value y = outPlain(0, a.type, os, null);
            vs.node(node().name() + "_reshape", new Op.Reshape(), List.of(tmp.plain), List.of(y.plain));
        }
    }

    /** Permutes the columns of a [out, C*H*W] weight matrix from CHW to HWC order. */
    static Tensor permuteColumns(Tensor w, int[] nchw) {
        int out = w.shape().dim(0);
        int c = nchw[1];
        int h = nchw[2];
        int wd = nchw[3];
        Tensor t = w.withShape(Shape.of(out, c, h, wd));
        t = OnnxValues.permuteWithQuant(t, new int[] {0, 2, 3, 1});
        return t.withShape(Shape.of(out, c * h * wd));
    }

    static Tensor scale(Tensor t, float s) {
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return Tensor.ofFloats(t.name(), t.shape(), v);
    }

    /**
     * Before opset 7, element-wise operators broadcast B only with {@code broadcast=1}, aligned at
     * {@code axis} (default: trailing); returns B reshaped for numpy broadcasting.
     */
    Value legacyBroadcast(Value a, Value b) throws MalformedModelException, UnsupportedOperatorException {
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

    void add() throws MalformedModelException, UnsupportedOperatorException {
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
    static boolean isChannelVector(int[] s, int c) {
        int[] s4 = new int[4];
        for (int i = 0; i < 4; i++) {
            s4[i] = i < 4 - s.length ? 1 : s[i - (4 - s.length)];
        }
        return s4[0] == 1 && s4[1] == c && s4[2] == 1 && s4[3] == 1;
    }

    void div() throws MalformedModelException, UnsupportedOperatorException {
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

    void clip() throws MalformedModelException, UnsupportedOperatorException {
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

    void hardSigmoid() throws MalformedModelException {
        Value x = in(0);
        float alpha = attrF("alpha", 0.2f);
        float beta = attrF("beta", 0.5f);
        Value t = binaryTo(new Op.Mul(Activation.NONE), x, scalarConst(node().name() + "_alpha", alpha),
                new Value(node().outputs().get(0) + "_ax", x.type, x.shape));
        Value u = binaryTo(new Op.Add(Activation.NONE), t, scalarConst(node().name() + "_beta", beta),
                new Value(node().outputs().get(0) + "_axb", x.type, x.shape));
        unaryTo(new Op.Clip(0f, 1f), u, null);
    }

    void prelu() throws MalformedModelException, UnsupportedOperatorException {
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
        String base = node().outputs().get(0);
        Value r = unaryTo(new Op.Relu(), x, new Value(base + "_pos", x.type, x.shape));
        Value neg = binaryTo(new Op.Sub(Activation.NONE), x, r, new Value(base + "_neg", x.type, x.shape));
        Value sn = binaryTo(new Op.Mul(Activation.NONE), neg, slope, new Value(base + "_sneg", x.type, x.shape));
        binaryTo(new Op.Add(Activation.NONE), r, sn, null);
    }

    /**
     * Softmax or LogSoftmax: over the last axis directly, otherwise (opset 13 on) with the axis moved
     * last and back, or (before opset 13) over the input flattened to 2-D at the axis.
     */
    void softmax(boolean log) throws MalformedModelException, UnsupportedOperatorException {
        Op op = log ? new Op.LogSoftmax() : new Op.Softmax(1f);
        Value x = in(0);
        int r = x.rank();
        int axis = normAxis((int) attrI("axis", opset >= 13 ? -1 : 1), r);
        if (axis == r - 1) {
            Value y = outPlain(0, x.type, x.shape, null);
            vs.node(node().name(), op, List.of(vs.plain(x)), List.of(y.plain));
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
            vs.node(node().name() + "_flatten", new Op.Reshape(), List.of(vs.plain(x)), List.of(flat));
            int sm = vs.activation(node().outputs().get(0) + "_2d", x.type, s2, null);
            vs.node(node().name(), op, List.of(flat), List.of(sm));
            Value y = outPlain(0, x.type, x.shape, null);
            vs.node(node().name() + "_unflatten", new Op.Reshape(), List.of(sm), List.of(y.plain));
            return;
        }
        if (r == 4 && axis == 1 && (x.nhwc >= 0 || x.plain < 0)) {
            Value y = outNhwc(0, x.type, x.shape, null);
            vs.node(node().name(), op, List.of(vs.nhwc(x)), List.of(y.nhwc));
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
        int t = transposeNode(x.name + "_axis_last", vs.plain(x), perm, x.type);
        int[] ts = vs.b.tensor(t).shape().toArray();
        int sm = vs.activation(node().outputs().get(0) + "_axis_last", x.type, ts, null);
        vs.node(node().name(), op, List.of(t), List.of(sm));
        Value y = outPlain(0, x.type, x.shape, null);
        vs.node(node().name() + "_axis_back", new Op.Transpose(inv), List.of(sm), List.of(y.plain));
    }
}
