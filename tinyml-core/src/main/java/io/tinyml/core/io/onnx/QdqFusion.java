package io.tinyml.core.io.onnx;

import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns the QDQ form of an int8 model back into int8 operators, as TFLite's converter does with a
 * quantization-aware graph. The pattern, written by our ONNX writer and by ONNX Runtime's QDQ
 * quantizer alike: every float input of an operator is a {@code DequantizeLinear} of an INT8
 * activation (per tensor) or of an INT8 weight / INT32 bias constant, and its float output, after an
 * optional Relu/Clip and, for a MatMul/Gemm without bias, an Add of a dequantized INT32 bias, goes
 * only into one {@code QuantizeLinear} to INT8. Such a group becomes one int8 operator reading the
 * integer tensors with their parameters, the activation fused; dequantizations nobody reads any
 * more disappear. Operators that only move data (reshape, transpose, padding, max pooling,
 * concatenation) and average pooling are fused only when input and output share their parameters,
 * as TFLite's int8 kernels require. A transpose that only moves axes of size 1 becomes a reshape,
 * and consecutive reshapes become one. Anything that does not match stays as it was (float compute
 * between QUANTIZE and DEQUANTIZE), so the result is never wrong, only less fused; and when the
 * fused graph has a group no int8 kernel of the interpreter takes while the graph as read runs, the
 * graph as read is kept. Stateless.
 */
final class QdqFusion {
    /**
     * How fusion treats an operator kind, decided in one exhaustive switch ({@link #role}).
     *
     * @param compute a group "dequantize inputs, this operator, quantize output" may fuse into it
     * @param sameParams fused only when input and output share their quantization parameters
     * @param weighted input 1 is a weight and input 2 a bias
     * @param layout it only reorders or reshapes (chains of them fuse)
     * @param carriesActivation it has a fused activation a following clamp folds into
     */
    private record Role(boolean compute, boolean sameParams, boolean weighted, boolean layout,
                        boolean carriesActivation) {
    }

    private static Role role(OpKind k) {
        return switch (k) {
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED -> new Role(true, false, true, false, true);
            case ADD, SUB, MUL -> new Role(true, false, false, false, true);
            case AVERAGE_POOL_2D, MAX_POOL_2D, CONCATENATION -> new Role(true, true, false, false, true);
            case PAD -> new Role(true, true, false, false, false);
            case RESHAPE, TRANSPOSE -> new Role(true, true, false, true, false);
            case MEAN, SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU, RELU6, CLIP ->
                    new Role(true, false, false, false, false);
            // no int8 kernel takes a fused group of these: they stay float between QUANTIZE and DEQUANTIZE
            case QUANTIZE, DEQUANTIZE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL ->
                    new Role(false, false, false, false, false);
        };
    }

    private QdqFusion() {
    }

    /**
     * Fuses the QDQ groups of a graph.
     *
     * @param g the graph as read
     * @return the graph with int8 operators, or {@code g} itself when nothing matched
     */
    static Graph apply(Graph g) {
        int count = g.nodes().size();
        Node[] replaced = new Node[count];
        boolean[] removed = new boolean[count];
        boolean changed = false;
        GraphBuilder b = GraphBuilder.from(g);
        for (int i = 0; i < count; i++) {
            if (!removed[i] && replaced[i] == null
                    && (fuseLayoutChain(g, b, i, replaced, removed) || fuse(g, i, replaced, removed))) {
                changed = true;
            }
        }
        if (!changed) {
            return g;
        }
        List<Node> nodes = b.nodes();
        nodes.clear();
        for (int i = 0; i < count; i++) {
            if (!removed[i]) {
                nodes.add(replaced[i] != null ? replaced[i] : g.node(i));
            }
        }
        dropUnread(nodes, b.outputs());
        simplifyLayout(b);
        Graph fused = b.build();
        // a group whose parameters no int8 kernel takes (say a softmax output scale other than 1/256)
        // would make a runnable float graph unrunnable: keep the graph as read then
        if (!runnable(fused) && runnable(g)) {
            return g;
        }
        return fused;
    }

    private static boolean runnable(Graph g) {
        try {
            io.tinyml.core.runtime.Interpreter.create(io.tinyml.core.ir.Model.of(g,
                    io.tinyml.core.ir.Provenance.builtInCode("qdq-fusion check")));
            return true;
        } catch (io.tinyml.core.UnsupportedOperatorException | RuntimeException e) {
            return false;
        }
    }

