package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.PadMode;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.quant.FixedPoint;
import io.tinyml.core.quant.Quant;

/**
 * Kernels that move values without arithmetic, for every data type: Reshape (copy), Transpose and
 * Pad (gather maps resolved at preparation), and Concatenation (block copies; integer inputs whose
 * quantization differs from the output's are requantized as TFLite's
 * {@code ConcatenationWithScaling}).
 */
final class LayoutKernels {
    private LayoutKernels() {
    }

    static Kernel reshape(Graph g, Node node, Object[] arrays) {
        Object x = arrays[node.input(0)];
        Object y = arrays[node.output(0)];
        int n = TensorArrays.length(y);
        return () -> System.arraycopy(x, 0, y, 0, n);
    }

    static Kernel transpose(Graph g, Node node, Object[] arrays) {
        Op.Transpose op = (Op.Transpose) node.op();
        int[] in = g.tensor(node.input(0)).shape().toArray();
        int r = in.length;
        int[] inStride = new int[r];
        int s = 1;
        for (int d = r - 1; d >= 0; d--) {
            inStride[d] = s;
            s *= in[d];
        }
        int[] outDims = new int[r];
        int[] srcStride = new int[r];
        for (int d = 0; d < r; d++) {
            outDims[d] = in[op.perm().get(d)];
            srcStride[d] = inStride[op.perm().get(d)];
        }
        int[] map = Broadcast.stridedMap(outDims, srcStride);
        return gather(arrays[node.input(0)], arrays[node.output(0)], map, null);
    }

    /**
     * Cuts a gather map into runs: {@code {start, from, length}} arrays, one entry per maximal run of
     * output positions that copy consecutive input positions ({@code from >= 0}) or all take the fill
     * ({@code from = -1}).
     */
    private static int[][] runs(int[] map) {
        int count = 0;
        for (int i = 0; i < map.length; i++) {
            if (i == 0 || !continues(map, i)) {
                count++;
            }
        }
        int[] start = new int[count], from = new int[count], len = new int[count];
        int r = -1;
        for (int i = 0; i < map.length; i++) {
            if (i == 0 || !continues(map, i)) {
                r++;
                start[r] = i;
                from[r] = Math.max(-1, map[i]);
            }
            len[r]++;
        }
        return new int[][] {start, from, len};
    }

    /** Whether output position {@code i} extends the run of {@code i - 1}. */
    private static boolean continues(int[] map, int i) {
        return map[i] < 0 ? map[i - 1] < 0 : map[i - 1] >= 0 && map[i] == map[i - 1] + 1;
    }

    /**
     * Builds a kernel copying {@code dst[i] = src[map[i]]}, or the fill value where {@code map[i] < 0}.
     * The array type is resolved here, once.
     */
    private static Kernel gather(Object src, Object dst, int[] map, Object fill) {
        if (src instanceof float[] x) {
            float[] y = (float[]) dst;
            float f = fill == null ? 0f : (Float) fill;
            int[][] runs = runs(map);
            if (runs[0].length * 8 <= map.length) {
                // long runs (a constant pad, a reshape-like gather): one copy or fill per run
                int[] start = runs[0], from = runs[1], len = runs[2];
                return () -> {
                    for (int r = 0; r < start.length; r++) {
                        if (from[r] < 0) {
                            java.util.Arrays.fill(y, start[r], start[r] + len[r], f);
                        } else {
                            System.arraycopy(x, from[r], y, start[r], len[r]);
                        }
                    }
                };
            }
            return () -> {
                for (int i = 0; i < map.length; i++) {
                    y[i] = map[i] < 0 ? f : x[map[i]];
                }
            };
        }
        if (src instanceof byte[] x) {
            byte[] y = (byte[]) dst;
            byte f = fill == null ? 0 : ((Number) fill).byteValue();
            return () -> {
                for (int i = 0; i < map.length; i++) {
                    y[i] = map[i] < 0 ? f : x[map[i]];
                }
            };
        }
        if (src instanceof short[] x) {
            short[] y = (short[]) dst;
            short f = fill == null ? 0 : ((Number) fill).shortValue();
            return () -> {
                for (int i = 0; i < map.length; i++) {
                    y[i] = map[i] < 0 ? f : x[map[i]];
                }
            };
        }
        if (src instanceof int[] x) {
            int[] y = (int[]) dst;
            int f = fill == null ? 0 : ((Number) fill).intValue();
            return () -> {
                for (int i = 0; i < map.length; i++) {
                    y[i] = map[i] < 0 ? f : x[map[i]];
                }
            };
        }
        long[] x = (long[]) src;
        long[] y = (long[]) dst;
        long f = fill == null ? 0 : ((Number) fill).longValue();
        return () -> {
            for (int i = 0; i < map.length; i++) {
                y[i] = map[i] < 0 ? f : x[map[i]];
            }
        };
    }

