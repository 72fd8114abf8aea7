package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.ConvGeometry;
import io.tinyml.core.quant.PoolParams;
import io.tinyml.core.quant.Quant;

/**
 * Average and max pooling (float32, int8, int16; TFLite reference pooling.h semantics: padded
 * positions are not counted, the integer average rounds half away from zero) and the float32 mean.
 * Float sums are accumulated in double and rounded once.
 */
final class PoolKernels {
    private PoolKernels() {
    }

    static Kernel pool(Graph g, Node node, Object[] arrays, boolean average) throws UnsupportedOperatorException {
        Activation act = node.op().activation();
        DataType type = g.tensor(node.input(0)).type();
        if (type == DataType.FLOAT32) {
            ConvGeometry geo = ConvGeometry.of(g, node);
            float[] x = (float[]) arrays[node.input(0)];
            float[] y = (float[]) arrays[node.output(0)];
            if (!average && VectorSupport.use() && FloatVectorMaxPool.applies(geo)) {
                return FloatVectorMaxPool.kernel(geo, x, y, act);
            }
            float[] r = Quant.floatRange(act);
            double[] acc = new double[geo.inC()];
            return () -> {
                poolFloat(geo, x, y, average, r[0], r[1], acc);
                Quant.applyTanh(act, y);
            };
        }
        if (type == DataType.INT8 || type == DataType.INT16) {
            PoolParams p = PoolParams.of(g, node);
            Object x = arrays[node.input(0)];
            Object y = arrays[node.output(0)];
            if (type == DataType.INT8 && average) {
                int[] sums = new int[p.geometry().inC()];
                boolean vector = VectorSupport.use() && Int8VectorAvgPool.applies(p.geometry().inC());
                return () -> averagePoolInt8(p.geometry(), (byte[]) x, (byte[]) y, sums, p.activationMin(),
                        p.activationMax(), vector);
            }
            return () -> poolInt(p.geometry(), x, y, average, p.activationMin(), p.activationMax());
        }
        throw Quant.unsupported(node, type + " input");
    }

