package io.tinyml.prune.internal;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Removes channels from a graph given the channels each group keeps: shrinks the member
 * activation tensors, slices producer weights and biases (axis 0), depthwise weights and biases,
 * batch-normalization parameters and per-channel constants of element-wise ops, and the input axis
 * of consuming convolutions and fully-connected layers (in NHWC flatten order after a flatten).
 * Tensor and node indices are preserved.
 */
public final class ChannelSurgery {
    private ChannelSurgery() {
    }

    /**
     * Builds the pruned graph.
     *
     * @param groups the analysis of the source graph
     * @param keep sorted kept channel indices by group id; groups absent keep all
     * @return the new graph (validated by {@link GraphBuilder#build()})
     */
    public static Graph apply(ChannelGroups groups, Map<Integer, int[]> keep) {
        Graph g = groups.graph();
        GraphBuilder b = GraphBuilder.from(g);
        for (int t = 0; t < g.tensors().size(); t++) {
            int[] k = keepOf(groups, keep, t);
            if (k == null) {
                continue;
            }
            Tensor tensor = g.tensor(t);
            int c = groups.groupOf(t).channels();
            int[] dims = tensor.shape().toArray();
            int ax = groups.axisOf(t);
            if (ax == ChannelGroups.FLAT) {
                dims[dims.length - 1] = dims[dims.length - 1] / c * k.length;
            } else {
                dims[ax] = k.length;
            }
            b.setTensor(t, tensor.withShape(Shape.of(dims)));
        }
        for (Node n : g.nodes()) {
            int[] out = keepOf(groups, keep, n.output(0));
            int[] in = n.inputs().isEmpty() || n.input(0) == Node.ABSENT ? null : keepOf(groups, keep, n.input(0));
            OpKind kind = n.op().kind();
            Runnable arm = switch (kind) {
                case CONV_2D, FULLY_CONNECTED -> () -> {
                    if (out != null) {
                        slice(b, n.input(1), 0, out);
                        slice(b, n.input(2), 0, out);
                    }
                    if (in != null) {
                        Tensor w = b.tensor(n.input(1));
                        int last = w.shape().rank() - 1;
                        int c = groups.groupOf(n.input(0)).channels();
                        boolean[] kept = mask(c, in);
                        b.setTensor(n.input(1), sliced(w, last, i -> kept[i % c]));
                    }
                };
                case DEPTHWISE_CONV_2D -> () -> {
                    if (out != null) {
                        slice(b, n.input(1), 3, out);
                        slice(b, n.input(2), 0, out);
                    }
                };
                case BATCH_NORMALIZATION -> () -> {
                    if (out != null) {
                        for (int i = 1; i < n.inputs().size(); i++) {
                            slice(b, n.input(i), 0, out);
                        }
                    }
                };
                case ADD, SUB, MUL -> () -> {
                    if (out != null) {
                        for (int t : n.inputs()) {
                            if (g.tensor(t).isConstant() && g.tensor(t).shape().elementCount() > 1) {
                                slice(b, t, g.tensor(t).shape().rank() - 1, out);
                            }
                        }
                    }
                };
                // no weights or per-channel parameters to slice
                case AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE, CONCATENATION, PAD, SOFTMAX, RELU, RELU6, CLIP,
                        LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE, DEQUANTIZE, TRANSPOSE, LOG_SOFTMAX, POOL ->
                        () -> { };
            };
            arm.run();
        }
        return b.build();
    }

    private static int[] keepOf(ChannelGroups groups, Map<Integer, int[]> keep, int tensor) {
        ChannelGroups.Group grp = groups.groupOf(tensor);
        return grp == null ? null : keep.get(grp.id());
    }

    private static boolean[] mask(int c, int[] keep) {
        boolean[] m = new boolean[c];
        for (int k : keep) {
            m[k] = true;
        }
        return m;
    }

    private static void slice(GraphBuilder b, int t, int axis, int[] keep) {
        if (t == Node.ABSENT) {
            return;
        }
        Tensor w = b.tensor(t);
        boolean[] m = mask(w.shape().dim(axis), keep);
        b.setTensor(t, sliced(w, axis, i -> m[i]));
    }

    /**
     * Keeps the indices of one axis of a float constant that a predicate accepts.
     *
     * @param w the constant
     * @param axis the axis
     * @param keep accepts kept indices along the axis
     * @return the smaller constant
     */
    static Tensor sliced(Tensor w, int axis, IntPredicate keep) {
        int[] dims = w.shape().toArray();
        float[] v = w.floats();
        int inner = 1;
        for (int a = axis + 1; a < dims.length; a++) {
            inner *= dims[a];
        }
        int n = dims[axis];
        int outer = v.length / (inner * n);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            kept += keep.test(i) ? 1 : 0;
        }
        float[] r = new float[outer * kept * inner];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                if (keep.test(i)) {
                    System.arraycopy(v, (o * n + i) * inner, r, pos, inner);
                    pos += inner;
                }
            }
        }
        dims[axis] = kept;
        return Tensor.ofFloats(w.name(), Shape.of(dims), r);
    }

    /**
     * Returns a copy of a sorted keep list, for messages.
     *
     * @param keep the list
     * @return its text
     */
    static String describe(int[] keep) {
        return Arrays.toString(keep);
    }
}
