package io.tinyml.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DJL block that runs an IR graph with PyTorch operators, so that the graph can be trained.
 *
 * <p>Inputs and outputs are in the IR's layout (NHWC for 4-D tensors), any batch size. Inside, 4-D
 * activations are kept NCHW between spatial operators ({@link IrOps}); every float constant the graph
 * reads becomes a {@link Parameter} holding it in PyTorch's layout: convolution, depthwise and
 * fully-connected weights and biases and batch-norm scale and offset are trained; batch-norm running
 * statistics are updated by training-mode forward passes; other constants stay fixed. Not thread-safe.
 */
public final class IrBlock extends AbstractBlock {
    /** Share of the old batch-norm running statistics kept per training batch (PyTorch's 0.1 update). */
    public static final float DEFAULT_BN_MOMENTUM = 0.9f;

    private final Graph graph;
    private final Map<Integer, ParamSlot> slots;
    private Map<Integer, float[]> ranges;
    private float bnMomentum = DEFAULT_BN_MOMENTUM;

    /**
     * Builds the block from a float graph.
     *
     * @param graph the graph
     * @throws UnsupportedOperatorException if an operator or a tensor type cannot be trained
     */
    public IrBlock(Graph graph) throws UnsupportedOperatorException {
        this.graph = graph;
        this.slots = ParamSlot.collect(graph);
        for (ParamSlot s : slots.values()) {
            addParameter(s.parameter());
        }
        for (Node n : graph.nodes()) {
            IrOps.check(graph, n);
        }
    }

    /**
     * Turns quantization-aware training on or off: weights of convolutions and fully-connected layers
     * are fake-quantized per output channel, and the outputs of the given tensors per tensor over
     * their calibrated ranges (see {@link FakeQuant}).
     *
     * @param activationRanges IR tensor index to {min, max}; null turns fake quantization off
     */
    public void setFakeQuantization(Map<Integer, float[]> activationRanges) {
        this.ranges = activationRanges == null ? null : Map.copyOf(activationRanges);
    }

    /**
     * Sets how training-mode forward passes update batch-norm running statistics:
     * {@code running = momentum * running + (1 - momentum) * batch} (DJL's convention; PyTorch's
     * momentum is {@code 1 - momentum}).
     *
     * @param momentum in [0, 1]; 0 replaces the statistics by the batch's
     */
    public void setBatchNormMomentum(float momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("expected a batch-norm momentum in [0, 1], found " + momentum);
        }
        this.bnMomentum = momentum;
    }

    /**
     * Returns the graph this block runs.
     *
     * @return the graph
     */
    public Graph graph() {
        return graph;
    }

    /**
     * Returns the parameter slots by IR tensor index, in graph order.
     *
     * @return the slots, unmodifiable
     */
    public Map<Integer, ParamSlot> slots() {
        return Collections.unmodifiableMap(slots);
    }

    /**
     * Copies the current parameter values back into IR constants.
     *
     * @return IR tensor index to its new tensor (same name, type and shape; new data)
     */
    public Map<Integer, Tensor> exportConstants() {
        return exportConstants(Map.of());
    }

    /**
     * Copies parameter values back into IR constants, taking some values from elsewhere.
     *
     * @param overrides values (PyTorch layout) to use instead of a parameter's current array
     * @return IR tensor index to its new tensor
     */
    public Map<Integer, Tensor> exportConstants(Map<Parameter, float[]> overrides) {
        Map<Integer, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, ParamSlot> e : slots.entrySet()) {
            float[] v = overrides.get(e.getValue().parameter());
            if (v == null) {
                v = e.getValue().parameter().getArray().toFloatArray();
            }
            out.put(e.getKey(), e.getValue().toIr(graph.tensor(e.getKey()), v));
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (inputs.size() != graph.inputs().size()) {
            throw new IllegalArgumentException("expected " + graph.inputs().size() + " inputs, found " + inputs.size());
        }
        NDManager mgr = inputs.head().getManager();
        Map<Integer, IrOps.Value> values = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            int t = graph.inputs().get(i);
            float[] r = ranges == null ? null : ranges.get(t);
            NDArray x = r == null ? inputs.get(i) : FakeQuant.activation(inputs.get(i), r[0], r[1]);
            values.put(t, IrOps.Value.ir(x));
        }
        for (Map.Entry<Integer, ParamSlot> e : slots.entrySet()) {
            NDArray a = store.getValue(e.getValue().parameter(), mgr.getDevice(), training);
            values.put(e.getKey(), e.getValue().value(a));
        }
        IrOps ops = new IrOps(graph, mgr, training, ranges, bnMomentum);
        for (Node n : graph.nodes()) {
            IrOps.Value y = ops.apply(n, values);
            values.put(n.output(0), y);
        }
        NDList out = new NDList();
        for (int o : graph.outputs()) {
            out.add(values.get(o).ir());
        }
        return out;
    }

    @Override
    public ai.djl.ndarray.types.Shape[] getOutputShapes(ai.djl.ndarray.types.Shape[] inputShapes) {
        long batch = inputShapes.length > 0 && inputShapes[0].dimension() > 0 ? inputShapes[0].get(0) : 1;
        List<ai.djl.ndarray.types.Shape> out = new ArrayList<>();
        for (int o : graph.outputs()) {
            long[] d = toLongs(graph.tensor(o).shape());
            if (d.length > 0) {
                d[0] = batch;
            }
            out.add(new ai.djl.ndarray.types.Shape(d));
        }
        return out.toArray(new ai.djl.ndarray.types.Shape[0]);
    }

    static long[] toLongs(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }
}
