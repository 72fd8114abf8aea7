package io.tinyml.core.analysis;

import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Op;
import io.tinyml.core.ir.Shape;

/**
 * Multiply-accumulate counts of nodes: the work measure that latency estimates scale with.
 * Convolutions count one MAC per filter tap per output element; fully-connected layers one per
 * weight per batch row; element-wise and pooling operators count one per output (or window)
 * element; data-movement operators count zero. Thread-safe (stateless).
 */
public final class OpCost {
    private OpCost() {
    }

    /**
     * Returns the multiply-accumulate count of one node.
     *
     * @param graph the graph holding the node
     * @param node the node
     * @return the MAC count (0 for pure data movement)
     */
    public static long macs(Graph graph, Node node) {
        Shape out = graph.tensor(node.output(0)).shape();
        long outElems = out.elementCount();
        return switch (node.op().kind()) {
            case CONV_2D -> {
                Shape w = graph.tensor(node.input(1)).shape();
                yield outElems * w.dim(1) * w.dim(2) * w.dim(3);
            }
            case DEPTHWISE_CONV_2D -> {
                Shape w = graph.tensor(node.input(1)).shape();
                yield outElems * w.dim(1) * w.dim(2);
            }
            case FULLY_CONNECTED -> {
                Shape w = graph.tensor(node.input(1)).shape();
                yield (outElems / w.dim(0)) * (long) w.dim(0) * w.dim(1);
            }
            case AVERAGE_POOL_2D -> {
                Op.AveragePool2D p = (Op.AveragePool2D) node.op();
                yield outElems * p.filterH() * p.filterW();
            }
            case MAX_POOL_2D -> {
                Op.MaxPool2D p = (Op.MaxPool2D) node.op();
                yield outElems * p.filterH() * p.filterW();
            }
            case POOL -> {
                long taps = 1;
                for (int f : ((Op.Pool) node.op()).filter()) {
                    taps *= f;
                }
                yield outElems * taps;
            }
            case MEAN -> graph.tensor(node.input(0)).shape().elementCount();
            case ADD, SUB, MUL, SOFTMAX, LOG_SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, BATCH_NORMALIZATION -> outElems;
            case RESHAPE, CONCATENATION, PAD, RELU, RELU6, CLIP, QUANTIZE, DEQUANTIZE, TRANSPOSE -> 0L;
        };
    }

    /**
     * Returns the total multiply-accumulate count of a graph.
     *
     * @param graph the graph
     * @return the sum over nodes
     */
    public static long totalMacs(Graph graph) {
        long sum = 0;
        for (Node n : graph.nodes()) {
            sum += macs(graph, n);
        }
        return sum;
    }
}