    private static void poolFloat(ConvGeometry geo, float[] x, float[] y, boolean average, float lo, float hi,
                                  double[] acc) {
        if (!average) {
            maxPoolFloat(geo, x, y, lo, hi);
            return;
        }
        // per channel the same double sum in the same window order as one channel at a time, but with
        // the channels innermost: unit-stride reads and independent sums instead of one dependent chain
        int c = geo.inC();
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                int fy0 = Math.max(0, -iy0);
                int fy1 = Math.min(geo.kH(), geo.inH() - iy0);
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    int fx0 = Math.max(0, -ix0);
                    int fx1 = Math.min(geo.kW(), geo.inW() - ix0);
                    int ob = ((b * geo.outH() + oy) * geo.outW() + ox) * c;
                    int count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
                    java.util.Arrays.fill(acc, 0);
                    for (int fy = fy0; fy < fy1; fy++) {
                        for (int fx = fx0; fx < fx1; fx++) {
                            int xi = ((b * geo.inH() + iy0 + fy) * geo.inW() + ix0 + fx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                acc[ch] += x[xi + ch];
                            }
                        }
                    }
                    for (int ch = 0; ch < c; ch++) {
                        double a = count == 0 ? 0f : acc[ch] / count;
                        y[ob + ch] = Math.max(lo, Math.min(hi, (float) a));
                    }
                }
            }
        }
    }

    /**
     * Float max pooling with the channels innermost: each output pixel's channels take the maximum
     * over the window's in-bounds positions together. {@code Math.max} on floats orders and
     * propagates NaN exactly as it does on the same values widened to double.
     */
    private static void maxPoolFloat(ConvGeometry geo, float[] x, float[] y, float lo, float hi) {
        int c = geo.inC();
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                int fy0 = Math.max(0, -iy0);
                int fy1 = Math.min(geo.kH(), geo.inH() - iy0);
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    int fx0 = Math.max(0, -ix0);
                    int fx1 = Math.min(geo.kW(), geo.inW() - ix0);
                    int ob = ((b * geo.outH() + oy) * geo.outW() + ox) * c;
                    java.util.Arrays.fill(y, ob, ob + c, Float.NEGATIVE_INFINITY);
                    for (int fy = fy0; fy < fy1; fy++) {
                        for (int fx = fx0; fx < fx1; fx++) {
                            int xi = ((b * geo.inH() + iy0 + fy) * geo.inW() + ix0 + fx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                y[ob + ch] = Math.max(y[ob + ch], x[xi + ch]);
                            }
                        }
                    }
                    for (int ch = 0; ch < c; ch++) {
                        y[ob + ch] = Math.max(lo, Math.min(hi, y[ob + ch]));
                    }
                }
            }
        }
    }

    /**
     * Int8 average pooling as {@link #poolInt} computes it, with the window's sums of all channels of an
     * output pixel advanced together (unit-stride loops; the integer sums do not depend on the order), by
     * {@link Int8VectorAvgPool} when {@code vector}.
     */
    private static void averagePoolInt8(ConvGeometry geo, byte[] x, byte[] y, int[] sums, int lo, int hi,
                                        boolean vector) {
        int c = geo.inC();
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                int fy0 = Math.max(0, -iy0);
                int fy1 = Math.min(geo.kH(), geo.inH() - iy0);
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    int fx0 = Math.max(0, -ix0);
                    int fx1 = Math.min(geo.kW(), geo.inW() - ix0);
                    int ob = ((b * geo.outH() + oy) * geo.outW() + ox) * c;
                    java.util.Arrays.fill(sums, 0);
                    for (int fy = fy0; fy < fy1; fy++) {
                        for (int fx = fx0; fx < fx1; fx++) {
                            int xi = ((b * geo.inH() + iy0 + fy) * geo.inW() + ix0 + fx) * c;
                            if (vector) {
                                Int8VectorAvgPool.accumulate(x, xi, sums, c);
                                continue;
                            }
                            for (int ch = 0; ch < c; ch++) {
                                sums[ch] += x[xi + ch];
                            }
                        }
                    }
                    int count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
                    for (int ch = 0; ch < c; ch++) {
                        y[ob + ch] = (byte) Math.max(lo, Math.min(hi, roundedAverage(sums[ch], count)));
                    }
                }
            }
        }
    }

    /** TFLite's integer average: the sum divided by the count, rounded half away from zero; 0 for no value. */
    private static int roundedAverage(int sum, int count) {
        if (count == 0) {
            return 0;
        }
        return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }

    private static void poolInt(ConvGeometry geo, Object xa, Object ya, boolean average, int lo, int hi) {
        byte[] x8 = xa instanceof byte[] b ? b : null;
        short[] x16 = xa instanceof short[] s ? s : null;
        byte[] y8 = ya instanceof byte[] b ? b : null;
        short[] y16 = ya instanceof short[] s ? s : null;
        int c = geo.inC();
        for (int b = 0; b < geo.batches(); b++) {
            for (int oy = 0; oy < geo.outH(); oy++) {
                int iy0 = oy * geo.strideH() - geo.padH();
                int fy0 = Math.max(0, -iy0);
                int fy1 = Math.min(geo.kH(), geo.inH() - iy0);
                for (int ox = 0; ox < geo.outW(); ox++) {
                    int ix0 = ox * geo.strideW() - geo.padW();
                    int fx0 = Math.max(0, -ix0);
                    int fx1 = Math.min(geo.kW(), geo.inW() - ix0);
                    int ob = ((b * geo.outH() + oy) * geo.outW() + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        int acc = average ? 0 : Integer.MIN_VALUE;
                        int count = 0;
                        for (int fy = fy0; fy < fy1; fy++) {
                            int row = ((b * geo.inH() + iy0 + fy) * geo.inW() + ix0) * c + ch;
                            for (int fx = fx0; fx < fx1; fx++) {
                                int i = row + fx * c;
                                int v = x8 != null ? x8[i] : x16[i];
                                if (average) {
                                    acc += v;
                                } else {
                                    acc = Math.max(acc, v);
                                }
                                count++;
                            }
                        }
                        if (average) {
                            acc = roundedAverage(acc, count);
                        }
                        int v = Math.max(lo, Math.min(hi, acc));
                        if (y8 != null) {
                            y8[ob + ch] = (byte) v;
                        } else {
                            y16[ob + ch] = (short) v;
                        }
                    }
                }
            }
        }
    }

    /** Float32 mean over axes: sums in double in input order per output element, then divides by the count. */
    static Kernel meanFloat(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Mean op = (Op.Mean) node.op();
        Tensor in = g.tensor(node.input(0));
        if (in.type() != DataType.FLOAT32) {
            throw Quant.unsupported(node, in.type() + " input");
        }
        int[] dims = in.shape().toArray();
        boolean[] reduced = new boolean[dims.length];
        for (int a : op.axes()) {
            reduced[a] = true;
        }
        int n = in.shape().elementCount();
        int[] target = new int[n];
        int outCount = 1;
        int[] outStride = new int[dims.length];
        for (int d = dims.length - 1; d >= 0; d--) {
            outStride[d] = reduced[d] ? 0 : outCount;
            outCount *= reduced[d] ? 1 : dims[d];
        }
        int[] idx = new int[dims.length];
        for (int i = 0; i < n; i++) {
            int t = 0;
            for (int d = 0; d < dims.length; d++) {
                t += idx[d] * outStride[d];
            }
            target[i] = t;
            for (int d = dims.length - 1; d >= 0; d--) {
                if (++idx[d] < dims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        int count = n / Math.max(outCount, 1);
        float[] x = (float[]) arrays[node.input(0)];
        float[] y = (float[]) arrays[node.output(0)];
        double[] sums = new double[outCount];
        return () -> {
            java.util.Arrays.fill(sums, 0);
            for (int i = 0; i < n; i++) {
                sums[target[i]] += x[i];
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (sums[i] / count);
            }
        };
    }
}
