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
        if (head.length >= 8 && head[0] == (byte) 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
            return "an HDF5 file (a Keras .h5 model?), which this version does not read";
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return "a ZIP archive (a Keras v3 or TorchScript model?), which this version does not read";
        }
        StringBuilder s = new StringBuilder("bytes ");
        for (int i = 0; i < Math.min(head.length, 8); i++) {
            s.append(String.format("%02x", head[i] & 0xff)).append(i < 7 && i < head.length - 1 ? " " : "");
        }
        String ascii = new String(head, 0, Math.min(head.length, 8), StandardCharsets.ISO_8859_1)
                .replaceAll("[^\\x20-\\x7e]", ".");
        return s.append(" (\"").append(ascii).append("\")").toString();
    }
}
