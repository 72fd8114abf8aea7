package io.tinyml.core.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Builds a {@link Graph}: add tensors and nodes, mark inputs and outputs, then {@link #build()}.
 *
 * <p>{@code build()} validates index ranges, single producers, dangling reads, acyclicity, unique
 * names and every node's shapes and types, sorts the nodes topologically (stable: nodes already in
 * order keep it) and drops tensors nothing refers to. Not thread-safe; a builder is used by one
 * thread and then discarded.
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder();
 * int x = b.addInput(Tensor.activation("x", DataType.FLOAT32, Shape.of(1, 1)));
 * int w = b.addTensor(Tensor.ofFloats("w", Shape.of(16, 1), weights));
 * int y = b.addTensor(Tensor.activation("y", DataType.FLOAT32, Shape.of(1, 16)));
 * b.addNode("fc1", new Op.FullyConnected(Activation.RELU, false), List.of(x, w, Node.ABSENT), List.of(y));
 * b.addOutput(y);
 * Graph g = b.build();
 * }</pre>
 */
public final class GraphBuilder {
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();

    /** Creates an empty builder. */
    public GraphBuilder() {
    }

    /**
     * Creates a builder holding a copy of a graph's tensors, nodes, inputs and outputs, with the
     * same indices, for passes that edit a graph.
     *
     * @param graph the graph to start from
     * @return the builder
     */
    public static GraphBuilder from(Graph graph) {
        GraphBuilder b = new GraphBuilder();
        b.tensors.addAll(graph.tensors());
        b.nodes.addAll(graph.nodes());
        b.inputs.addAll(graph.inputs());
        b.outputs.addAll(graph.outputs());
        return b;
    }

    /**
     * Adds a tensor.
     *
     * @param t the tensor
     * @return its index
     */
    public int addTensor(Tensor t) {
        tensors.add(t);
        return tensors.size() - 1;
    }

    /**
     * Adds a tensor and marks it as a graph input.
     *
     * @param t the tensor
     * @return its index
     */
    public int addInput(Tensor t) {
        int i = addTensor(t);
        inputs.add(i);
        return i;
    }

    /**
     * Replaces the tensor at an index.
     *
     * @param index the index
     * @param t the new tensor
     * @return this builder
     */
    public GraphBuilder setTensor(int index, Tensor t) {
        tensors.set(index, t);
        return this;
    }

    /**
     * Returns the tensor at an index.
     *
     * @param index the index
     * @return the tensor
     */
    public Tensor tensor(int index) {
        return tensors.get(index);
    }

    /** @return the number of tensors added so far */
    public int tensorCount() {
        return tensors.size();
    }

    /**
     * Appends a node.
     *
     * @param name the node name, unique
     * @param op the operator
     * @param in input tensor indices ({@link Node#ABSENT} for omitted optional inputs)
     * @param out output tensor indices
     * @return the node's position in this builder
     */
    public int addNode(String name, Op op, List<Integer> in, List<Integer> out) {
        nodes.add(new Node(name, op, in, out));
        return nodes.size() - 1;
    }

    /**
     * Returns the nodes added so far; the list is live and may be edited by passes.
     *
     * @return the mutable node list
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * Marks a tensor as a graph input.
     *
     * @param index the tensor index
     * @return this builder
     */
    public GraphBuilder addInputIndex(int index) {
        inputs.add(index);
        return this;
    }

    /**
     * Marks a tensor as a graph output.
     *
     * @param index the tensor index
     * @return this builder
     */
    public GraphBuilder addOutput(int index) {
        outputs.add(index);
        return this;
    }

    /**
     * Returns the graph inputs; the list is live.
     *
     * @return the mutable input list
     */
    public List<Integer> inputs() {
        return inputs;
    }

    /**
     * Returns the graph outputs; the list is live.
     *
     * @return the mutable output list
     */
    public List<Integer> outputs() {
        return outputs;
    }

    /**
     * Replaces every read of tensor {@code from} (by nodes and as a graph output) with {@code to}.
     *
     * @param from the tensor index no longer read
     * @param to the tensor index read instead
     * @return this builder
     */
    public GraphBuilder replaceUses(int from, int to) {
        for (int n = 0; n < nodes.size(); n++) {
            Node node = nodes.get(n);
            if (node.inputs().contains(from)) {
                List<Integer> in = new ArrayList<>(node.inputs());
                in.replaceAll(i -> i == from ? to : i);
                nodes.set(n, new Node(node.name(), node.op(), in, node.outputs()));
            }
        }
        outputs.replaceAll(i -> i == from ? to : i);
        return this;
    }

