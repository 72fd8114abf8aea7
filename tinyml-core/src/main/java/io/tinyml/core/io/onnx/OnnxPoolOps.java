package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.onnx.OnnxValues.Value;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps the MaxPool and AveragePool nodes that TFLite-style 2-D pooling cannot express (3-D and
 * higher, dilations that are not a subsampling, the Indices output) to the IR's N-d {@link Op.Pool}
 * on a channels-last view of the input. Not thread-safe.
 */
final class OnnxPoolOps extends OnnxNodeContext {
    OnnxPoolOps(Shared shared) {
        super(shared);
    }

    /**
     * Emits the pooling of {@code x} ([N, C, D1..Dk]) with explicit pads {b1..bk, e1..ek}.
     */
    void pool(Value x, boolean max, int[] k, int[] s, int[] d, int[] pads, boolean indices)
            throws MalformedModelException, UnsupportedOperatorException {
        if (x.type != DataType.FLOAT32) {
            throw unsupported("FLOAT data for " + k.length + "-D, dilated or index-returning pooling, found " + x.type);
        }
        long order = attrI("storage_order", 0);
        if (order != 0 && order != 1) {
            throw malformed("storage_order 0 (row-major) or 1 (column-major)", "" + order);
        }
        boolean ceil = attrI("ceil_mode", 0) != 0;
        boolean countPadding = !max && attrI("count_include_pad", 0) != 0;
        int sp = k.length;
        int r = x.rank();
        int[] out = new int[sp];
        for (int a = 0; a < sp; a++) {
            int in = x.shape[2 + a];
            long span = (long) in + pads[a] + pads[a + sp] - ((long) (k[a] - 1) * d[a] + 1);
            if (span < 0) {
                throw malformed("a pooling window within the padded input", "kernel " + Arrays.toString(k)
                        + ", dilations " + Arrays.toString(d) + " over " + Arrays.toString(x.shape));
            }
            long o = (ceil ? (span + s[a] - 1) / s[a] : span / s[a]) + 1;
            if (ceil && (o - 1) * s[a] >= in + pads[a]) {
                o--; // the last window may not start in the trailing padding
            }
            if (o > Integer.MAX_VALUE) {
                throw malformed("an output size below 2^31", "" + o);
            }
            out[a] = (int) o;
        }
        int[] ys = new int[r];
        ys[0] = x.shape[0];
        ys[1] = x.shape[1];
        System.arraycopy(out, 0, ys, 2, sp);
        List<Integer> toLast = new ArrayList<>();
        List<Integer> toFirst = new ArrayList<>(List.of(0, r - 1));
        toLast.add(0);
        for (int a = 0; a < sp; a++) {
            toLast.add(a + 2);
            toFirst.add(a + 1);
        }
        toLast.add(1);
        Op.Pool op = new Op.Pool(max, boxed(k), boxed(s), boxed(d), boxed(Arrays.copyOfRange(pads, 0, sp)),
                boxed(Arrays.copyOfRange(pads, sp, 2 * sp)), countPadding, order == 1);
        String name = node().name();
        if (r == 4) {
            Value y = outNhwc(0, x.type, ys, null);
            List<Integer> outs = new ArrayList<>(List.of(y.nhwc));
            if (indices) {
                outs.add(outNhwc(1, DataType.INT64, ys, null).nhwc);
            }
            vs.node(name, op, List.of(vs.nhwc(x)), outs);
            return;
        }
        int xl = transposeNode(x.name + "_channels_last", vs.plain(x), toLast, x.type);
        int[] last = new int[r];
        for (int i = 0; i < r; i++) {
            last[i] = ys[toLast.get(i)];
        }
        String base = outName(0);
        int yl = vs.activation(base + "_channels_last", x.type, last, null);
        List<Integer> outs = new ArrayList<>(List.of(yl));
        int il = -1;
        if (indices) {
            il = vs.activation(outName(1) + "_channels_last", DataType.INT64, last, null);
            outs.add(il);
        }
        vs.node(name, op, List.of(xl), outs);
        Value y = outPlain(0, x.type, ys, null);
        vs.node(base + "_channels_first", new Op.Transpose(toFirst), List.of(yl), List.of(y.plain));
        if (indices) {
            Value iy = outPlain(1, DataType.INT64, ys, null);
            vs.node(outName(1) + "_channels_first", new Op.Transpose(toFirst), List.of(il), List.of(iy.plain));
        }
    }

    private static List<Integer> boxed(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}
