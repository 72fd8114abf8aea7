package io.tinyml.core.data.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.ir.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format): an images file (idx3, unsigned bytes, N×H×W) and a labels file
 * (idx1, unsigned bytes, N), each optionally gzip-compressed (detected by the magic 0x1f8b).
 *
 * <p>Headers are validated before anything is allocated: the declared payload must match the file
 * length exactly for plain files and must not exceed what deflate can produce from the file's
 * compressed length (1032:1) for gzip files; values are then read incrementally, so a lying header
 * ends in a "truncated" error rather than a huge allocation. Stateless and thread-safe.
 */
public final class IdxReader {
    private static final Logger log = LoggerFactory.getLogger(IdxReader.class);
    /** Deflate cannot expand more than about 1032:1; a little headroom for gzip framing. */
    private static final long MAX_GZIP_RATIO = 1040;
    private static final int UNSIGNED_BYTE = 0x08;
    private static final long MAX_IMAGE_PIXELS = 64L << 20;
    private static final long GZIP_RESERVE_BYTES = 64L << 20;

    private IdxReader() {
    }

    /**
     * Reads an images file and its labels file.
     *
     * @param images the idx3 images file
     * @param labels the idx1 labels file
     * @return the data set, samples of shape {@code [h, w, 1]}, classes "0" up to the largest label
     * @throws DatasetException if a file is malformed or the counts differ
     * @throws IOException if a file cannot be read
     */
    public static Dataset read(Path images, Path labels) throws IOException {
        int[] labelValues = readLabels(labels);
        try (DataInputStream in = open(images)) {
            int[] dims = header(in, images, 3);
            int n = dims[0];
            int h = dims[1];
            int w = dims[2];
            if (h == 0 || w == 0) {
                throw new DatasetException(images + ": expected positive image dimensions, found " + h + "x" + w);
            }
            if ((long) h * w > MAX_IMAGE_PIXELS) {
                throw new DatasetException(images + ": expected images of at most " + MAX_IMAGE_PIXELS + " pixels, found "
                        + h + "x" + w);
            }
            long payload = (long) n * h * w;
            checkPayload(images, payload, 16);
            if (n != labelValues.length) {
                throw new DatasetException("expected as many labels as images, found " + n + " images in " + images
                        + " and " + labelValues.length + " labels in " + labels);
            }
            // a gzip header is only bounded by the deflate ratio: reserve little, grow as real data arrives
            int reserve = IdxReader.isGzip(images) ? (int) Math.min(n, Math.max(1, GZIP_RESERVE_BYTES / ((long) h * w))) : n;
            Dataset.Builder b = Dataset.builder(Shape.of(h, w, 1)).optSource(images.toString()).optExpectedSize(reserve);
            byte[] image = new byte[h * w];
            for (int i = 0; i < n; i++) {
                try {
                    in.readFully(image);
                } catch (ZipException e) {
                    throw new DatasetException(images + ": expected valid gzip data, found corrupt data in image " + i
                            + ": " + e.getMessage(), e);
                } catch (EOFException e) {
                    throw new DatasetException(images + ": expected " + n + " images of " + h + "x" + w
                            + ", found only " + i + " (file truncated)", e);
                }
                b.addUnsigned8(image, labelValues[i]);
            }
            expectEnd(in, images);
            Dataset d = b.build();
            log.debug("Read {} IDX images of {}x{} from {}", n, h, w, images);
            return d;
        }
    }

    /**
     * Reads a labels file.
     *
     * @param labels the idx1 file
     * @return the labels, 0..255
     * @throws DatasetException if the file is malformed
     * @throws IOException if the file cannot be read
     */
    public static int[] readLabels(Path labels) throws IOException {
        try (DataInputStream in = open(labels)) {
            int n = header(in, labels, 1)[0];
            checkPayload(labels, n, 8);
            byte[] raw = new byte[n];
            try {
                in.readFully(raw);
            } catch (ZipException e) {
                throw new DatasetException(labels + ": expected valid gzip data, found corrupt data: " + e.getMessage(), e);
            } catch (EOFException e) {
                throw new DatasetException(labels + ": expected " + n + " labels, found fewer (file truncated)", e);
            }
            expectEnd(in, labels);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = raw[i] & 0xff;
            }
            return out;
        }
    }

    /**
     * Tells whether a file starts with the gzip magic number.
     *
     * @param file the file
     * @return true if gzip-compressed
     * @throws IOException if the file cannot be read
     */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new DataInputStream(isGzip(file) ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
        } catch (IOException e) {
            raw.close();
            throw new DatasetException(file + ": expected a gzip stream, found a corrupt one: " + e.getMessage(), e);
        }
    }

    private static int[] header(DataInputStream in, Path file, int rank) throws IOException {
        byte[] magic = new byte[4];
        int[] dims = new int[rank];
        try {
            in.readFully(magic);
            if (magic[0] != 0 || magic[1] != 0 || (magic[2] & 0xff) != UNSIGNED_BYTE || magic[3] != rank) {
                throw new DatasetException(file + ": expected IDX magic 0x0000080" + rank + " (unsigned bytes, rank "
                        + rank + "), found 0x" + String.format("%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]));
            }
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new DatasetException(file + ": expected non-negative dimension " + i + ", found "
                            + Integer.toUnsignedString(dims[i]));
                }
            }
        } catch (EOFException e) {
            throw new DatasetException(file + ": expected a " + (4 + 4 * rank) + "-byte IDX header, found a truncated file", e);
        }
        return dims;
    }

    private static void checkPayload(Path file, long payload, int headerBytes) throws IOException {
        long length = Files.size(file);
        if (isGzip(file)) {
            if (payload > length * MAX_GZIP_RATIO) {
                throw new DatasetException(file + ": expected at most " + length * MAX_GZIP_RATIO
                        + " bytes of data from a " + length + "-byte gzip file, found a header declaring " + payload);
            }
        } else if (payload + headerBytes != length) {
            throw new DatasetException(file + ": expected " + (payload + headerBytes) + " bytes as the header declares, found "
                    + length);
        }
        if (payload > Integer.MAX_VALUE - 8) {
            throw new DatasetException(file + ": expected at most " + (Integer.MAX_VALUE - 8) + " bytes of data, found "
                    + payload + " declared");
        }
    }

    private static void expectEnd(InputStream in, Path file) throws IOException {
        if (in.read() >= 0) {
            throw new DatasetException(file + ": expected the end of the data after the declared count, found more bytes");
        }
    }
}