    /** Tries to fuse the group around compute node {@code i}. */
    private static boolean fuse(Graph g, int i, Node[] replaced, boolean[] removed) {
        Node n = g.node(i);
        OpKind k = n.op().kind();
        if (!role(k).compute() || n.outputs().size() != 1 || g.tensor(n.output(0)).type() != DataType.FLOAT32) {
            return false;
        }
        List<Integer> ins = new ArrayList<>();
        for (int pos = 0; pos < n.inputs().size(); pos++) {
            int t = n.input(pos);
            if (t == Node.ABSENT) {
                ins.add(t);
                continue;
            }
            int q = integerSource(g, t);
            if (q < 0) {
                return false;
            }
            Tensor qt = g.tensor(q);
            boolean weight = role(k).weighted() && pos == 1;
            boolean bias = role(k).weighted() && pos == 2;
            if (bias ? qt.type() != DataType.INT32 || !qt.isConstant()
                    : qt.type() != DataType.INT8 || (!weight && !perTensor(qt)) || (weight && !qt.isConstant())) {
                return false;
            }
            ins.add(q);
        }
        List<Integer> group = new ArrayList<>(List.of(i));
        int y = n.output(0);
        Activation act = Activation.NONE;
        int next = soleConsumer(g, y);
        boolean noBias = ins.size() < 3 || ins.get(2) == Node.ABSENT;
        if (k == OpKind.FULLY_CONNECTED && noBias && next >= 0 && g.node(next).op().kind() == OpKind.ADD) {
            Node add = g.node(next);
            int other = add.input(0) == y ? add.input(1) : add.input(0);
            int q = integerSource(g, other);
            int units = g.tensor(n.input(1)).shape().dim(0);
            if (q >= 0 && g.tensor(q).type() == DataType.INT32 && g.tensor(q).isConstant()
                    && g.tensor(q).shape().elementCount() == units) {
                while (ins.size() < 3) {
                    ins.add(Node.ABSENT);
                }
                ins.set(2, q);
                group.add(next);
                y = add.output(0);
                next = soleConsumer(g, y);
            }
        }
        if (next >= 0 && n.op().activation() == Activation.NONE && canCarryActivation(k)) {
            Activation a = activationOf(g.node(next).op());
            if (a != null) {
                act = a;
                group.add(next);
                y = g.node(next).output(0);
                next = soleConsumer(g, y);
            }
        }
        if (next < 0 || g.node(next).op().kind() != OpKind.QUANTIZE) {
            return false;
        }
        int out = g.node(next).output(0);
        Tensor ot = g.tensor(out);
        if (ot.type() != DataType.INT8 || !perTensor(ot)) {
            return false;
        }
        if (role(k).sameParams()) {
            for (int t : ins) {
                if (t != Node.ABSENT && !Objects.equals(g.tensor(t).quant(), ot.quant())) {
                    return false;
                }
            }
        }
        group.add(next);
        Op op = act == Activation.NONE ? n.op() : n.op().withActivation(act);
        for (int m : group) {
            removed[m] = true;
        }
        removed[i] = false;
        replaced[i] = new Node(n.name(), op, ins, List.of(out));
        return true;
    }

    /**
     * A chain of float reshapes and transposes from one dequantized INT8 tensor to one QuantizeLinear
     * with the same parameters (a flatten written from NCHW): the same chain on the INT8 tensor.
     */
    private static boolean fuseLayoutChain(Graph g, GraphBuilder b, int i, Node[] replaced, boolean[] removed) {
        Node first = g.node(i);
        if (!isLayout(first.op().kind()) || first.inputs().size() != 1) {
            return false;
        }
        int x = integerSource(g, first.input(0));
        if (x < 0 || g.tensor(x).type() != DataType.INT8 || !perTensor(g.tensor(x))) {
            return false;
        }
        List<Integer> chain = new ArrayList<>(List.of(i));
        int next = soleConsumer(g, first.output(0));
        while (next >= 0 && isLayout(g.node(next).op().kind()) && g.node(next).inputs().size() == 1) {
            chain.add(next);
            next = soleConsumer(g, g.node(next).output(0));
        }
        if (chain.size() < 2 || next < 0 || g.node(next).op().kind() != OpKind.QUANTIZE) {
            return false; // a single layout node is handled by fuse()
        }
        int out = g.node(next).output(0);
        if (!Objects.equals(g.tensor(out).quant(), g.tensor(x).quant()) || g.tensor(out).type() != DataType.INT8) {
            return false;
        }
        int in = x;
        for (int c = 0; c < chain.size(); c++) {
            Node n = g.node(chain.get(c));
            int o = out;
            if (c < chain.size() - 1) {
                Tensor f = g.tensor(n.output(0));
                o = b.addTensor(Tensor.activation(f.name() + "_int8", DataType.INT8, f.shape())
                        .withQuant(g.tensor(x).requireQuant()));
            }
            replaced[chain.get(c)] = new Node(n.name(), n.op(), List.of(in), List.of(o));
            in = o;
        }
        removed[next] = true;
        return true;
    }

