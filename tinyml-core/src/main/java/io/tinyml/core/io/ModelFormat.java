package io.tinyml.core.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A model file format the SDK can read or write, with how to recognize it from a file's first
 * bytes and from its extension. Adding a format (ONNX, Keras) means adding a constant here and a
 * case in {@link ModelIO}. Thread-safe (an enum).
 */
public enum ModelFormat {
    /** TFLite flatbuffer: identifier {@code TFL3} at byte offset 4, extension {@code .tflite}. */
    TFLITE("TFLite flatbuffer (identifier TFL3)", List.of(".tflite")) {
        @Override
        public boolean matches(byte[] head) {
            return head.length >= 8 && head[4] == 'T' && head[5] == 'F' && head[6] == 'L' && head[7] == '3';
        }
    },
    /** ONNX protobuf ({@code .onnx}); recognised by its extension (protobuf has no signature). */
    ONNX("ONNX model (.onnx)", List.of(".onnx")) {
        @Override
        public boolean matches(byte[] head) {
            return false;
        }
    },
    /** Keras 2 HDF5 ({@code .h5}) or Keras 3 zip ({@code .keras}; recognised by its extension). */
    KERAS("Keras model (.h5 HDF5 or .keras)", List.of(".h5", ".hdf5", ".keras")) {
        @Override
        public boolean matches(byte[] head) {
            return isHdf5(head);
        }
    },
    /** A TensorFlow SavedModel: a directory holding {@code saved_model.pb}. */
    SAVEDMODEL("TensorFlow SavedModel directory (saved_model.pb)", List.of()) {
        @Override
        public boolean matches(byte[] head) {
            return false;
        }
    };

    /** How many leading bytes {@link #detect(byte[], Path)} looks at. */
    public static final int HEAD_BYTES = 16;

    private final String description;
    private final List<String> extensions;

    ModelFormat(String description, List<String> extensions) {
        this.description = description;
        this.extensions = extensions;
    }

    /**
     * Tells whether a file's first bytes carry this format's signature.
     *
     * @param head the first bytes of the file (up to {@link #HEAD_BYTES})
     * @return true if the signature matches
     */
    public abstract boolean matches(byte[] head);

    /**
     * Returns a human-readable description, for messages.
     *
     * @return e.g. "TFLite flatbuffer (identifier TFL3)"
     */
    public String description() {
        return description;
    }

    /**
     * Returns the file extensions of this format, lower case, with the dot.
     *
     * @return the extensions
     */
    public List<String> extensions() {
        return extensions;
    }

    /**
     * Finds the format of a file: by content first, then by extension.
     *
     * @param head the file's first bytes
     * @param path the file, for its extension
     * @return the format, or empty if neither content nor extension is recognized
     */
    public static Optional<ModelFormat> detect(byte[] head, Path path) {
        for (ModelFormat f : values()) {
            if (f.matches(head)) {
                return Optional.of(f);
            }
        }
        return byExtension(path);
    }

    /**
     * Finds the format for a file name's extension.
     *
     * @param path the file
     * @return the format, or empty for unknown extensions
     */
    public static Optional<ModelFormat> byExtension(Path path) {
        Path name = path.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.extensions.stream().anyMatch(n::endsWith)).findFirst();
    }

    /**
     * Describes what a file's first bytes look like, for "expected X, found Y" messages: a known
     * foreign signature (HDF5, ZIP, ...) or the bytes in hex.
     *
     * @param head the first bytes
     * @return a short description
     */
    public static String describeHead(byte[] head) {
        if (head.length == 0) {
            return "an empty file";
        }
        if (isHdf5(head)) {
            return "an HDF5 file";
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return "a ZIP archive (a Keras 3 model must end in .keras; a TorchScript .pt model runs in 'tinyml verify',"
                    + " and converts through its ONNX export)";
        }
        StringBuilder s = new StringBuilder("bytes ");
        for (int i = 0; i < Math.min(head.length, 8); i++) {
            s.append(String.format("%02x", head[i] & 0xff)).append(i < 7 && i < head.length - 1 ? " " : "");
        }
        String ascii = new String(head, 0, Math.min(head.length, 8), StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", ".");
        return s.append(" (\"").append(ascii).append("\")").toString();
    }

    private static boolean isHdf5(byte[] head) {
        return head.length >= 8 && head[0] == (byte) 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F';
    }
}
