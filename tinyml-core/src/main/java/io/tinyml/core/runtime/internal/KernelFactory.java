package io.tinyml.core.runtime.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.quant.Quant;

/**
 * Chooses and prepares the kernel of a node from its operator and the data types of its tensors.
 * Every operator of the IR is handled by an exhaustive switch; a combination without a kernel
 * raises {@link UnsupportedOperatorException} naming the operator, the node and the reference
 * interpreter.
 */
public final class KernelFactory {
    private KernelFactory() {
    }

    /**
     * Prepares the kernel of one node.
     *
     * @param graph the graph
     * @param node the node
     * @param arrays the interpreter's tensor arrays by tensor index (see {@link TensorArrays}); the
     *               kernel binds the arrays of its inputs and outputs
     * @return the prepared kernel
     * @throws UnsupportedOperatorException if no kernel supports the node's operator and types
     */
    public static Kernel create(Graph graph, Node node, Object[] arrays) throws UnsupportedOperatorException {
        return create(graph, node, arrays, new SharedWeights());
    }

    /**
     * Prepares the kernel of one node, taking packed weights from (or adding them to) a store that
     * other interpreters of the same graph share.
     *
     * @param graph the graph
     * @param node the node
     * @param arrays the interpreter's tensor arrays by tensor index
     * @param shared the shared packed weights
     * @return the prepared kernel
     * @throws UnsupportedOperatorException if no kernel supports the node's operator and types
     */
    public static Kernel create(Graph graph, Node node, Object[] arrays, SharedWeights shared)
            throws UnsupportedOperatorException {
        DataType in = graph.tensor(node.input(0)).type();
        boolean isFloat = in == DataType.FLOAT32;
        boolean isInt = in == DataType.INT8 || in == DataType.INT16;
        try {
            OpKind kind = node.op().kind();
            boolean plainCandidate = switch (kind) {
                case ADD, SUB, MUL, RELU, RELU6, CLIP, MAX_POOL_2D -> true;
                case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MEAN, RESHAPE, CONCATENATION, PAD,
                        SOFTMAX, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE, DEQUANTIZE, TRANSPOSE,
                        BATCH_NORMALIZATION, LOG_SOFTMAX, POOL -> false;
            };
            if (plainCandidate && PlainIntegerKernels.applies(graph, node)) {
                return PlainIntegerKernels.create(graph, node, arrays);
            }
            return switch (kind) {
                case CONV_2D -> isFloat ? FloatConvKernels.conv(graph, node, arrays, shared)
                        : QuantConvKernels.conv(graph, node, arrays, shared);
                case DEPTHWISE_CONV_2D -> isFloat ? FloatConvKernels.depthwise(graph, node, arrays, shared)
                        : QuantConvKernels.depthwise(graph, node, arrays, shared);
                case FULLY_CONNECTED -> isFloat ? FloatConvKernels.fullyConnected(graph, node, arrays, shared)
                        : QuantConvKernels.fullyConnected(graph, node, arrays, shared);
                case ADD, SUB, MUL -> ElementwiseKernels.binary(graph, node, arrays);
                case AVERAGE_POOL_2D -> PoolKernels.pool(graph, node, arrays, true);
                case MAX_POOL_2D -> PoolKernels.pool(graph, node, arrays, false);
                case POOL -> GeneralPoolKernel.create(graph, node, arrays);
                case MEAN -> isInt ? QuantActivationKernels.create(graph, node, arrays)
                        : PoolKernels.meanFloat(graph, node, arrays);
                case RESHAPE -> LayoutKernels.reshape(graph, node, arrays);
                case CONCATENATION -> LayoutKernels.concatenation(graph, node, arrays);
                case PAD -> LayoutKernels.pad(graph, node, arrays);
                case TRANSPOSE -> LayoutKernels.transpose(graph, node, arrays);
                case LOG_SOFTMAX -> floatOnly(graph, node, arrays);
                case SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU -> isInt
                        ? QuantActivationKernels.create(graph, node, arrays)
                        : floatOnly(graph, node, arrays);
                case RELU, RELU6, CLIP -> isInt ? ActivationKernels.quantClamp(graph, node, arrays)
                        : floatOnly(graph, node, arrays);
                case QUANTIZE -> QuantizeKernels.quantize(graph, node, arrays);
                case DEQUANTIZE -> QuantizeKernels.dequantize(graph, node, arrays);
                case BATCH_NORMALIZATION -> ElementwiseKernels.batchNorm(graph, node, arrays);
            };
        } catch (ClassCastException e) {
            throw Quant.unsupported(node, "tensor types " + types(graph, node) + " (" + e.getMessage() + ")");
        }
    }

    private static Kernel floatOnly(Graph graph, Node node, Object[] arrays) throws UnsupportedOperatorException {
        if (graph.tensor(node.input(0)).type() != DataType.FLOAT32) {
            throw Quant.unsupported(node, graph.tensor(node.input(0)).type() + " input");
        }
        return ActivationKernels.floatUnary(graph, node, arrays);
    }

    private static String types(Graph graph, Node node) {
        StringBuilder b = new StringBuilder("[");
        for (int i : node.inputs()) {
            b.append(i == Node.ABSENT ? "absent" : graph.tensor(i).type().toString()).append(' ');
        }
        b.append("-> ");
        for (int o : node.outputs()) {
            b.append(graph.tensor(o).type()).append(' ');
        }
        return b.toString().trim() + "]";
    }
}
