package io.tinyml.core.runner;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.runner.internal.DjlTorchModule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a TorchScript module ({@code .pt}, from {@code torch.jit.trace} or {@code torch.jit.script})
 * with PyTorch through DJL's PyTorch engine, on float inputs laid out as PyTorch expects (NCHW for
 * images). TorchScript files are not converted to the IR — PyTorch users export to ONNX — but this
 * runner is the reference against which such an export is checked.
 *
 * <p>TorchScript does not declare input shapes, so the caller gives them; the output specs are found
 * by one forward pass on zeros at load time. 4-D inputs and outputs are {@link Layout#NCHW}.
 *
 * <p>Needs {@code ai.djl:api}, {@code ai.djl.pytorch:pytorch-engine}, {@code pytorch-jni} and
 * {@code pytorch-native-cpu} (with the platform classifier) on the classpath. DJL runs offline: the
 * runner sets {@code ai.djl.offline=true} (unless already set) so that the natives come from the
 * {@code pytorch-native-cpu} jar, which DJL extracts into its cache directory ({@code ~/.djl.ai}, or
 * {@code ENGINE_CACHE_DIR}), and nothing is downloaded.
 *
 * <p>Holds native PyTorch memory: close it ({@link #close()} is idempotent; {@link #run} after close
 * throws {@link IllegalStateException}). Not thread-safe.
 *
 * <pre>{@code
 * try (TorchScriptRunner pt = TorchScriptRunner.open(Path.of("tiny_digits.pt"), List.of(Shape.of(4, 1, 28, 28)))) {
 *     float[] logits = pt.run(images)[0]; // [4, 10]
 * }
 * }</pre>
 */
public final class TorchScriptRunner implements ModelRunner {
    /** The message given when DJL's PyTorch engine is missing. */
    public static final String MISSING = "TorchScript support needs ai.djl.pytorch:pytorch-engine (with ai.djl:api, "
            + "ai.djl.pytorch:pytorch-jni and ai.djl.pytorch:pytorch-native-cpu for the platform) on the classpath";

    private final DjlTorchModule module;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final List<Shape> inputShapes;

    private TorchScriptRunner(DjlTorchModule module, List<Shape> inputShapes) {
        this.module = module;
        this.inputShapes = List.copyOf(inputShapes);
        List<TensorSpec> in = new ArrayList<>();
        for (int i = 0; i < inputShapes.size(); i++) {
            in.add(spec("input" + i, inputShapes.get(i)));
        }
        this.inputs = List.copyOf(in);
        float[][] zeros = new float[inputShapes.size()][];
        for (int i = 0; i < zeros.length; i++) {
            zeros[i] = new float[inputShapes.get(i).elementCount()];
        }
        DjlTorchModule.Outputs probe;
        try {
            probe = module.forward(zeros, this.inputShapes);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("expected input shapes the TorchScript module accepts, found "
                    + inputShapes + ": " + firstLine(e.getMessage()), e);
        }
        List<TensorSpec> out = new ArrayList<>();
        for (int o = 0; o < probe.shapes().length; o++) {
            out.add(spec("output" + o, probe.shapes()[o]));
        }
        this.outputs = List.copyOf(out);
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static TensorSpec spec(String name, Shape s) {
        return new TensorSpec(name, s, DataType.FLOAT32, s.rank() == 4 ? Layout.NCHW : Layout.ANY, null);
    }

    /**
     * Loads a TorchScript file.
     *
     * @param file the {@code .pt} file
     * @param inputShapes the shape of each input of the module's forward method, batch included
     * @return the runner
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if missing)
     * @throws MalformedModelException if PyTorch cannot load the file
     * @throws IllegalArgumentException if no input shape is given, or the module fails on inputs of these
     *     shapes
     * @throws IllegalStateException if DJL's PyTorch engine is not on the classpath ({@link #MISSING})
     */
    public static TorchScriptRunner open(Path file, List<Shape> inputShapes) throws IOException, MalformedModelException {
        if (inputShapes.isEmpty()) {
            throw new IllegalArgumentException("expected the shape of at least one input, found none");
        }
        requireDjl();
        DjlTorchModule m = DjlTorchModule.load(file);
        try {
            return new TorchScriptRunner(m, inputShapes);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Fails with {@link #MISSING} when DJL's PyTorch engine is absent.
     *
     * @throws IllegalStateException if {@code ai.djl.pytorch.engine.PtEngine} cannot be loaded
     */
    static void requireDjl() {
        try {
            ClassLoader cl = TorchScriptRunner.class.getClassLoader();
            Class.forName("ai.djl.Model", false, cl);
            Class.forName("ai.djl.pytorch.engine.PtEngine", false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(MISSING, e);
        }
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public float[][] run(float[]... in) {
        ModelRunner.checkInputs(inputs, in);
        DjlTorchModule.Outputs out = module.forward(in, inputShapes);
        if (out.values().length != outputs.size()) {
            throw new IllegalStateException("expected " + outputs.size() + " outputs from the TorchScript module, found "
                    + out.values().length);
        }
        return out.values();
    }

    @Override
    public void close() {
        module.close();
    }

    @Override
    public String toString() {
        return "TorchScriptRunner{" + inputs + " -> " + outputs + "}";
    }
}
