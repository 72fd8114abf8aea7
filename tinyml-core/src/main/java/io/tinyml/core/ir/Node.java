package io.tinyml.core.ir;

import java.util.List;
import java.util.Objects;

/**
 * One operator application: the operator and the indices of the tensors it reads and writes in
 * its {@link Graph}. Immutable and thread-safe.
 *
 * @param name a name for messages and dumps (unique within a graph)
 * @param op the operator
 * @param inputs input tensor indices; {@link #ABSENT} for an omitted optional input
 * @param outputs output tensor indices
 */
public record Node(String name, Op op, List<Integer> inputs, List<Integer> outputs) {
    /** The index of an omitted optional input. */
    public static final int ABSENT = -1;

    /**
     * Validates and copies the index lists.
     */
    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * Returns input index {@code i}, or {@link #ABSENT} if the node has fewer inputs.
     *
     * @param i the position
     * @return the tensor index or ABSENT
     */
    public int input(int i) {
        return i < inputs.size() ? inputs.get(i) : ABSENT;
    }

    /**
     * Returns output index {@code i}.
     *
     * @param i the position
     * @return the tensor index
     */
    public int output(int i) {
        return outputs.get(i);
    }

    @Override
    public String toString() {
        return name + ":" + op.kind();
    }
}
