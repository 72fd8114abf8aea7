package io.tinyml.core.io.keras;

import io.tinyml.core.io.internal.ReaderEntry;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.io.keras.internal.Cfg;
import io.tinyml.core.io.keras.internal.Hdf5Weights;
import io.tinyml.core.io.keras.internal.KerasGraph;
import io.tinyml.core.io.keras.internal.KerasWeights;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.InvalidGraphException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Reads a Keras model into the IR: a Keras 2 / TF-Keras HDF5 file ({@code .h5}: root attribute
 * {@code model_config} and group {@code model_weights}) or a Keras 3 archive ({@code .keras}: a zip
 * holding {@code config.json} and {@code model.weights.h5}). The format is told by the file's
 * signature, not its name.
 *
 * <p>Sequential and Functional models are read; supported layers: InputLayer, Conv2D,
 * DepthwiseConv2D, SeparableConv2D (a depthwise then a 1x1 convolution), Dense (a fully-connected
 * layer; on inputs of rank above 2 it keeps the leading dimensions), BatchNormalization, Activation,
 * ReLU, LeakyReLU, Softmax, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D (a mean over axes
 * 1 and 2), Flatten, Reshape, Dropout and SpatialDropout2D (identity reshapes the standard passes
 * remove), Add, Multiply, Subtract, Concatenate, ZeroPadding2D, Permute (a transpose) and Rescaling
 * (scalar scale and offset). Activations {@code linear, relu, relu6, tanh} fuse
 * into convolutions and dense layers; {@code sigmoid, softmax, hard_swish/hard_silu, swish/silu,
 * leaky_relu} become nodes after them. Only {@code channels_last} is read: {@code channels_first}
 * layers are refused with an {@link UnsupportedOperatorException} (convert the model in Keras first).
 * An unknown batch dimension becomes 1; other unknown dimensions are refused. Weights become the
 * IR's layouts: convolution kernels OHWI, depthwise kernels {@code [1, KH, KW, C*M]} (channel
 * {@code c*M + m}, as TFLite), dense kernels {@code [out, in]}.
 *
 * <p>Model metadata carries {@code keras_version} and {@code backend} when the file records them;
 * the provenance records the source, the SHA-256 of the file and the reader {@value #READER}.
 *
 * <p>Hostile input ends in a {@link MalformedModelException} (or {@link UnsupportedOperatorException},
 * or an {@link IOException} for I/O failures), never in a stack overflow or an unbounded allocation:
 * the JSON parser bounds depth, size and value count; zip archives are streamed from memory with at
 * most {@value #MAX_ZIP_ENTRIES} entries and {@value #MAX_CONFIG_BYTES} bytes of configuration, and
 * entries are only compared by name, never extracted (an archive that cannot be streamed, with stored
 * entries followed by data descriptors, is read from a private temporary copy deleted at once); weights are
 * checked against the shapes the configuration implies before their data is read; activations over
 * 1 GiB in total are refused. Stateless and thread-safe.
 *
 * <pre>{@code
 * Model m = KerasReader.read(Path.of("ic_resnet8.h5"));
 * Tensor in = m.graph().inputTensor(0); // FLOAT32 [1, 32, 32, 3]
 * }</pre>
 */
public final class KerasReader {
    /** The reader name and version recorded in provenance. */
    public static final String READER = "keras-reader/1";
    /** The largest file accepted, in bytes. */
    public static final long MAX_FILE_BYTES = ReaderEntry.MAX_FILE_BYTES;
    /** The largest {@code config.json} / {@code metadata.json} accepted, in bytes (16 MiB). */
    public static final int MAX_CONFIG_BYTES = 16 << 20;
    /** The most entries read from a {@code .keras} archive. */
    public static final int MAX_ZIP_ENTRIES = 4096;

    private static final Logger log = LoggerFactory.getLogger(KerasReader.class);
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasReader() {
    }

    /**
     * Reads a Keras {@code .h5} or {@code .keras} file.
     *
     * @param path the file
     * @return the model, its provenance naming the path
     * @throws IOException if the file cannot be read ({@link java.nio.file.NoSuchFileException} if missing)
     * @throws MalformedModelException if the file is not a valid Keras model or breaks an IR rule
     * @throws UnsupportedOperatorException if the model uses a layer or option the reader does not support
     */
    public static Model read(Path path) throws IOException, MalformedModelException, UnsupportedOperatorException {
        return read(ReaderEntry.readFile(path, "a Keras file"), path.toString());
    }

    /**
     * Reads a Keras {@code .h5} or {@code .keras} file held in memory.
     *
     * @param bytes the file's bytes; not modified, not retained
     * @param sourceName the name recorded in provenance and used in messages
     * @return the model
     * @throws IOException if an archive cannot be inflated
     * @throws MalformedModelException if the bytes are not a valid Keras model or break an IR rule
     * @throws UnsupportedOperatorException if the model uses a layer or option the reader does not support
     */
    public static Model read(byte[] bytes, String sourceName)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        return ReaderEntry.guarded(sourceName, "'" + sourceName + "': ", () -> {
            Map<String, String> metadata = new LinkedHashMap<>();
            Graph g;
            if (bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
                g = readKeras3(bytes, sourceName, metadata);
            } else if (isHdf5(bytes)) {
                g = readH5(bytes, sourceName, metadata);
            } else {
                throw new MalformedModelException("'" + sourceName + "': expected an HDF5 signature (\\x89HDF) or a zip "
                        + "archive (PK\\x03\\x04), found neither");
            }
            Provenance prov = ReaderEntry.provenance(sourceName, bytes, READER);
            log.debug("read {}: {} nodes, {} tensors", sourceName, g.nodes().size(), g.tensors().size());
            return Model.of(g, metadata, prov);
        });
    }

    /**
     * Translates a model configuration (the {@code model_config} JSON text) with weights from any
     * source, for tests that hold the parts separately (package-private: {@link KerasWeights} is internal).
     *
     * @param configJson the model configuration
     * @param weights the stored weights
     * @param sourceName the name used in messages and provenance
     * @return the model, without a source hash
     * @throws MalformedModelException if the configuration is invalid or does not match the weights
     * @throws UnsupportedOperatorException if a layer or option is not supported
     */
    static Model fromConfig(String configJson, KerasWeights weights, String sourceName)
            throws MalformedModelException, UnsupportedOperatorException {
        try {
            return ReaderEntry.guarded(sourceName, "'" + sourceName + "': ", () -> Model.of(
                    KerasGraph.translate(Cfg.parse(configJson, "'" + sourceName + "': model config"), weights, sourceName),
                    Map.of(), new Provenance(sourceName, "", READER, List.of())));
        } catch (IOException e) {
            throw new IllegalStateException("expected no I/O from an in-memory configuration, found " + e, e);
        }
    }

    private static Graph readH5(byte[] bytes, String source, Map<String, String> metadata)
            throws MalformedModelException, UnsupportedOperatorException {
        try (HdfFile f = openHdf(bytes, source)) {
            String config = Hdf5Weights.stringAttribute(f, "model_config");
            if (config == null) {
                throw new MalformedModelException("'" + source + "': expected root attribute 'model_config' (a model "
                        + "saved with model.save), found none (a weights-only file?)");
            }
            Node mw = child(f, "model_weights", source);
            Group weightsGroup = mw instanceof Group g ? g : f;
            for (String key : List.of("keras_version", "backend")) {
                String v = Hdf5Weights.stringAttribute(weightsGroup, key);
                v = v == null ? Hdf5Weights.stringAttribute(f, key) : v;
                if (v != null) {
                    metadata.put(key, v);
                }
            }
            String version = metadata.getOrDefault("keras_version", "");
            if (version.startsWith("1.")) {
                throw new UnsupportedOperatorException("Keras " + version, "'" + source + "': Keras " + version
                        + " files are not supported by the Keras reader; expected Keras 2 or 3 (re-save the model with "
                        + "Keras 2 or later)");
            }
            KerasWeights w = Hdf5Weights.keras2(weightsGroup, source, bytes.length);
            return KerasGraph.translate(Cfg.parse(config, "'" + source + "': model_config"), w, source);
        } catch (RuntimeException e) {
            throw rethrow(e, source);
        }
    }

    private static Graph readKeras3(byte[] bytes, String source, Map<String, String> metadata)
            throws IOException, MalformedModelException, UnsupportedOperatorException {
        Map<String, byte[]> parts = unzip(bytes, source);
        byte[] config = parts.get("config.json");
        byte[] weights = parts.get("model.weights.h5");
        if (config == null) {
            throw new MalformedModelException("'" + source + "': expected entry 'config.json' in the .keras archive, "
                    + "found entries " + parts.keySet());
        }
        if (parts.containsKey("metadata.json")) {
            Cfg meta = Cfg.of(Cfg.parse(utf8(parts.get("metadata.json"), source, "metadata.json"),
                    "'" + source + "': metadata.json"), "'" + source + "': metadata.json");
            for (String key : List.of("keras_version", "backend")) {
                if (meta.raw(key) instanceof String s) {
                    metadata.put(key, s);
                }
            }
        }
        Object cfg = Cfg.parse(utf8(config, source, "config.json"), "'" + source + "': config.json");
        if (weights == null) {
            throw new MalformedModelException("'" + source + "': expected entry 'model.weights.h5' in the .keras "
                    + "archive, found entries " + parts.keySet());
        }
        if (!isHdf5(weights)) {
            throw new MalformedModelException("'" + source + "': model.weights.h5: expected an HDF5 signature, found "
                    + "none");
        }
        try (HdfFile f = openHdf(weights, source + "!model.weights.h5")) {
            return KerasGraph.translate(cfg, Hdf5Weights.keras3(f, source + "!model.weights.h5", weights.length), source);
        } catch (RuntimeException e) {
            throw rethrow(e, source);
        }
    }

    /**
     * Reads the archive entries we use into memory, bounded. The archive is streamed from memory;
     * only when streaming cannot read it (a stored entry with a trailing data descriptor, as a
     * writer to a non-seekable stream produces) is it copied to a private temporary file, read
     * through its central directory and deleted. Nothing is ever extracted.
     */
    private static Map<String, byte[]> unzip(byte[] bytes, String source) throws IOException, MalformedModelException {
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            Map<String, byte[]> out = new HashMap<>();
            int entries = 0;
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                keep(out, ++entries, e.getName(), z, bytes.length, source);
            }
            return out;
        } catch (ZipException e) {
            if (e.getMessage() == null || !e.getMessage().contains("EXT descriptor")) {
                throw new MalformedModelException("'" + source + "': corrupt .keras archive: " + e.getMessage(), e);
            }
            log.debug("{}: stored entries with data descriptors; reading the central directory", source);
            return unzipCentral(bytes, source);
        }
    }

    private static Map<String, byte[]> unzipCentral(byte[] bytes, String source)
            throws IOException, MalformedModelException {
        Path tmp;
        try {
            tmp = Files.createTempFile("tinyml-keras", ".zip",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile("tinyml-keras", ".zip"); // not POSIX: the platform's private temp dir
        }
        try {
            Files.write(tmp, bytes);
            try (ZipFile zf = new ZipFile(tmp.toFile())) {
                if (zf.size() > MAX_ZIP_ENTRIES) {
                    throw new MalformedModelException("'" + source + "': expected at most " + MAX_ZIP_ENTRIES
                            + " archive entries, found " + zf.size());
                }
                Map<String, byte[]> out = new HashMap<>();
                int entries = 0;
                for (ZipEntry e : java.util.Collections.list(zf.entries())) {
                    try (InputStream in = zf.getInputStream(e)) {
                        keep(out, ++entries, e.getName(), in, bytes.length, source);
                    }
                }
                return out;
            } catch (ZipException e) {
                throw new MalformedModelException("'" + source + "': corrupt .keras archive: " + e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Keeps an entry the reader uses, read with its size bound; skips the others unread. */
    private static void keep(Map<String, byte[]> out, int entries, String name, InputStream in, long archiveBytes,
                             String source) throws IOException, MalformedModelException {
        if (entries > MAX_ZIP_ENTRIES) {
            throw new MalformedModelException("'" + source + "': expected at most " + MAX_ZIP_ENTRIES
                    + " archive entries, found more");
        }
        long limit = switch (name) {
            case "config.json", "metadata.json" -> MAX_CONFIG_BYTES;
            case "model.weights.h5" -> Math.min(MAX_FILE_BYTES, 8L * archiveBytes + (64L << 20));
            default -> -1;
        };
        if (limit < 0) {
            return;
        }
        if (out.containsKey(name)) {
            throw new MalformedModelException("'" + source + "': expected one archive entry '" + name + "', found two");
        }
        out.put(name, readBounded(in, limit, source + "!" + name));
    }

    private static byte[] readBounded(InputStream in, long limit, String what) throws IOException,
            MalformedModelException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            total += n;
            if (total > limit) {
                throw new MalformedModelException("'" + what + "': expected at most " + limit + " bytes, found more");
            }
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    private static HdfFile openHdf(byte[] bytes, String source) throws MalformedModelException {
        try {
            return HdfFile.fromBytes(bytes);
        } catch (RuntimeException e) {
            throw new MalformedModelException("'" + source + "': corrupt HDF5 file: " + e.getMessage(), e);
        }
    }

    private static Node child(Group g, String name, String source) throws MalformedModelException {
        try {
            return g.getChildren().get(name);
        } catch (RuntimeException e) {
            throw new MalformedModelException("'" + source + "': cannot list HDF5 group '" + g.getPath() + "': "
                    + e.getMessage(), e);
        }
    }

    private static MalformedModelException rethrow(RuntimeException e, String source) {
        if (e instanceof InvalidGraphException) {
            return new MalformedModelException("'" + source + "': " + e.getMessage(), e);
        }
        return new MalformedModelException("'" + source + "': corrupt HDF5 content: " + e, e);
    }

    private static String utf8(byte[] b, String source, String what) throws MalformedModelException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedModelException("'" + source + "': " + what + ": expected UTF-8 text, found invalid bytes",
                    e);
        }
    }

    private static boolean isHdf5(byte[] b) {
        // the superblock may follow a user block of 512, 1024, 2048, ... bytes
        for (long off = 0; off + 8 <= b.length; off = off == 0 ? 512 : off * 2) {
            boolean match = true;
            for (int i = 0; i < 8 && match; i++) {
                match = b[(int) off + i] == HDF5_SIGNATURE[i];
            }
            if (match) {
                return true;
            }
        }
        return false;
    }
}