    private static boolean isLayout(OpKind k) {
        return role(k).layout();
    }

    private static boolean canCarryActivation(OpKind k) {
        return role(k).carriesActivation();
    }

    private static Activation activationOf(Op op) {
        return switch (op.kind()) {
            case RELU -> Activation.RELU;
            case RELU6 -> Activation.RELU6;
            case CLIP -> {
                Op.Clip c = (Op.Clip) op;
                if (c.min() == 0f && c.max() == 6f) {
                    yield Activation.RELU6;
                }
                if (c.min() == 0f && c.max() == Float.POSITIVE_INFINITY) {
                    yield Activation.RELU;
                }
                yield c.min() == -1f && c.max() == 1f ? Activation.RELU_N1_TO_1 : null;
            }
            case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN,
                    RESHAPE, CONCATENATION, PAD, SOFTMAX, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE,
                    DEQUANTIZE, TRANSPOSE, BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> null;
        };
    }

    /** The integer tensor a float tensor dequantizes, or -1. */
    private static int integerSource(Graph g, int t) {
        int p = g.producer(t);
        if (p < 0 || g.node(p).op().kind() != OpKind.DEQUANTIZE) {
            return -1;
        }
        int q = g.node(p).input(0);
        return g.tensor(q).quant().isPresent() ? q : -1;
    }

    /** The one node reading a tensor that is not a graph output, or -1. */
    private static int soleConsumer(Graph g, int t) {
        List<Integer> c = g.consumers(t);
        return c.size() == 1 && !g.outputs().contains(t) ? c.get(0) : -1;
    }

    private static boolean perTensor(Tensor t) {
        return t.quant().isPresent() && t.quant().get().isPerTensor();
    }

    /** Removes DEQUANTIZE nodes whose outputs nobody reads any more (repeatedly, back to front). */
    private static void dropUnread(List<Node> nodes, List<Integer> outputs) {
        boolean again = true;
        while (again) {
            again = false;
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (n.op().kind() != OpKind.DEQUANTIZE || outputs.contains(n.output(0))) {
                    continue;
                }
                boolean read = false;
                for (Node m : nodes) {
                    read |= m.inputs().contains(n.output(0));
                }
                if (!read) {
                    nodes.remove(i);
                    again = true;
                }
            }
        }
    }

    /** An int8 transpose moving only axes of size 1 becomes a reshape; a reshape of a reshape reads the first input. */
    private static void simplifyLayout(GraphBuilder b) {
        List<Node> nodes = b.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op() instanceof Op.Transpose tr && b.tensor(n.input(0)).type() == DataType.INT8
                    && movesOnlyUnitAxes(b.tensor(n.input(0)).shape().toArray(), tr.perm())) {
                nodes.set(i, new Node(n.name(), new Op.Reshape(), List.of(n.input(0)), n.outputs()));
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.op().kind() != OpKind.RESHAPE || b.outputs().contains(n.output(0))) {
                continue;
            }
            int readers = 0;
            int reader = -1;
            for (int j = 0; j < nodes.size(); j++) {
                if (nodes.get(j).inputs().contains(n.output(0))) {
                    readers++;
                    reader = j;
                }
            }
            if (readers == 1 && nodes.get(reader).op().kind() == OpKind.RESHAPE) {
                Node r = nodes.get(reader);
                nodes.set(reader, new Node(r.name(), r.op(), List.of(n.input(0)), r.outputs()));
                nodes.remove(i);
                i = -1;
            }
        }
    }

    private static boolean movesOnlyUnitAxes(int[] dims, List<Integer> perm) {
        int last = -1;
        for (int p : perm) {
            if (dims[p] != 1) {
                if (p < last) {
                    return false;
                }
                last = p;
            }
        }
        return true;
    }
}
