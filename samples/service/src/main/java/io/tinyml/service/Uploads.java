package io.tinyml.service;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.io.ModelFormat;
import io.tinyml.core.io.keras.KerasReader;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.UUID;

/**
 * Stores uploads safely: streams them to a temporary file under a generated name while counting bytes
 * against the tier's limit (413 past it), recognizes the format from the content (TFLite's {@code TFL3}
 * identifier, the HDF5 signature of Keras files, otherwise a full parse as ONNX protobuf; the uploaded
 * name's extension is ignored), validates it with the SDK's readers and their limits, and only then
 * moves it into {@code uploads/}. Dataset archives go through the SDK's safe zip reader (no path
 * escaping the root, no links, entry count, size and compression-ratio limits). Anything refused is
 * deleted. Thread-safe.
 */
final class Uploads {
    /** A stored upload. @param name generated name @param format tflite, onnx, keras or zip @param size bytes @param detail what it is */
    record Stored(String name, String format, long size, String detail) {
    }

    private final DataDir data;

    Uploads(DataDir data) {
        this.data = data;
    }

    /** Validates a spooled upload and stores it, or throws an {@link ApiException}. */
    @FunctionalInterface
    private interface Check {
        Stored run(Path tmp) throws IOException;
    }

    Stored model(InputStream in, long limit) throws IOException {
        return store(in, limit, "model_file", this::model);
    }

    Stored dataset(InputStream in, long limit) throws IOException {
        return store(in, limit, "dataset_file", this::dataset);
    }

    private Stored store(InputStream in, long limit, String field, Check check) throws IOException {
        Path tmp = spool(in, limit, field);
        try {
            return check.run(tmp);
        } catch (ApiException e) {
            // the readers name the file they read: never show the server's paths
            throw new ApiException(e.status(), e.getMessage().replace(tmp.toString(), "the upload"));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Stored model(Path tmp) throws IOException {
        byte[] head;
        try (InputStream h = Files.newInputStream(tmp)) {
            head = h.readNBytes(ModelFormat.HEAD_BYTES);
        }
        Model m;
        String format;
        try {
            if (ModelFormat.TFLITE.matches(head)) {
                format = "tflite";
                m = TfliteReader.read(tmp);
            } else if (ModelFormat.KERAS.matches(head)) {
                format = "keras";
                m = KerasReader.read(tmp);
            } else if (head.length >= 2 && head[0] == 'P' && head[1] == 'K') {
                throw new ApiException(400, "model_file: expected a model file, found a zip archive (Keras 3 "
                        + ".keras archives and SavedModel directories are not accepted here; upload .h5, .tflite or .onnx)");
            } else {
                format = "onnx";
                try {
                    m = OnnxReader.read(tmp);
                } catch (MalformedModelException e) {
                    if (head.length > 0 && head[0] == 0x08) {
                        // starts like an ONNX ModelProto (field 1, ir_version): the reader's reason says it all
                        throw new ApiException(400, "model_file: ONNX model refused: " + e.getMessage());
                    }
                    throw new ApiException(400, "model_file: expected a TFLite flatbuffer (TFL3), a Keras HDF5 file "
                            + "or an ONNX protobuf, found " + ModelFormat.describeHead(head) + " (" + e.getMessage() + ")");
                }
            }
        } catch (MalformedModelException e) {
            throw new ApiException(400, "model_file: " + e.getMessage());
        } catch (UnsupportedOperatorException e) {
            throw new ApiException(422, "model_file: " + e.getMessage());
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw new ApiException(400, "model_file: cannot read the model: " + Worker.oneLine(e));
        }
        if (m.graph().inputs().isEmpty()) {
            throw new ApiException(422, "model_file: expected a model with at least one input, found none");
        }
        String name = UUID.randomUUID() + ".bin";
        long size = Files.size(tmp);
        Files.move(tmp, data.upload(name), StandardCopyOption.ATOMIC_MOVE);
        return new Stored(name, format, size, m.graph().nodes().size() + " nodes");
    }

    private Stored dataset(Path tmp) throws IOException {
        byte[] head;
        try (InputStream h = Files.newInputStream(tmp)) {
            head = h.readNBytes(4);
        }
        if (!Arrays.equals(head, new byte[] {'P', 'K', 3, 4})) {
            throw new ApiException(400, "dataset_file: expected a zip archive (PK\\3\\4), found "
                    + ModelFormat.describeHead(head));
        }
        Dataset d;
        try {
            d = Datasets.readZip(tmp);
        } catch (DatasetException e) {
            throw new ApiException(400, "dataset_file: " + e.getMessage());
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            throw new ApiException(400, "dataset_file: cannot read the archive: " + Worker.oneLine(e));
        }
        String name = UUID.randomUUID() + ".zip";
        long size = Files.size(tmp);
        Files.move(tmp, data.upload(name), StandardCopyOption.ATOMIC_MOVE);
        return new Stored(name, "zip", size, d.size() + " samples of shape " + d.sampleShape());
    }

    private Path spool(InputStream in, long limit, String field) throws IOException {
        Path tmp = data.tmp().resolve(UUID.randomUUID() + ".part");
        boolean ok = false;
        try (InputStream src = in; OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = src.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw new ApiException(413, field + ": upload larger than the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            if (total == 0) {
                throw new ApiException(400, field + ": the uploaded file is empty");
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
