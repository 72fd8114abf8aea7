package io.tinyml.core.runtime;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.QuantParams;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.internal.TensorArrays;

/**
 * One node's completion during {@link Interpreter} invocation. Output values are read lazily:
 * nothing is copied unless {@link #outputBytes(int)} or {@link #outputReal(int)} is called. Valid only
 * during {@link NodeObserver#afterNode(NodeEvent)}; not thread-safe.
 */
public final class NodeEvent {
    private final Graph graph;
    private final int index;
    private final long nanos;
    private final Object[] arrays;

    NodeEvent(Graph graph, int index, long nanos, Object[] arrays) {
        this.graph = graph;
        this.index = index;
        this.nanos = nanos;
        this.arrays = arrays;
    }

    /**
     * Returns the node's position in execution order.
     *
     * @return the node index
     */
    public int index() {
        return index;
    }

    /**
     * Returns the node.
     *
     * @return the node
     */
    public Node node() {
        return graph.node(index);
    }

    /**
     * Returns the node's wall-clock run time ({@link System#nanoTime()} around its kernel).
     *
     * @return nanoseconds
     */
    public long nanos() {
        return nanos;
    }

    /**
     * Returns the number of outputs of the node.
     *
     * @return the count
     */
    public int outputCount() {
        return node().outputs().size();
    }

    /**
     * Returns output tensor {@code i} of the node.
     *
     * @param i the output position
     * @return the tensor
     */
    public Tensor outputTensor(int i) {
        return graph.tensor(node().output(i));
    }

    /**
     * Returns a copy of output {@code i} as little-endian bytes in its own type.
     *
     * @param i the output position
     * @return the bytes
     */
    public byte[] outputBytes(int i) {
        Tensor t = outputTensor(i);
        return TensorArrays.toBytes(t.type(), arrays[node().output(i)]);
    }

    /**
     * Returns output {@code i} as real values, dequantized with its per-tensor parameters when
     * quantized.
     *
     * @param i the output position
     * @return the values
     */
    public float[] outputReal(int i) {
        Tensor t = outputTensor(i);
        Object a = arrays[node().output(i)];
        float scale = 0;
        long zp = 0;
        if (t.quant().isPresent() && t.type() != DataType.FLOAT32) {
            QuantParams q = t.requireQuant();
            scale = q.scale(0);
            zp = q.zeroPoint(0);
        }
        float[] out = new float[t.shape().elementCount()];
        for (int k = 0; k < out.length; k++) {
            out[k] = TensorArrays.realValue(t.type(), a, k, scale, zp);
        }
        return out;
    }
}
