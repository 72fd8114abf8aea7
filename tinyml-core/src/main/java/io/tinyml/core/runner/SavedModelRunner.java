package io.tinyml.core.runner;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.io.savedmodel.SavedModelReader;
import io.tinyml.core.io.savedmodel.internal.TensorFlowSupport;
import io.tinyml.core.io.savedmodel.internal.TfSavedModel;
import io.tinyml.core.ir.DataType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a SavedModel's {@value SavedModelReader#SIGNATURE} signature with TensorFlow Java itself: the
 * oracle against which models imported by {@link SavedModelReader} are checked.
 *
 * <p>Inputs and outputs are the signature's, ordered by key, with dynamic dimensions (the batch) set
 * to 1; 4-D tensors are NHWC. Holds a TensorFlow graph and session: close it. {@link #close()} is
 * idempotent; {@link #run} after close throws {@link IllegalStateException}. Not thread-safe.
 *
 * <pre>{@code
 * try (SavedModelRunner tf = SavedModelRunner.open(Path.of("kws_dscnn"))) {
 *     float[] scores = tf.run(features)[0];
 * }
 * }</pre>
 */
public final class SavedModelRunner implements ModelRunner {
    private final TfSavedModel model;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    private SavedModelRunner(TfSavedModel model) {
        this.model = model;
        this.inputs = specs(model.inputs());
        this.outputs = specs(model.outputs());
    }

    /**
     * Loads a SavedModel directory.
     *
     * @param dir the directory holding {@code saved_model.pb}
     * @return the runner
     * @throws IOException if the directory is not a SavedModel
     * @throws MalformedModelException if TensorFlow cannot load it or the signature is missing or not float
     * @throws IllegalStateException if TensorFlow Java is not on the classpath
     */
    public static SavedModelRunner open(Path dir) throws IOException, MalformedModelException {
        TensorFlowSupport.require();
        return new SavedModelRunner(TfSavedModel.load(dir, SavedModelReader.SIGNATURE));
    }

    private static List<TensorSpec> specs(List<TfSavedModel.Port> ports) {
        List<TensorSpec> s = new ArrayList<>();
        for (TfSavedModel.Port p : ports) {
            s.add(new TensorSpec(p.key(), p.shape(), DataType.FLOAT32,
                    p.shape().rank() == 4 ? Layout.NHWC : Layout.ANY, null));
        }
        return List.copyOf(s);
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
        return model.run(in);
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "SavedModelRunner{" + inputs + " -> " + outputs + "}";
    }
}
