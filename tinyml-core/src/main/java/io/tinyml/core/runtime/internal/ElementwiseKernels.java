package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

/**
 * Binary element-wise kernels (Add, Sub, Mul) with numpy broadcasting, in float32 and integer
 * form, and float32 batch normalization. Integer Add/Sub follow TFLite's reference add.h/sub.h
 * ({@code left_shift} 20 for int8, 15 for int16, per-input multipliers; as in TFLM, Add derives its
 * real multipliers in double and Sub in float); Mul follows integer_ops/mul.h (one multiplier
 * {@code s1 * s2 / s_out} in double).
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    static Kernel binary(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Tensor a = g.tensor(node.input(0));
        Tensor b = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        int[] ma = Broadcast.indexMap(a.shape(), out.shape());
        int[] mb = Broadcast.indexMap(b.shape(), out.shape());
        int n = out.shape().elementCount();
        if (ma != null || mb != null) {
            ma = ma == null ? Broadcast.identity(n) : ma;
            mb = mb == null ? Broadcast.identity(n) : mb;
        }
        OpKind kind = node.op().kind();
        Activation act = node.op().activation();
        if (a.type() == DataType.FLOAT32 && b.type() == DataType.FLOAT32) {
            return floatBinary(kind, act, (float[]) arrays[node.input(0)], (float[]) arrays[node.input(1)],
                    (float[]) arrays[node.output(0)], ma, mb);
        }
        if ((a.type() == DataType.INT8 || a.type() == DataType.INT16) && b.type() == a.type() && out.type() == a.type()
                && Quant.perTensor(a) && Quant.perTensor(b) && Quant.perTensor(out)) {
            return kind == OpKind.MUL ? quantMul(g, node, arrays, ma, mb) : quantAddSub(g, node, arrays, ma, mb);
        }
        throw Quant.unsupported(node, a.type() + " and " + b.type() + " inputs");
    }

    private static Kernel floatBinary(OpKind kind, Activation act, float[] x, float[] z, float[] y, int[] ma,
                                      int[] mb) {
        float[] r = Quant.floatRange(act);
        float lo = r[0];
        float hi = r[1];
        int op = kind == OpKind.ADD ? 0 : kind == OpKind.SUB ? 1 : 2;
        return () -> {
            for (int i = 0; i < y.length; i++) {
                float p = x[ma == null ? i : ma[i]];
                float q = z[mb == null ? i : mb[i]];
                float v = op == 0 ? p + q : op == 1 ? p - q : p * q;
                y[i] = Math.max(lo, Math.min(hi, v));
            }
            Quant.applyTanh(act, y);
        };
    }

    /** Reads element i of an int8 or int16 array. */
    private static int get(byte[] b, short[] s, int i) {
        return b != null ? b[i] : s[i];
    }

    private static Kernel quantAddSub(Graph g, Node node, Object[] arrays, int[] ma, int[] mb)
            throws UnsupportedOperatorException {
        Tensor a = g.tensor(node.input(0));
        Tensor b = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        boolean int8 = a.type() == DataType.INT8;
        int leftShift = int8 ? 20 : 15;
        float s1 = a.requireQuant().scale();
        float s2 = b.requireQuant().scale();
        float so = out.requireQuant().scale();
        boolean sub = node.op().kind() == OpKind.SUB;
        // TFLM derives Add's real multipliers in double, Sub's in float (FixedPoint.addSubMultipliers)
        long[] ms = FixedPoint.addSubMultipliers(s1, s2, so, leftShift, sub);
        long m1 = ms[0];
        long m2 = ms[1];
        long mo = ms[2];
        int off1 = -a.requireQuant().zeroPoint();
        int off2 = -b.requireQuant().zeroPoint();
        int offO = out.requireQuant().zeroPoint();
        int[] range = Quant.activationRange(node.op().activation(), out, node);
        byte[] x8 = int8 ? (byte[]) arrays[node.input(0)] : null;
        byte[] z8 = int8 ? (byte[]) arrays[node.input(1)] : null;
        byte[] y8 = int8 ? (byte[]) arrays[node.output(0)] : null;
        short[] x16 = int8 ? null : (short[]) arrays[node.input(0)];
        short[] z16 = int8 ? null : (short[]) arrays[node.input(1)];
        short[] y16 = int8 ? null : (short[]) arrays[node.output(0)];
        int n = out.shape().elementCount();
        int mul1 = FixedPoint.multiplier(m1), sh1 = FixedPoint.shift(m1);
        int mul2 = FixedPoint.multiplier(m2), sh2 = FixedPoint.shift(m2);
        int mulO = FixedPoint.multiplier(mo), shO = FixedPoint.shift(mo);
        return () -> {
            for (int i = 0; i < n; i++) {
                int ia = ma == null ? i : ma[i];
                int ib = mb == null ? i : mb[i];
                int v1 = (get(x8, x16, ia) + off1) * (1 << leftShift);
                int v2 = (get(z8, z16, ib) + off2) * (1 << leftShift);
                int sc1 = FixedPoint.multiplyByQuantizedMultiplier(v1, mul1, sh1);
                int sc2 = FixedPoint.multiplyByQuantizedMultiplier(v2, mul2, sh2);
                int raw = sub ? sc1 - sc2 : sc1 + sc2;
                int o = FixedPoint.multiplyByQuantizedMultiplier(raw, mulO, shO) + offO;
                o = Math.max(range[0], Math.min(range[1], o));
                if (y8 != null) {
                    y8[i] = (byte) o;
                } else {
                    y16[i] = (short) o;
                }
            }
        };
    }

    private static Kernel quantMul(Graph g, Node node, Object[] arrays, int[] ma, int[] mb)
            throws UnsupportedOperatorException {
        Tensor a = g.tensor(node.input(0));
        Tensor b = g.tensor(node.input(1));
        Tensor out = g.tensor(node.output(0));
        boolean int8 = a.type() == DataType.INT8;
        long m = FixedPoint.quantizeMultiplier((double) a.requireQuant().scale() * (double) b.requireQuant().scale()
                / (double) out.requireQuant().scale());
        int mul = FixedPoint.multiplier(m), sh = FixedPoint.shift(m);
        int off1 = -a.requireQuant().zeroPoint();
        int off2 = -b.requireQuant().zeroPoint();
        int offO = out.requireQuant().zeroPoint();
        int[] range = Quant.activationRange(node.op().activation(), out, node);
        byte[] x8 = int8 ? (byte[]) arrays[node.input(0)] : null;
        byte[] z8 = int8 ? (byte[]) arrays[node.input(1)] : null;
        byte[] y8 = int8 ? (byte[]) arrays[node.output(0)] : null;
        short[] x16 = int8 ? null : (short[]) arrays[node.input(0)];
        short[] z16 = int8 ? null : (short[]) arrays[node.input(1)];
        short[] y16 = int8 ? null : (short[]) arrays[node.output(0)];
        int n = out.shape().elementCount();
        return () -> {
            for (int i = 0; i < n; i++) {
                int p = get(x8, x16, ma == null ? i : ma[i]) + off1;
                int q = get(z8, z16, mb == null ? i : mb[i]) + off2;
                int o = offO + FixedPoint.multiplyByQuantizedMultiplier(p * q, mul, sh);
                o = Math.max(range[0], Math.min(range[1], o));
                if (y8 != null) {
                    y8[i] = (byte) o;
                } else {
                    y16[i] = (short) o;
                }
            }
        };
    }

    /** Float32 batch normalization over the last axis, folded once into a per-channel scale and shift. */
    static Kernel batchNorm(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.BatchNormalization op = (Op.BatchNormalization) node.op();
        Tensor in = g.tensor(node.input(0));
        if (in.type() != DataType.FLOAT32) {
            throw Quant.unsupported(node, in.type() + " input");
        }
        float[] x = (float[]) arrays[node.input(0)];
        float[] y = (float[]) arrays[node.output(0)];
        float[] scale = FloatConvKernels.floatWeights(g, node, node.input(1), arrays);
        float[] bias = FloatConvKernels.floatWeights(g, node, node.input(2), arrays);
        float[] mean = FloatConvKernels.floatWeights(g, node, node.input(3), arrays);
        float[] var = FloatConvKernels.floatWeights(g, node, node.input(4), arrays);
        int c = in.shape().dim(-1);
        return () -> {
            for (int i = 0; i < x.length; i++) {
                int ch = i % c;
                y[i] = (float) (scale[ch] * (x[i] - (double) mean[ch]) / Math.sqrt(var[ch] + (double) op.epsilon())
                        + bias[ch]);
            }
        };
    }
}
