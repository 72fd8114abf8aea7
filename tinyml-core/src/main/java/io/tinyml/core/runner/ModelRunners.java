package io.tinyml.core.runner;

import io.tinyml.core.ModelException;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Opens the right {@link ModelRunner} for a model path: a {@code .pt} file runs with PyTorch
 * ({@link TorchScriptRunner}), a directory holding {@code saved_model.pb} with TensorFlow
 * ({@link SavedModelRunner}), anything else is read with {@link ModelIO#read} and runs in our
 * {@link InterpreterRunner}. The framework runners load their optional dependencies only when
 * chosen. Stateless and thread-safe.
 *
 * <pre>{@code
 * try (ModelRunner tf = ModelRunners.open(Path.of("kws_dscnn"), List.of());
 *      ModelRunner ours = ModelRunners.open(Path.of("kws.tflite"), List.of())) {
 *     VerifyResult r = Verify.random(ours, tf, 20, 42L);
 * }
 * }</pre>
 */
public final class ModelRunners {
    private ModelRunners() {
    }

    /**
     * Tells whether a path is a TorchScript file (by its {@code .pt} extension).
     *
     * @param path the path
     * @return true for {@code .pt}
     */
    public static boolean isTorchScript(Path path) {
        Path f = path.getFileName();
        return f != null && f.toString().toLowerCase(Locale.ROOT).endsWith(".pt");
    }

    /**
     * Tells whether a path is a SavedModel directory.
     *
     * @param path the path
     * @return true for a directory holding {@code saved_model.pb}
     */
    public static boolean isSavedModel(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve("saved_model.pb"));
    }

    /**
     * Opens a runner for a model.
     *
     * @param path the model file or SavedModel directory
     * @param torchInputShapes the input shapes of a TorchScript module (which does not declare them);
     *     ignored for other formats
     * @return the runner; the caller closes it
     * @throws IOException if the model cannot be read
     * @throws ModelException if the model is malformed or uses an unsupported operator
     * @throws IllegalArgumentException if a TorchScript module is opened without input shapes, or fails on them
     * @throws IllegalStateException if the framework the format needs is not on the classpath
     */
    public static ModelRunner open(Path path, List<Shape> torchInputShapes) throws IOException, ModelException {
        if (isTorchScript(path)) {
            return TorchScriptRunner.open(path, torchInputShapes);
        }
        if (isSavedModel(path)) {
            return SavedModelRunner.open(path);
        }
        return new InterpreterRunner(ModelIO.read(path));
    }

    /**
     * Returns the input shapes of a runner in the layout PyTorch expects: 4-D NHWC inputs as NCHW.
     *
     * @param runner the runner
     * @return one shape per input
     */
    public static List<Shape> torchShapes(ModelRunner runner) {
        return runner.inputs().stream()
                .map(s -> s.layout() == ModelRunner.Layout.NHWC ? ModelRunnerLayouts.toNchw(s.shape()) : s.shape())
                .toList();
    }
}
