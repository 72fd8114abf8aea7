package io.tinyml.core.runner;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a model with the reference {@link Interpreter} ({@link Interpreter#invokeFloat}: quantized
 * inputs are quantized, quantized outputs dequantized).
 *
 * <p>Readers of NCHW formats convert 4-D inputs to NHWC and record it in the model metadata as
 * {@code layout.input.<name>=NCHW} (and {@code layout.output.<name>=NCHW} for outputs). For such
 * tensors this runner speaks the original layout: its spec shows the NCHW shape, it transposes NCHW
 * inputs to NHWC before running and NHWC outputs back to NCHW, so its values compare directly with
 * the source framework's. Every other tensor is taken as the graph declares it (4-D ones as NHWC).
 *
 * <p>Not thread-safe. Holds no native resources; {@link #close()} only marks it closed.
 *
 * <pre>{@code
 * try (ModelRunner r = new InterpreterRunner(TfliteReader.read(Path.of("kws.tflite")))) {
 *     float[] scores = r.run(features)[0];
 * }
 * }</pre>
 */
public final class InterpreterRunner implements ModelRunner {
    /** Metadata key prefix marking an input that the source format laid out as NCHW. */
    public static final String INPUT_LAYOUT_KEY = "layout.input.";
    /** Metadata key prefix marking an output that the source format laid out as NCHW. */
    public static final String OUTPUT_LAYOUT_KEY = "layout.output.";

    private final Interpreter interpreter;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Shape[] graphOutputShapes;
    private boolean closed;

    /**
     * Prepares a runner for a model.
     *
     * @param model the model
     * @throws UnsupportedOperatorException if a node has no kernel in the reference interpreter
     */
    public InterpreterRunner(Model model) throws UnsupportedOperatorException {
        this.interpreter = Interpreter.create(model);
        Graph g = model.graph();
        List<TensorSpec> in = new ArrayList<>();
        for (int i = 0; i < g.inputs().size(); i++) {
            Tensor t = g.inputTensor(i);
            in.add(spec(t, "NCHW".equals(model.metadata().get(INPUT_LAYOUT_KEY + t.name()))));
        }
        List<TensorSpec> out = new ArrayList<>();
        graphOutputShapes = new Shape[g.outputs().size()];
        for (int o = 0; o < graphOutputShapes.length; o++) {
            Tensor t = g.outputTensor(o);
            graphOutputShapes[o] = t.shape();
            out.add(spec(t, "NCHW".equals(model.metadata().get(OUTPUT_LAYOUT_KEY + t.name()))));
        }
        this.inputs = List.copyOf(in);
        this.outputs = List.copyOf(out);
    }

    private static TensorSpec spec(Tensor t, boolean nchw) {
        Shape s = t.shape();
        boolean four = s.rank() == 4;
        Layout layout = !four ? Layout.ANY : nchw ? Layout.NCHW : Layout.NHWC;
        return new TensorSpec(t.name(), four && nchw ? ModelRunnerLayouts.toNchw(s) : s, t.type(), layout,
                t.quant().orElse(null));
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /**
     * Returns the interpreter this runner drives.
     *
     * @return the interpreter
     */
    public Interpreter interpreter() {
        return interpreter;
    }

    @Override
    public float[][] run(float[]... in) {
        if (closed) {
            throw new IllegalStateException("expected an open runner, found it closed");
        }
        ModelRunner.checkInputs(inputs, in);
        float[][] nhwc = new float[in.length][];
        for (int i = 0; i < in.length; i++) {
            nhwc[i] = inputs.get(i).layout() == Layout.NCHW
                    ? ModelRunnerLayouts.nchwToNhwc(in[i], inputs.get(i).shape()) : in[i];
        }
        float[][] out = interpreter.invokeFloat(nhwc);
        for (int o = 0; o < out.length; o++) {
            if (outputs.get(o).layout() == Layout.NCHW) {
                out[o] = ModelRunnerLayouts.nhwcToNchw(out[o], graphOutputShapes[o]);
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "InterpreterRunner{" + interpreter.model() + "}";
    }
}