    static Kernel pad(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Pad op = (Op.Pad) node.op();
        Tensor in = g.tensor(node.input(0));
        Tensor out = g.tensor(node.output(0));
        int[] id = in.shape().toArray();
        int[] od = out.shape().toArray();
        int r = od.length;
        if (op.before().size() != r || id.length != r) {
            throw Quant.unsupported(node, "padding of rank " + op.before().size() + " for input rank " + id.length);
        }
        int n = out.shape().elementCount();
        int[] map = new int[n];
        int[] idx = new int[r];
        int[] inStride = new int[r];
        int s = 1;
        for (int d = r - 1; d >= 0; d--) {
            inStride[d] = s;
            s *= id[d];
        }
        for (int i = 0; i < n; i++) {
            int src = 0;
            for (int d = 0; d < r && src >= 0; d++) {
                int k = sourceIndex(idx[d] - op.before().get(d), id[d], op.mode());
                src = k < 0 || k >= id[d] ? -1 : src + k * inStride[d];
            }
            map[i] = src;
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < od[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        Object fill;
        DataType t = out.type();
        if (t == DataType.FLOAT32) {
            fill = op.value();
        } else if (out.quant().isPresent() && Quant.perTensor(out)) {
            fill = Quant.padValue(op.value(), out);
        } else if (t != DataType.FLOAT16) {
            fill = (int) op.value();
        } else {
            throw Quant.unsupported(node, "FLOAT16 input");
        }
        return gather(arrays[node.input(0)], arrays[node.output(0)], map, fill);
    }

    /** The input position that padded position {@code k} of an axis of length {@code len} copies, or k. */
    private static int sourceIndex(int k, int len, PadMode mode) {
        if (k >= 0 && k < len || len == 0) {
            return k;
        }
        return switch (mode) {
            case CONSTANT -> k;
            case EDGE -> Math.max(0, Math.min(len - 1, k));
            case WRAP -> Math.floorMod(k, len);
            case REFLECT -> len == 1 ? 0 : k < 0 ? -k : 2 * (len - 1) - k;
        };
    }

    static Kernel concatenation(Graph g, Node node, Object[] arrays) throws UnsupportedOperatorException {
        Op.Concatenation op = (Op.Concatenation) node.op();
        Tensor out = g.tensor(node.output(0));
        int[] od = out.shape().toArray();
        int axis = op.axis();
        int outerCount = 1;
        for (int d = 0; d < axis; d++) {
            outerCount *= od[d];
        }
        int outer = outerCount;
        int inner = 1;
        for (int d = axis + 1; d < od.length; d++) {
            inner *= od[d];
        }
        int m = node.inputs().size();
        int[] chunk = new int[m];
        int[] offset = new int[m];
        Object[] src = new Object[m];
        float[] scale = new float[m];
        float[] shift = new float[m];
        boolean[] rescale = new boolean[m];
        int total = 0;
        DataType t = out.type();
        boolean quant = t != DataType.FLOAT32 && out.quant().isPresent();
        for (int i = 0; i < m; i++) {
            Tensor in = g.tensor(node.input(i));
            chunk[i] = in.shape().dim(axis) * inner;
            offset[i] = total;
            total += chunk[i];
            src[i] = arrays[node.input(i)];
            if (quant && in.quant().isPresent() && !in.quant().equals(out.quant())) {
                if (t != DataType.INT8 && t != DataType.UINT8 && t != DataType.INT16) {
                    throw Quant.unsupported(node, "requantized " + t + " inputs");
                }
                float inv = 1f / out.requireQuant().scale();
                scale[i] = in.requireQuant().scale() * inv;
                shift[i] = -in.requireQuant().zeroPoint() * scale[i];
                rescale[i] = true;
            }
        }
        int outChunk = total;
        Object y = arrays[node.output(0)];
        int zo = quant ? out.requireQuant().zeroPoint() : 0;
        int lo = Quant.qmin(t);
        int hi = Quant.qmax(t);
        boolean unsigned = t == DataType.UINT8;
        int maxChunk = 0;
        for (int c : chunk) {
            maxChunk = Math.max(maxChunk, c);
        }
        int[] scratch = new int[maxChunk];
        Activation act = op.activation();
        float[] fr = Quant.floatRange(act);
        if (t == DataType.FLOAT32 && act != Activation.NONE) {
            float[] yf = (float[]) y;
            return () -> {
                copyBlocks(src, y, outer, chunk, offset, outChunk);
                for (int i = 0; i < yf.length; i++) {
                    yf[i] = Math.max(fr[0], Math.min(fr[1], yf[i]));
                }
                Quant.applyTanh(act, yf);
            };
        }
        boolean any = false;
        for (boolean b : rescale) {
            any |= b;
        }
        if (!any) {
            return () -> copyBlocks(src, y, outer, chunk, offset, outChunk);
        }
        return () -> {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < m; i++) {
                    int from = o * chunk[i];
                    int to = o * outChunk + offset[i];
                    if (!rescale[i]) {
                        System.arraycopy(src[i], from, y, to, chunk[i]);
                        continue;
                    }
                    IntArrays.widen(src[i], from, chunk[i], unsigned, scratch);
                    for (int j = 0; j < chunk[i]; j++) {
                        int v = (int) FixedPoint.roundHalfAway((double) (scratch[j] * scale[i] + shift[i])) + zo;
                        scratch[j] = Math.max(lo, Math.min(hi, v));
                    }
                    IntArrays.narrow(scratch, chunk[i], y, to);
                }
            }
        };
    }

    private static void copyBlocks(Object[] src, Object y, int outer, int[] chunk, int[] offset, int outChunk) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < src.length; i++) {
                System.arraycopy(src[i], o * chunk[i], y, o * outChunk + offset[i], chunk[i]);
            }
        }
    }
}
