package io.tinyml.core.data;

import io.tinyml.core.data.internal.ImageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes data sets in a form {@link Datasets} reads back: image data sets as class sub-folders of
 * 8-bit PNG files (values rounded and clamped to 0..255), other data sets as one CSV file
 * ({@code data.csv}: a header row, the values, then the label), either in a folder or in a zip archive.
 *
 * <p>Class folders are written for every class, even empty ones, and images are named by their index
 * ({@code 000042.png}), so a re-read data set equals {@link Dataset#groupedByClass()} of the written
 * one (the same as the written one when it was already grouped by class). Feature labels are written
 * as class indices when the classes are "0", "1", ..., else as class names, which the CSV reader sorts
 * by name (so unsorted names come back with other indices); feature shapes of rank above 1 come back
 * flattened. Values of 8-bit data sets
 * are written exactly; float features with Java's shortest round-tripping decimal form.
 *
 * <p>A target that exists and is not empty is never overwritten. Output is written under a temporary
 * sibling name, then moved into place, so a failed write leaves no partial target. Stateless and
 * thread-safe (but two writes to the same target race on the final move, which then fails).
 *
 * <pre>{@code
 * DatasetWriter.toFolder(Datasets.open("mnist10k[:100]"), Path.of("out/mnist100"));
 * DatasetWriter.toZip(digits, Path.of("out/digits.zip"));
 * }</pre>
 */
public final class DatasetWriter {
    private static final Logger log = LoggerFactory.getLogger(DatasetWriter.class);
    /** The CSV file name used inside folders and archives. */
    public static final String CSV_NAME = "data.csv";

    private DatasetWriter() {
    }

    /**
     * Writes a data set into a new (or empty) folder.
     *
     * @param dataset the data set
     * @param dir the target folder; must not exist or be empty
     * @throws DatasetException if the target exists and is not empty
     * @throws IOException if writing fails (the target is then left untouched)
     */
    public static void toFolder(Dataset dataset, Path dir) throws IOException {
        checkTarget(dir);
        Path tmp = tempSibling(dir);
        try {
            Files.createDirectories(tmp);
            if (dataset.isImage()) {
                for (String c : dataset.classes()) {
                    Files.createDirectory(tmp.resolve(checkClassName(c)));
                }
                for (int i = 0; i < dataset.size(); i++) {
                    Path f = tmp.resolve(dataset.classes().get(dataset.label(i))).resolve(imageName(i, dataset.size()));
                    Files.write(f, png(dataset, i));
                }
            } else {
                try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp.resolve(CSV_NAME)),
                        StandardCharsets.UTF_8))) {
                    writeCsv(dataset, w);
                }
            }
            moveIntoPlace(tmp, dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        log.info("Wrote {} samples to {}", dataset.size(), dir);
    }

    /**
     * Writes a data set into a new zip archive: class folders of PNG files, or {@code data.csv}.
     *
     * @param dataset the data set
     * @param zip the archive; must not exist or be empty
     * @throws DatasetException if the target exists and is not empty
     * @throws IOException if writing fails (the target is then left untouched)
     */
    public static void toZip(Dataset dataset, Path zip) throws IOException {
        checkTarget(zip);
        Path tmp = tempSibling(zip);
        try {
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream z = new ZipOutputStream(os)) {
                if (dataset.isImage()) {
                    for (String c : dataset.classes()) {
                        z.putNextEntry(new ZipEntry(checkClassName(c) + "/"));
                        z.closeEntry();
                    }
                    for (int i = 0; i < dataset.size(); i++) {
                        z.putNextEntry(new ZipEntry(dataset.classes().get(dataset.label(i)) + "/"
                                + imageName(i, dataset.size())));
                        z.write(png(dataset, i));
                        z.closeEntry();
                    }
                } else {
                    z.putNextEntry(new ZipEntry(CSV_NAME));
                    Writer w = new BufferedWriter(new OutputStreamWriter(z, StandardCharsets.UTF_8));
                    writeCsv(dataset, w);
                    w.flush();
                    z.closeEntry();
                }
            }
            moveIntoPlace(tmp, zip);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        log.info("Wrote {} samples to {}", dataset.size(), zip);
    }

    private static byte[] png(Dataset d, int i) throws IOException {
        float[] v = d.values(i);
        byte[] px = new byte[v.length];
        for (int k = 0; k < v.length; k++) {
            float x = Float.isNaN(v[k]) ? 0 : v[k];
            px[k] = (byte) Math.max(0, Math.min(255, Math.round(x)));
        }
        return ImageCodec.encodePng(px, d.sampleShape().dim(0), d.sampleShape().dim(1), d.sampleShape().dim(2));
    }

    private static String imageName(int i, int size) {
        int digits = Math.max(6, Integer.toString(Math.max(size - 1, 0)).length());
        return String.format(Locale.ROOT, "%0" + digits + "d.png", i);
    }

    private static void writeCsv(Dataset d, Writer w) throws IOException {
        int n = d.sampleShape().elementCount();
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < n; k++) {
            sb.append('f').append(k).append(',');
        }
        w.write(sb.append("label\n").toString());
        boolean indices = true;
        List<String> classes = d.classes();
        for (int c = 0; c < classes.size(); c++) {
            indices &= classes.get(c).equals(Integer.toString(c));
        }
        for (String c : classes) {
            if (!indices && (c.contains(",") || c.contains("\"") || c.contains("\n") || c.isBlank())) {
                throw new IllegalArgumentException("expected class names without commas, quotes or newlines for CSV, found '"
                        + c + "'");
            }
        }
        for (int i = 0; i < d.size(); i++) {
            sb.setLength(0);
            float[] v = d.values(i);
            for (float x : v) {
                if (x == Math.rint(x) && Math.abs(x) < 1e7f && Float.floatToRawIntBits(x) != Integer.MIN_VALUE) {
                    sb.append((int) x);
                } else {
                    sb.append(x);
                }
                sb.append(',');
            }
            sb.append(indices ? Integer.toString(d.label(i)) : classes.get(d.label(i))).append('\n');
            w.write(sb.toString());
        }
    }

    private static String checkClassName(String c) {
        if (c.isEmpty() || c.equals(".") || c.equals("..") || c.startsWith(".") || c.contains("/") || c.contains("\\")
                || c.contains(":") || c.chars().anyMatch(ch -> ch < 0x20)) {
            throw new IllegalArgumentException("expected class names usable as folder names, found '" + c + "'");
        }
        return c;
    }

    private static void checkTarget(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                if (s.findAny().isPresent()) {
                    throw new DatasetException("expected a new or empty target, found non-empty directory " + target);
                }
            }
        } else if (Files.size(target) > 0) {
            throw new DatasetException("expected a new or empty target, found existing file " + target + " ("
                    + Files.size(target) + " bytes)");
        }
    }

    private static Path tempSibling(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        checkTarget(target); // it may have been filled while we wrote
        if (Files.exists(target)) {
            Files.delete(target); // empty file or empty directory, checked above
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            try {
                Files.move(tmp, target);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e2) {
                throw new DatasetException("expected a new or empty target, found " + target + " created meanwhile", e2);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
