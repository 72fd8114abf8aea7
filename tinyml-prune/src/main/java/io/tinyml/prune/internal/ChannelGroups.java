package io.tinyml.prune.internal;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Channel dependency groups of a float graph: activation tensors whose channels must be removed
 * together. A convolution or fully-connected layer starts a new channel space at its output;
 * depthwise convolutions (multiplier 1), element-wise ops, pooling, padding off the channel axis,
 * batch normalization, means over spatial axes and residual ADD/SUB/MUL tie their inputs and outputs
 * to one space; a reshape of an NHWC tensor to {@code [1, H*W*C]} carries the channels in NHWC
 * flatten order (element {@code i} belongs to channel {@code i % C}). A group touching a graph input
 * or output, a concatenation or any op not understood here is fixed (never pruned).
 */
public final class ChannelGroups {
    /** Marks a flattened tensor whose element {@code i} belongs to channel {@code i % C}. */
    public static final int FLAT = -2;

    private final Graph graph;
    private final int[] parent;
    private final int[] axis;
    private final boolean[] fixed;
    private final Map<Integer, Group> groups = new LinkedHashMap<>();

    /**
     * One channel group.
     *
     * @param id the group id (a member tensor index)
     * @param channels the channel count
     * @param members member tensors in ascending index order
     * @param sources conv/FC nodes producing the channels (weights axis 0)
     * @param consumers conv/FC nodes reading the channels as input (weights input axis)
     * @param fixed whether the group must keep all its channels
     */
    public record Group(int id, int channels, List<Integer> members, List<Integer> sources, List<Integer> consumers,
                        boolean fixed) {
        /** @return whether the group can be pruned */
        public boolean prunable() {
            return !fixed && !sources.isEmpty() && channels > 1;
        }
    }

    /**
     * Analyses a graph.
     *
     * @param graph a float graph
     */
    public ChannelGroups(Graph graph) {
        this.graph = graph;
        int nt = graph.tensors().size();
        parent = new int[nt];
        axis = new int[nt];
        fixed = new boolean[nt];
        for (int i = 0; i < nt; i++) {
            parent[i] = i;
            axis[i] = -1;
        }
        for (int i : graph.inputs()) {
            fixed[i] = true;
            axis[i] = rank(i) - 1;
        }
        for (Node n : graph.nodes()) {
            visit(n);
        }
        for (int o : graph.outputs()) {
            fixed[o] = true;
        }
        collect();
    }

    private int rank(int t) {
        return graph.tensor(t).shape().rank();
    }

    private int find(int t) {
        while (parent[t] != t) {
            parent[t] = parent[parent[t]];
            t = parent[t];
        }
        return t;
    }

