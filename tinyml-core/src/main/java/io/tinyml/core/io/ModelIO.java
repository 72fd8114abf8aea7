package io.tinyml.core.io;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.keras.KerasReader;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.onnx.OnnxWriter;
import io.tinyml.core.io.savedmodel.SavedModelReader;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads and writes models in any supported {@link ModelFormat}, choosing the format from the
 * file's content (and, failing that, its extension) when reading and from the extension when
 * writing. Stateless and thread-safe.
 *
 * <pre>{@code
 * Model m = ModelIO.read(Path.of("kws.tflite"));
 * ModelIO.write(m, Path.of("kws-copy.tflite"));
 * }</pre>
 */
public final class ModelIO {
    private ModelIO() {
    }

    /**
     * Reads a model file, detecting its format.
     *
     * @param path the file
     * @return the model
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if missing)
     * @throws MalformedModelException if the format is not recognized or the file is malformed
     * @throws UnsupportedOperatorException if the model uses an operator the reader does not support
     */
    public static Model read(Path path) throws IOException, MalformedModelException, UnsupportedOperatorException {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
                return SavedModelReader.read(path);
            }
            throw new MalformedModelException("cannot read '" + path + "': expected a model file or a "
                    + ModelFormat.SAVEDMODEL.description() + ", found a directory without saved_model.pb");
        }
        byte[] head = head(path);
        Optional<ModelFormat> format = ModelFormat.detect(head, path);
        if (format.isEmpty()) {
            throw new MalformedModelException("cannot read '" + path + "': expected a "
                    + expectedFormats() + ", found " + ModelFormat.describeHead(head));
        }
        return switch (format.get()) {
            case TFLITE -> TfliteReader.read(path);
            case ONNX -> OnnxReader.read(path);
            case KERAS -> KerasReader.read(path);
            case SAVEDMODEL -> SavedModelReader.read(path);
        };
    }

    /**
     * Writes a model in the format its file extension names, atomically.
     *
     * @param model the model
     * @param path the target file; its extension chooses the format
     * @throws IOException if writing fails
     * @throws UnsupportedOperatorException if the format cannot express an operator of the model
     * @throws IllegalArgumentException if the extension names no supported format
     */
    public static void write(Model model, Path path) throws IOException, UnsupportedOperatorException {
        ModelFormat format = ModelFormat.byExtension(path).orElseThrow(() -> new IllegalArgumentException(
                "expected a file name ending in one of " + writableExtensions() + ", found '" + path.getFileName() + "'"));
        switch (format) {
            case TFLITE -> TfliteWriter.write(model, path);
            case ONNX -> OnnxWriter.write(model, path);
            case KERAS, SAVEDMODEL -> throw new IllegalArgumentException("expected a file name ending in one of "
                    + writableExtensions() + ", found '" + path.getFileName() + "' (" + format.description()
                    + " is read, not written)");
        }
    }

    private static byte[] head(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(ModelFormat.HEAD_BYTES);
        }
    }

    private static String expectedFormats() {
        return Arrays.stream(ModelFormat.values()).map(ModelFormat::description).collect(Collectors.joining(" or "));
    }

    private static String writableExtensions() {
        return List.of(ModelFormat.TFLITE.extensions().get(0), ModelFormat.ONNX.extensions().get(0)).toString();
    }
}