    /**
     * Validates and builds the graph.
     *
     * @return the graph
     * @throws InvalidGraphException if any rule is broken; the message names the node or tensor
     */
    public Graph build() {
        int nt = tensors.size();
        if (inputs.isEmpty() && nodes.isEmpty()) {
            throw new InvalidGraphException("expected at least one node or input, found an empty graph");
        }
        if (outputs.isEmpty()) {
            throw new InvalidGraphException("expected at least one graph output, found none");
        }
        for (int i : inputs) {
            checkIndex(i, nt, "graph input");
        }
        for (int i : outputs) {
            checkIndex(i, nt, "graph output");
        }
        int[] producer = new int[nt];
        Arrays.fill(producer, -1);
        Set<Integer> inputSet = new HashSet<>(inputs);
        for (int n = 0; n < nodes.size(); n++) {
            Node node = nodes.get(n);
            if (node.outputs().isEmpty()) {
                throw new InvalidGraphException(describe(node) + ": expected at least one output, found none");
            }
            for (int in : node.inputs()) {
                if (in != Node.ABSENT) {
                    checkIndex(in, nt, describe(node) + " input");
                }
            }
            for (int out : node.outputs()) {
                checkIndex(out, nt, describe(node) + " output");
                Tensor t = tensors.get(out);
                if (producer[out] >= 0) {
                    throw new InvalidGraphException(describe(node) + ": writes tensor '" + t.name()
                            + "' already written by " + describe(nodes.get(producer[out])));
                }
                if (inputSet.contains(out)) {
                    throw new InvalidGraphException(describe(node) + ": writes graph input '" + t.name() + "'");
                }
                if (t.isConstant()) {
                    throw new InvalidGraphException(describe(node) + ": writes constant tensor '" + t.name() + "'");
                }
                producer[out] = n;
            }
        }
        for (Node node : nodes) {
            for (int in : node.inputs()) {
                if (in != Node.ABSENT && producer[in] < 0 && !inputSet.contains(in) && !tensors.get(in).isConstant()) {
                    throw new InvalidGraphException(describe(node) + ": reads tensor '" + tensors.get(in).name()
                            + "' that no node writes and that is neither a graph input nor a constant");
                }
            }
        }
        for (int out : outputs) {
            if (producer[out] < 0 && !inputSet.contains(out) && !tensors.get(out).isConstant()) {
                throw new InvalidGraphException("graph output '" + tensors.get(out).name()
                        + "' is written by no node and is neither a graph input nor a constant");
            }
        }
        List<Node> sorted = topologicalOrder(producer);
        return compact(sorted);
    }

    private List<Node> topologicalOrder(int[] producer) {
        int n = nodes.size();
        int[] pending = new int[n];
        List<List<Integer>> dependents = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            dependents.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            Set<Integer> deps = new HashSet<>();
            for (int in : nodes.get(i).inputs()) {
                if (in != Node.ABSENT && producer[in] >= 0) {
                    deps.add(producer[in]);
                }
            }
            pending[i] = deps.size();
            for (int d : deps) {
                dependents.get(d).add(i);
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> order = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order.add(nodes.get(i));
            for (int d : dependents.get(i)) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (order.size() != n) {
            for (int i = 0; i < n; i++) {
                if (pending[i] > 0) {
                    throw new InvalidGraphException(describe(nodes.get(i)) + ": is part of a cycle");
                }
            }
        }
        return order;
    }

    private Graph compact(List<Node> sorted) {
        int nt = tensors.size();
        boolean[] used = new boolean[nt];
        inputs.forEach(i -> used[i] = true);
        outputs.forEach(i -> used[i] = true);
        for (Node node : sorted) {
            node.inputs().forEach(i -> {
                if (i != Node.ABSENT) {
                    used[i] = true;
                }
            });
            node.outputs().forEach(i -> used[i] = true);
        }
        int[] remap = new int[nt];
        List<Tensor> kept = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nt; i++) {
            if (used[i]) {
                Tensor t = tensors.get(i);
                if (!names.add(t.name())) {
                    throw new InvalidGraphException("expected unique tensor names, found '" + t.name() + "' twice");
                }
                remap[i] = kept.size();
                kept.add(t);
            } else {
                remap[i] = -1;
            }
        }
        Set<String> nodeNames = new HashSet<>();
        List<Node> renumbered = new ArrayList<>(sorted.size());
        for (Node node : sorted) {
            if (!nodeNames.add(node.name())) {
                throw new InvalidGraphException("expected unique node names, found '" + node.name() + "' twice");
            }
            List<Integer> in = node.inputs().stream().map(i -> i == Node.ABSENT ? Node.ABSENT : remap[i]).toList();
            List<Integer> out = node.outputs().stream().map(i -> remap[i]).toList();
            Node r = new Node(node.name(), node.op(), in, out);
            OpChecks.check(r, kept);
            renumbered.add(r);
        }
        return new Graph(kept, renumbered, inputs.stream().map(i -> remap[i]).toList(),
                outputs.stream().map(i -> remap[i]).toList());
    }

    private static void checkIndex(int i, int count, String what) {
        if (i < 0 || i >= count) {
            throw new InvalidGraphException(what + ": expected a tensor index in [0, " + count + "), found " + i);
        }
    }

    static String describe(Node node) {
        return "node '" + node.name() + "' (" + node.op().kind() + ")";
    }
}
