package io.tinyml.core.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated dataflow graph: tensors, nodes in a valid topological order, and the indices of the
 * graph's inputs and outputs. Built only by {@link GraphBuilder}, which checks it. Immutable and
 * thread-safe.
 */
public final class Graph {
    private final List<Tensor> tensors;
    private final List<Node> nodes;
    private final List<Integer> inputs;
    private final List<Integer> outputs;
    private final int[] producer;
    private final List<List<Integer>> consumers;
    private final Map<String, Integer> byName;

    Graph(List<Tensor> tensors, List<Node> nodes, List<Integer> inputs, List<Integer> outputs) {
        this.tensors = List.copyOf(tensors);
        this.nodes = List.copyOf(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.producer = new int[tensors.size()];
        Arrays.fill(producer, -1);
        List<List<Integer>> cons = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            cons.add(new ArrayList<>());
        }
        for (int n = 0; n < nodes.size(); n++) {
            Node node = nodes.get(n);
            for (int out : node.outputs()) {
                producer[out] = n;
            }
            for (int in : node.inputs()) {
                if (in != Node.ABSENT && !cons.get(in).contains(n)) {
                    cons.get(in).add(n);
                }
            }
        }
        for (int i = 0; i < cons.size(); i++) {
            cons.set(i, List.copyOf(cons.get(i)));
        }
        this.consumers = Collections.unmodifiableList(cons);
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            names.put(tensors.get(i).name(), i);
        }
        this.byName = Map.copyOf(names);
    }

    /** @return all tensors, indexed by tensor index */
    public List<Tensor> tensors() {
        return tensors;
    }

    /**
     * Returns tensor {@code index}.
     *
     * @param index the tensor index
     * @return the tensor
     */
    public Tensor tensor(int index) {
        return tensors.get(index);
    }

    /** @return the nodes in execution (topological) order */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * Returns node {@code index} of the execution order.
     *
     * @param index the node index
     * @return the node
     */
    public Node node(int index) {
        return nodes.get(index);
    }

    /** @return the graph input tensor indices */
    public List<Integer> inputs() {
        return inputs;
    }

    /** @return the graph output tensor indices */
    public List<Integer> outputs() {
        return outputs;
    }

    /**
     * Returns graph input {@code i} as a tensor.
     *
     * @param i the input position
     * @return the tensor
     */
    public Tensor inputTensor(int i) {
        return tensors.get(inputs.get(i));
    }

    /**
     * Returns graph output {@code i} as a tensor.
     *
     * @param i the output position
     * @return the tensor
     */
    public Tensor outputTensor(int i) {
        return tensors.get(outputs.get(i));
    }

    /**
     * Returns the index of the node producing a tensor.
     *
     * @param tensorIndex the tensor
     * @return the node index, or -1 for graph inputs and constants
     */
    public int producer(int tensorIndex) {
        return producer[tensorIndex];
    }

    /**
     * Returns the nodes reading a tensor, in execution order.
     *
     * @param tensorIndex the tensor
     * @return node indices
     */
    public List<Integer> consumers(int tensorIndex) {
        return consumers.get(tensorIndex);
    }

    /**
     * Finds a tensor by name.
     *
     * @param name the name
     * @return its index, or -1 if absent
     */
    public int tensorIndex(String name) {
        return byName.getOrDefault(name, -1);
    }

    /**
     * Returns the number of constant elements (weights, biases): the parameter count.
     *
     * @return the parameter count
     */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors) {
            if (t.isConstant()) {
                n += t.shape().elementCount();
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Graph g && tensors.equals(g.tensors) && nodes.equals(g.nodes) && inputs.equals(g.inputs)
                && outputs.equals(g.outputs);
    }

    @Override
    public int hashCode() {
        return ((tensors.hashCode() * 31 + nodes.hashCode()) * 31 + inputs.hashCode()) * 31 + outputs.hashCode();
    }

    @Override
    public String toString() {
        return "Graph{" + nodes.size() + " nodes, " + tensors.size() + " tensors, inputs=" + inputs + ", outputs="
                + outputs + "}";
    }
}