    private void union(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
            fixed[Math.min(ra, rb)] |= fixed[Math.max(ra, rb)];
        }
    }

    private void fix(int t) {
        if (t != Node.ABSENT) {
            fixed[t] = true;
            if (axis[t] == -1) {
                axis[t] = Math.max(0, rank(t) - 1);
            }
        }
    }

    private void fixAll(Node n) {
        n.inputs().forEach(t -> {
            if (t != Node.ABSENT && !graph.tensor(t).isConstant()) {
                fix(t);
            }
        });
        n.outputs().forEach(this::fix);
    }

    /** Ties the output to the input at the given axis. */
    private void passThrough(int in, int out, int outAxis) {
        axis[out] = outAxis;
        union(in, out);
    }

    private void visit(Node n) {
        Op op = n.op();
        int x = n.input(0);
        int out = n.output(0);
        if (n.outputs().size() != 1 || x == Node.ABSENT || graph.tensor(x).isConstant()) {
            fixAll(n);
            return;
        }
        int ax = axis[x];
        Runnable arm = switch (op.kind()) {
            case CONV_2D -> () -> {
                axis[out] = 3;
                Shape w = graph.tensor(n.input(1)).shape();
                if (ax != rank(x) - 1 || w.dim(3) != graph.tensor(x).shape().dim(3)) {
                    fix(x);
                }
            };
            case FULLY_CONNECTED -> () -> {
                axis[out] = rank(out) - 1;
                if (ax != FLAT && ax != rank(x) - 1) {
                    fix(x);
                }
            };
            case DEPTHWISE_CONV_2D -> () -> {
                if (((Op.DepthwiseConv2D) op).depthMultiplier() != 1 || ax != 3) {
                    fixAll(n);
                } else {
                    passThrough(x, out, 3);
                }
            };
            case RELU, RELU6, CLIP, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, MAX_POOL_2D, AVERAGE_POOL_2D,
                    BATCH_NORMALIZATION -> () -> {
                if (ax == FLAT && op.kind() != OpKind.BATCH_NORMALIZATION || ax >= 0) {
                    passThrough(x, out, ax);
                } else {
                    fixAll(n);
                }
            };
            case PAD -> () -> {
                Op.Pad p = (Op.Pad) op;
                if (ax >= 0 && p.before().get(ax) == 0 && p.after().get(ax) == 0) {
                    passThrough(x, out, ax);
                } else {
                    fixAll(n);
                }
            };
            case MEAN -> () -> {
                Op.Mean m = (Op.Mean) op;
                if (ax < 0 || m.axes().contains(ax) || m.axes().contains(ax - rank(x))) {
                    fixAll(n);
                } else {
                    int removedBefore = 0;
                    for (int a : m.axes()) {
                        int norm = a < 0 ? a + rank(x) : a;
                        removedBefore += norm < ax ? 1 : 0;
                    }
                    passThrough(x, out, m.keepDims() ? ax : ax - removedBefore);
                }
            };
            case RESHAPE -> () -> {
                Shape in = graph.tensor(x).shape();
                Shape os = graph.tensor(out).shape();
                boolean flatOut = os.rank() == 2 && os.dim(0) == in.dim(0);
                if ((ax == in.rank() - 1 || ax == FLAT) && flatOut) {
                    passThrough(x, out, ax == FLAT || in.elementCount() != in.dim(0) * in.dim(ax)
                            ? FLAT : 1);
                } else {
                    fixAll(n);
                }
            };
            case ADD, SUB, MUL -> () -> visitBinary(n);
            case CONCATENATION, SOFTMAX, QUANTIZE, DEQUANTIZE, TRANSPOSE, LOG_SOFTMAX, POOL -> () -> fixAll(n);
        };
        arm.run();
    }

    private void visitBinary(Node n) {
        int out = n.output(0);
        Shape os = graph.tensor(out).shape();
        axis[out] = os.rank() - 1;
        for (int t : n.inputs()) {
            Tensor in = graph.tensor(t);
            if (in.isConstant()) {
                int c = os.dim(os.rank() - 1);
                int last = in.shape().rank() == 0 ? 1 : in.shape().dim(in.shape().rank() - 1);
                if (in.shape().elementCount() != 1 && (last != c || in.shape().elementCount() != c)) {
                    fix(out);
                }
            } else if (in.shape().equals(os) && axis[t] == os.rank() - 1) {
                union(t, out);
            } else {
                fix(t);
                fix(out);
            }
        }
    }

    private void collect() {
        Map<Integer, List<Integer>> members = new LinkedHashMap<>();
        for (int t = 0; t < parent.length; t++) {
            if (axis[t] != -1 && !graph.tensor(t).isConstant()) {
                members.computeIfAbsent(find(t), k -> new ArrayList<>()).add(t);
            }
        }
        for (Map.Entry<Integer, List<Integer>> e : members.entrySet()) {
            int root = e.getKey();
            int channels = -1;
            boolean fx = false;
            List<Integer> sources = new ArrayList<>();
            List<Integer> consumers = new ArrayList<>();
            for (int t : e.getValue()) {
                fx |= fixed[t];
                if (axis[t] >= 0) {
                    channels = graph.tensor(t).shape().dim(axis[t]);
                }
                int p = graph.producer(t);
                if (p >= 0 && isWeighted(graph.node(p).op().kind())
                        && graph.node(p).op().kind() != OpKind.DEPTHWISE_CONV_2D) {
                    sources.add(p);
                }
                for (int c : graph.consumers(t)) {
                    OpKind k = graph.node(c).op().kind();
                    if ((k == OpKind.CONV_2D || k == OpKind.FULLY_CONNECTED) && graph.node(c).input(0) == t) {
                        consumers.add(c);
                    }
                }
            }
            fx |= channels <= 0;
            groups.put(root, new Group(root, channels, List.copyOf(e.getValue()), List.copyOf(sources),
                    List.copyOf(consumers), fx));
        }
    }

    private static boolean isWeighted(OpKind k) {
        return k == OpKind.CONV_2D || k == OpKind.FULLY_CONNECTED || k == OpKind.DEPTHWISE_CONV_2D;
    }

    /** @return all groups, in order of their first member tensor */
    public List<Group> groups() {
        return List.copyOf(groups.values());
    }

    /**
     * Returns the group of a tensor.
     *
     * @param tensor the tensor index
     * @return the group, or null for constants and tensors outside any group
     */
    public Group groupOf(int tensor) {
        return axis[tensor] == -1 ? null : groups.get(find(tensor));
    }

    /**
     * Returns the channel axis of a member tensor.
     *
     * @param tensor the tensor index
     * @return the axis, or {@link #FLAT}
     */
    public int axisOf(int tensor) {
        return axis[tensor];
    }

    /** @return the analysed graph */
    public Graph graph() {
        return graph;
    }
}
