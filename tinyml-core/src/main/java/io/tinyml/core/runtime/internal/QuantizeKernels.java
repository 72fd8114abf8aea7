package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;
import io.tinyml.core.quant.RequantizeParams;

/**
 * Quantize (float32 → integer, TFLite's {@code AffineQuantize}: float division, rounding half away
 * from zero, clamp), requantize (integer → integer, TFLite's {@code Requantize} with multiplier
 * {@code s_in / s_out}) and dequantize (integer or float16 → float32, {@code (float)(scale * (q - zp))}
 * in double). A dequantize of a constant is computed once at preparation.
 */
final class QuantizeKernels {
    private QuantizeKernels() {
    }

    static Kernel quantize(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        Op.Quantize op = (Op.Quantize) node.op();
        if (out.quant().isPresent() && !out.requireQuant().isPerTensor() && isInt(out.type())
                && in.type() == DataType.FLOAT32) {
            return quantizePerAxis(out, op, (float[]) arrays[node.input(0)], arrays[node.output(0)]);
        }
        if (!Quant.perTensor(out) || !isInt(out.type())) {
            throw Quant.unsupported(node, "output " + out.type() + " " + out.quant().map(Object::toString).orElse(""));
        }
        int lo = Math.max(Quant.qmin(out.type()), op.min());
        int hi = Math.min(Quant.qmax(out.type()), op.max());
        float so = out.requireQuant().scale();
        int zo = out.requireQuant().zeroPoint();
        Object y = arrays[node.output(0)];
        int n = out.shape().elementCount();
        int[] scratch = new int[n];
        if (in.type() == DataType.FLOAT32) {
            float[] x = (float[]) arrays[node.input(0)];
            return () -> {
                for (int i = 0; i < n; i++) {
                    scratch[i] = Quant.quantize(x[i], so, zo, lo, hi);
                }
                IntArrays.narrow(scratch, n, y, 0);
            };
        }
        if (isInt(in.type()) && Quant.perTensor(in)) {
            RequantizeParams p = RequantizeParams.of(g, node);
            int mult = p.multiplier();
            int shift = p.shift();
            int zi = p.inputZeroPoint();
            Object x = arrays[node.input(0)];
            boolean unsigned = in.type() == DataType.UINT8;
            return () -> {
                IntArrays.widen(x, 0, n, unsigned, scratch);
                for (int i = 0; i < n; i++) {
                    int v = FixedPoint.multiplyByQuantizedMultiplier(scratch[i] - zi, mult, shift) + zo;
                    scratch[i] = Math.max(lo, Math.min(hi, v));
                }
                IntArrays.narrow(scratch, n, y, 0);
            };
        }
        throw Quant.unsupported(node, in.type() + " input");
    }

    static Kernel dequantize(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        if (out.type() != DataType.FLOAT32) {
            throw Quant.unsupported(node, out.type() + " output");
        }
        float[] y = (float[]) arrays[node.output(0)];
        if (in.isConstant()) {
            float[] v = Quant.dequantizeConstant(in);
            System.arraycopy(v, 0, y, 0, v.length);
            return () -> { };
        }
        Object x = arrays[node.input(0)];
        if (in.type() == DataType.FLOAT16) {
            short[] h = (short[]) x;
            return () -> {
                for (int i = 0; i < h.length; i++) {
                    y[i] = Half.toFloat(h[i]);
                }
            };
        }
        if (isInt(in.type()) && in.quant().isPresent()) {
            QuantParams q = in.requireQuant();
            if (!q.isPerTensor()) {
                int[] inner = axisStrides(in.shape().toArray(), q.axis());
                boolean unsignedIn = in.type() == DataType.UINT8;
                int[] buf = new int[y.length];
                return () -> {
                    IntArrays.widen(x, 0, y.length, unsignedIn, buf);
                    for (int i = 0; i < y.length; i++) {
                        int c = (i / inner[0]) % inner[1];
                        y[i] = (float) ((double) q.scale(c) * (buf[i] - q.zeroPoint(c)));
                    }
                };
            }
            double scale = q.scale();
            int zp = q.zeroPoint();
            boolean unsigned = in.type() == DataType.UINT8;
            int[] scratch = new int[y.length];
            return () -> {
                IntArrays.widen(x, 0, y.length, unsigned, scratch);
                for (int i = 0; i < y.length; i++) {
                    y[i] = (float) (scale * (scratch[i] - zp));
                }
            };
        }
        throw Quant.unsupported(node, in.type() + " input");
    }

    /** {inner element count of the axis, its size}: element i is in channel (i / inner) % size. */
    private static int[] axisStrides(int[] dims, int axis) {
        int inner = 1;
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        return new int[] {inner, dims[axis]};
    }

    /** float32 to integer with per-axis scales and zero points (ONNX QuantizeLinear with an axis). */
    private static Kernel quantizePerAxis(Tensor out, Op.Quantize op, float[] x, Object y) {
        QuantParams q = out.requireQuant();
        int[] inner = axisStrides(out.shape().toArray(), q.axis());
        int lo = Math.max(Quant.qmin(out.type()), op.min());
        int hi = Math.min(Quant.qmax(out.type()), op.max());
        int[] scratch = new int[x.length];
        return () -> {
            for (int i = 0; i < x.length; i++) {
                int c = (i / inner[0]) % inner[1];
                scratch[i] = Quant.quantize(x[i], q.scale(c), (int) q.zeroPoint(c), lo, hi);
            }
            IntArrays.narrow(scratch, x.length, y, 0);
        };
    }

    private static boolean isInt(DataType t) {
        return t == DataType.INT8 || t == DataType.UINT8 || t == DataType.INT16 || t == DataType.INT32;
    }
}
