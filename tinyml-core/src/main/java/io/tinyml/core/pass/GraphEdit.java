package io.tinyml.core.pass;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch of edits on a graph for one pass: replace and remove nodes by their index in the source
 * graph, add tensors with fresh unique names, then build. Tensor indices of the source graph stay
 * valid until {@link #build()}.
 */
final class GraphEdit {
    private final Graph source;
    private final GraphBuilder builder;
    private final Node[] replaced;
    private final boolean[] removed;
    private final Set<String> names = new HashSet<>();
    private boolean changed;

    GraphEdit(Graph source) {
        this.source = source;
        this.builder = GraphBuilder.from(source);
        this.replaced = new Node[source.nodes().size()];
        this.removed = new boolean[source.nodes().size()];
        source.tensors().forEach(t -> names.add(t.name()));
    }

    Graph source() {
        return source;
    }

    GraphBuilder builder() {
        return builder;
    }

    /** Adds a tensor, renaming it if its name is taken. */
    int addTensor(Tensor t) {
        String name = t.name();
        for (int i = 1; names.contains(name); i++) {
            name = t.name() + "_" + i;
        }
        names.add(name);
        changed = true;
        return builder.addTensor(name.equals(t.name()) ? t : t.withName(name));
    }

    void replaceTensor(int index, Tensor t) {
        builder.setTensor(index, t);
        changed = true;
    }

    void replaceNode(int nodeIndex, Node node) {
        replaced[nodeIndex] = node;
        changed = true;
    }

    void removeNode(int nodeIndex) {
        removed[nodeIndex] = true;
        changed = true;
    }

    boolean isRemoved(int nodeIndex) {
        return removed[nodeIndex];
    }

    /** The node as currently edited. */
    Node node(int nodeIndex) {
        return replaced[nodeIndex] != null ? replaced[nodeIndex] : source.node(nodeIndex);
    }

    /** Replaces every read of one tensor (by the remaining nodes and as graph output) with another. */
    void replaceUses(int from, int to) {
        for (int n = 0; n < replaced.length; n++) {
            Node node = node(n);
            if (node.inputs().contains(from)) {
                List<Integer> in = new ArrayList<>(node.inputs());
                in.replaceAll(i -> i == from ? to : i);
                replaceNode(n, new Node(node.name(), node.op(), in, node.outputs()));
            }
        }
        builder.outputs().replaceAll(i -> i == from ? to : i);
        changed = true;
    }

    boolean changed() {
        return changed;
    }

    /** Tells whether a tensor is one of the graph's outputs. */
    boolean isGraphOutput(int tensor) {
        return source.outputs().contains(tensor);
    }

    Graph build() {
        List<Node> nodes = builder.nodes();
        nodes.clear();
        for (int n = 0; n < replaced.length; n++) {
            if (!removed[n]) {
                nodes.add(node(n));
            }
        }
        return builder.build();
    }
}
