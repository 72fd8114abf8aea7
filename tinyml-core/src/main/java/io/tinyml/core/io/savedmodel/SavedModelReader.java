package io.tinyml.core.io.savedmodel;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.internal.ReaderEntry;
import io.tinyml.core.io.savedmodel.internal.TensorFlowSupport;
import io.tinyml.core.io.savedmodel.internal.TfSavedModel;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.InvalidGraphException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a TensorFlow SavedModel directory into the IR, with TensorFlow Java (an optional dependency:
 * {@code org.tensorflow:tensorflow-core-api} and {@code tensorflow-core-native}).
 *
 * <p>The model is loaded with the tag {@code serve}; the {@value #SIGNATURE} signature names the
 * inputs and outputs (ordered by key; dynamic dimensions such as the batch become 1). Keras puts the
 * layers in the function library behind {@code StatefulPartitionedCall}: the reader follows the
 * signature outputs through the calls, binding each function's arguments, so that only the
 * operators the serving computation executes are imported. Variables are read from the restored
 * session. Operators become IR operators with TensorFlow's semantics:
 * {@code Conv2D}, {@code DepthwiseConv2dNative}, {@code MatMul} (weights transposed to
 * {@code [out, in]}; with a following {@code BiasAdd}, one {@code FullyConnected}), {@code BiasAdd}
 * (fused into the preceding convolution or fully-connected layer, else an {@code Add}), {@code Relu},
 * {@code Relu6}, {@code FusedBatchNormV3} (inference; {@code BatchNormalization}), {@code AvgPool},
 * {@code MaxPool} (and {@code MaxPoolV2}), {@code Mean}, {@code Reshape}, {@code Squeeze}, {@code Softmax}, {@code AddV2},
 * {@code Pad} (and {@code PadV2}), {@code Identity} (a {@code Reshape} to the same shape) and {@code Const}. Filters are
 * converted to the IR's OHWI and 1HWO layouts. Any other operator ends the import with an
 * {@link UnsupportedOperatorException} naming the operator and the node.
 *
 * <p>The provenance records the directory, the SHA-256 of {@code saved_model.pb} and the variable
 * files, and the reader {@value #READER}; the metadata records the signature under {@code signature}.
 * Stateless and thread-safe (each call loads its own TensorFlow session and closes it).
 *
 * <pre>{@code
 * Model m = SavedModelReader.read(Path.of("models/savedmodel/kws_dscnn"));
 * Tensor in = m.graph().inputTensor(0); // FLOAT32 [1, 49, 10, 1] "input_1"
 * }</pre>
 */
public final class SavedModelReader {
    /** The reader name and version recorded in provenance. */
    public static final String READER = "savedmodel-reader/1";
    /** The signature read. */
    public static final String SIGNATURE = "serving_default";

    private static final Logger log = LoggerFactory.getLogger(SavedModelReader.class);

    private SavedModelReader() {
    }

    /**
     * Reads a SavedModel directory.
     *
     * @param dir the directory holding {@code saved_model.pb} and {@code variables/}
     * @return the model
     * @throws IOException if the directory is not a SavedModel or cannot be read
     *     ({@link java.nio.file.NoSuchFileException} when {@code saved_model.pb} is missing)
     * @throws MalformedModelException if TensorFlow cannot load it, the signature is missing or the graph
     *     breaks an IR rule
     * @throws UnsupportedOperatorException if the computation uses an operator the reader does not map
     * @throws IllegalStateException if TensorFlow Java is not on the classpath
     */
    public static Model read(Path dir) throws IOException, MalformedModelException, UnsupportedOperatorException {
        TensorFlowSupport.require();
        Provenance prov = ReaderEntry.provenance(dir.toString(), files(dir), READER);
        try (TfSavedModel tf = TfSavedModel.load(dir, SIGNATURE)) {
            Graph g;
            try {
                g = tf.importGraph().build();
            } catch (InvalidGraphException e) {
                throw new MalformedModelException("'" + dir + "': " + e.getMessage(), e);
            }
            log.debug("imported {} nodes from SavedModel {}", g.nodes().size(), dir);
            return Model.of(g, Map.of("signature", SIGNATURE), prov);
        }
    }

    /** The files the source hash covers: saved_model.pb then the variable files in name order. */
    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new java.util.ArrayList<>();
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.isRegularFile(pb)) {
            throw new java.nio.file.NoSuchFileException(pb.toString(), null,
                    "expected a SavedModel directory holding saved_model.pb");
        }
        files.add(pb);
        Path vars = dir.resolve("variables");
        if (Files.isDirectory(vars)) {
            try (Stream<Path> s = Files.list(vars)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        return files;
    }
}
