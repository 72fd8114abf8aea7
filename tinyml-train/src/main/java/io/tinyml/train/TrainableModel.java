package io.tinyml.train;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.AppliedPass;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.GraphBuilder;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.train.internal.DjlEngine;
import io.tinyml.train.internal.IrBlock;

import java.util.Map;

/**
 * A float IR model held as a trainable DJL network (PyTorch engine): the IR ⇄ DJL bridge.
 *
 * <p>{@link #of(Model)} turns every operator into PyTorch operations with the IR's semantics and every
 * float constant into a DJL parameter (weights permuted from TFLite's OHWI / 1HWO layouts to
 * PyTorch's OIHW); {@link #toModel(Map)} writes the current values back into a new IR model with the
 * same graph, so a trained model flows on into quantization, estimation and code generation. Inputs
 * and outputs of {@link #forward} are in the IR's layout (NHWC).
 *
 * <p>Holds native PyTorch memory: close it ({@link #close()} is idempotent; use after close throws
 * {@link IllegalStateException}). Not thread-safe.
 *
 * <pre>{@code
 * try (TrainableModel t = TrainableModel.of(ModelIO.read(Path.of("tiny_digits.onnx")))) {
 *     float[] logits = t.forward(4, images)[0];   // images: 4 x 28 x 28 x 1, NHWC
 *     Model same = t.toModel(Map.of());            // the IR model with the network's current weights
 * }
 * }</pre>
 */
public final class TrainableModel implements AutoCloseable {
    private final Model source;
    private final ai.djl.Model djl;
    private final IrBlock block;
    private boolean closed;

    private TrainableModel(Model source, ai.djl.Model djl, IrBlock block) {
        this.source = source;
        this.djl = djl;
        this.block = block;
    }

    /**
     * Builds the trainable network of a float model, starting DJL's PyTorch engine offline.
     *
     * @param model the float model (FLOAT32 inputs and constants)
     * @return the network; close it
     * @throws UnsupportedOperatorException if an operator or constant cannot be trained (the message names
     *     the node)
     * @throws IllegalArgumentException if an input is not FLOAT32
     * @throws IllegalStateException if the PyTorch engine cannot start
     */
    public static TrainableModel of(Model model) throws UnsupportedOperatorException {
        Graph g = model.graph();
        ai.djl.ndarray.types.Shape[] shapes = new ai.djl.ndarray.types.Shape[g.inputs().size()];
        for (int i = 0; i < shapes.length; i++) {
            Tensor t = g.inputTensor(i);
            if (t.type() != io.tinyml.core.ir.DataType.FLOAT32) {
                throw new IllegalArgumentException("expected FLOAT32 model inputs to train, found " + t.type()
                        + " input '" + t.name() + "'");
            }
            shapes[i] = djlShape(t.shape(), t.shape().rank() > 0 ? t.shape().dim(0) : 1);
        }
        IrBlock block = new IrBlock(g);
        DjlEngine.pytorch();
        ai.djl.Model m = ai.djl.Model.newInstance("tinyml-train", Device.cpu(), DjlEngine.NAME);
        try {
            m.setBlock(block);
            block.initialize(m.getNDManager(), DataType.FLOAT32, shapes);
            return new TrainableModel(model, m, block);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Returns the model this network was built from.
     *
     * @return the source model
     */
    public Model source() {
        return source;
    }

    /**
     * Runs an inference-mode forward pass (batch norm uses its running statistics).
     *
     * @param batch the number of samples in each input
     * @param inputs one array per model input: {@code batch} samples in the IR layout, row-major
     * @return one array per model output, {@code batch} samples, in the IR layout
     * @throws IllegalArgumentException if an input's length is not {@code batch} times its sample size
     * @throws IllegalStateException if closed
     */
    public float[][] forward(int batch, float[]... inputs) {
        checkOpen();
        Graph g = source.graph();
        if (inputs.length != g.inputs().size()) {
            throw new IllegalArgumentException("expected " + g.inputs().size() + " inputs, found " + inputs.length);
        }
        try (NDManager mgr = djl.getNDManager().newSubManager()) {
            NDList in = new NDList();
            for (int i = 0; i < inputs.length; i++) {
                Shape s = g.inputTensor(i).shape();
                long per = s.elementCount() / Math.max(1, s.rank() > 0 ? s.dim(0) : 1);
                if (inputs[i].length != per * batch) {
                    throw new IllegalArgumentException("expected " + per * batch + " values for input " + i + " ("
                            + batch + " samples of " + s + "), found " + inputs[i].length);
                }
                in.add(mgr.create(inputs[i], djlShape(s, batch)));
            }
            NDList out = block.forward(new ParameterStore(mgr, false), in, false);
            float[][] r = new float[out.size()][];
            for (int o = 0; o < r.length; o++) {
                r[o] = out.get(o).toFloatArray();
            }
            return r;
        }
    }

    /**
     * Writes the network's current weights into a new IR model with the same graph.
     *
     * @param parameters what was done, recorded as a {@code train} step in the model's provenance
     * @return the new model
     * @throws IllegalStateException if closed
     */
    public Model toModel(Map<String, String> parameters) {
        return toModel(parameters, Map.of());
    }

    Model toModel(Map<String, String> parameters, Map<ai.djl.nn.Parameter, float[]> overrides) {
        checkOpen();
        GraphBuilder b = GraphBuilder.from(source.graph());
        for (Map.Entry<Integer, Tensor> e : block.exportConstants(overrides).entrySet()) {
            b.setTensor(e.getKey(), e.getValue());
        }
        return source.withGraph(b.build(), new AppliedPass("train", parameters));
    }

    ai.djl.Model djl() {
        checkOpen();
        return djl;
    }

    IrBlock block() {
        return block;
    }

    static ai.djl.ndarray.types.Shape djlShape(Shape s, long batch) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        if (d.length > 0) {
            d[0] = batch;
        }
        return new ai.djl.ndarray.types.Shape(d);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("expected an open TrainableModel, found it closed");
        }
    }

    /** Frees the network's native memory; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            djl.close();
        }
    }
}
