package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ElementwiseParams;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;

/**
 * Binary element-wise kernels (Add, Sub, Mul) with numpy broadcasting, in float32 and integer
 * form, and float32 batch normalization. Integer Add/Sub follow TFLite's reference add.h/sub.h and
 * Mul integer_ops/mul.h, over the parameters {@link ElementwiseParams} prepares (the C generator
 * emits the same ones).
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
        return quantBinary(g, node, arrays, ma, mb, ElementwiseParams.of(g, node));
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

    /** Integer ADD, SUB or MUL over the prepared parameters, on int8 or int16 arrays. */
    private static Kernel quantBinary(Graph g, Node node, Object[] arrays, int[] ma, int[] mb, ElementwiseParams p) {
        boolean int8 = g.tensor(node.input(0)).type() == DataType.INT8;
        int off1 = p.input1Offset();
        int off2 = p.input2Offset();
        int offO = p.outputOffset();
        int[] range = {p.activationMin(), p.activationMax()};
        byte[] x8 = int8 ? (byte[]) arrays[node.input(0)] : null;
        byte[] z8 = int8 ? (byte[]) arrays[node.input(1)] : null;
        byte[] y8 = int8 ? (byte[]) arrays[node.output(0)] : null;
        short[] x16 = int8 ? null : (short[]) arrays[node.input(0)];
        short[] z16 = int8 ? null : (short[]) arrays[node.input(1)];
        short[] y16 = int8 ? null : (short[]) arrays[node.output(0)];
        int n = g.tensor(node.output(0)).shape().elementCount();
        if (p.kind() == OpKind.MUL) {
            int mul = p.outputMultiplier(), sh = p.outputShift();
            return () -> {
                for (int i = 0; i < n; i++) {
                    int u = get(x8, x16, ma == null ? i : ma[i]) + off1;
                    int v = get(z8, z16, mb == null ? i : mb[i]) + off2;
                    int o = offO + FixedPoint.multiplyByQuantizedMultiplier(u * v, mul, sh);
                    o = Math.max(range[0], Math.min(range[1], o));
                    if (y8 != null) {
                        y8[i] = (byte) o;
                    } else {
                        y16[i] = (short) o;
                    }
                }
            };
        }
        boolean sub = p.kind() == OpKind.SUB;
        int leftShift = p.leftShift();
        int mul1 = p.input1Multiplier(), sh1 = p.input1Shift();
        int mul2 = p.input2Multiplier(), sh2 = p.input2Shift();
        int mulO = p.outputMultiplier(), shO = p.outputShift();
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
