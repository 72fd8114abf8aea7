package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;

/**
 * Integer kernels of the non-linear operators (SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU,
 * MEAN) with INT8 or INT16 tensors, bit-exact with TFLite's reference integer kernels.
 */
public final class QuantActivationKernels {
    private QuantActivationKernels() {
    }

    /**
     * Prepares the kernel of a node whose input is INT8 or INT16.
     *
     * @param graph the graph
     * @param node the node (SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU or MEAN)
     * @param arrays the interpreter's tensor arrays, indexed by tensor index (see {@link TensorArrays})
     * @return the prepared kernel
     * @throws UnsupportedOperatorException if this operator/type combination has no integer kernel
     */
    public static Kernel create(Graph graph, Node node, Object[] arrays) throws UnsupportedOperatorException {
        throw new UnsupportedOperatorException(node.op().kind().name(), "operator " + node.op().kind() + " of node '"
                + node.name() + "' has no integer kernel yet in the reference interpreter");
    }
}
