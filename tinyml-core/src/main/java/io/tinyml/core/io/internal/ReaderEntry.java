package io.tinyml.core.io.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.InvalidGraphException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Provenance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The shared entry of the model readers (TFLite, ONNX, Keras, SavedModel): size limit, read, SHA-256,
 * provenance and the mapping of parser failures to {@link MalformedModelException}. Stateless and
 * thread-safe; not API.
 */
public final class ReaderEntry {
    /** The largest model file read into memory (the largest Java byte array, with headroom). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    /** The largest read fan-out cost accepted (see {@link #fanOutCost}). */
    public static final long MAX_FANOUT_COST = 1L << 26;

    private ReaderEntry() {
    }

    /** The body of a read, which may fail with the readers' checked exceptions or with a runtime exception. */
    @FunctionalInterface
    public interface Body {
        /**
         * Reads.
         *
         * @return the model
         * @throws IOException if reading fails
         * @throws MalformedModelException if the input is malformed
         * @throws UnsupportedOperatorException if an operator is not supported
         */
        Model read() throws IOException, MalformedModelException, UnsupportedOperatorException;
    }

    /**
     * Reads a whole model file after checking its size.
     *
     * @param path the file
     * @param what the expected content, for the message (e.g. "a TFLite file")
     * @return the bytes
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if missing)
     * @throws MalformedModelException if the file is larger than {@link #MAX_FILE_BYTES}
     */
    public static byte[] readFile(Path path, String what) throws IOException, MalformedModelException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new MalformedModelException("'" + path + "': expected " + what + " of at most " + MAX_FILE_BYTES
                    + " bytes, found " + size + " bytes");
        }
        return Files.readAllBytes(path);
    }

    /**
     * Runs a reader's body, turning the runtime failures a parser meets on hostile input (out-of-range
     * offsets, underflows, arithmetic overflow, invalid graphs) into a {@link MalformedModelException}.
     *
     * @param source the source name, for messages
     * @param corrupt the message prefix for a runtime failure (e.g. "corrupt TFLite flatbuffer 'm.tflite': ")
     * @param body the read
     * @return the model
     * @throws IOException if the body's I/O fails
     * @throws MalformedModelException if the input is malformed
     * @throws UnsupportedOperatorException if an operator is not supported
     */
    public static Model guarded(String source, String corrupt, Body body)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        try {
            return body.read();
        } catch (InvalidGraphException e) {
            throw new MalformedModelException("'" + source + "': " + e.getMessage(), e);
        } catch (IndexOutOfBoundsException | BufferUnderflowException | IllegalArgumentException
                 | IllegalStateException | ArithmeticException | NegativeArraySizeException e) {
            throw new MalformedModelException(corrupt + e, e);
        }
    }

    /**
     * The read fan-out cost of a graph: over its tensors, the number of reads times the number of distinct
     * nodes reading. Building consumer lists takes time in proportion to it, so readers refuse graphs above
     * {@link #MAX_FANOUT_COST} (only crafted files get near it).
     *
     * @param tensorCount the number of tensors
     * @param nodeInputs each node's input tensor indices, in node order; {@link Node#ABSENT} is skipped
     * @return the cost
     */
    public static long fanOutCost(int tensorCount, List<List<Integer>> nodeInputs) {
        int[] reads = new int[tensorCount];
        int[] distinct = new int[tensorCount];
        int[] last = new int[tensorCount];
        Arrays.fill(last, -1);
        for (int n = 0; n < nodeInputs.size(); n++) {
            for (int i : nodeInputs.get(n)) {
                if (i == Node.ABSENT) {
                    continue;
                }
                reads[i]++;
                if (last[i] != n) {
                    last[i] = n;
                    distinct[i]++;
                }
            }
        }
        long cost = 0;
        for (int i = 0; i < tensorCount; i++) {
            cost += (long) reads[i] * distinct[i];
        }
        return cost;
    }

    /**
     * The provenance of a model read from bytes: the source, their SHA-256 and the reader.
     *
     * @param source the source name
     * @param bytes the bytes read
     * @param reader the reader's name and version
     * @return the provenance, without passes
     */
    public static Provenance provenance(String source, byte[] bytes, String reader) {
        return new Provenance(source, hex(digest().digest(bytes)), reader, List.of());
    }

    /**
     * The provenance of a model read from several files (a SavedModel directory): SHA-256 over the files in
     * the given order.
     *
     * @param source the source name
     * @param files the files, in a stable order
     * @param reader the reader's name and version
     * @return the provenance, without passes
     * @throws IOException if a file cannot be read
     */
    public static Provenance provenance(String source, List<Path> files, String reader) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                while (in.read(buf) >= 0) {
                    // digesting
                }
            }
        }
        return new Provenance(source, hex(md.digest()), reader, List.of());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("expected SHA-256 in every Java runtime, found none", e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
