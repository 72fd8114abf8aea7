package io.tinyml.core.data;

import io.tinyml.core.data.internal.CsvReader;
import io.tinyml.core.data.internal.IdxReader;
import io.tinyml.core.data.internal.ImageFolderReader;
import io.tinyml.core.data.internal.ZipDatasetReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads data sets: IDX (MNIST) files, CSV feature rows, folders of class sub-folders of images, and
 * zip archives of those, read safely in memory.
 *
 * <p>{@link #open(String)} is the entry point: it takes a path with an optional slice suffix and
 * detects the kind of data. All methods are stateless and thread-safe.
 *
 * <pre>{@code
 * Dataset test = Datasets.open("datasets/mnist10k[8000:]");   // IDX folder, last 2000 digits
 * Dataset rows = Datasets.open("datasets/digits.csv.gz");     // 1797 rows of 64 features
 * Dataset imgs = Datasets.readImageFolder(Path.of("photos"), 96, 96);
 * }</pre>
 */
public final class Datasets {
    private static final Logger log = LoggerFactory.getLogger(Datasets.class);
    private static final Pattern SLICE = Pattern.compile("^(.*)\\[([^\\[\\]:]*):([^\\[\\]:]*)\\]$");

    private Datasets() {
    }

    /**
     * Opens a data set from {@code PATH} or {@code PATH[from:to]} ({@code from} inclusive, {@code to}
     * exclusive, either may be empty: {@code [:2000]}, {@code [8000:]}).
     *
     * <p>The kind is detected from the path: a directory holding one {@code *images*idx3*} and one
     * {@code *labels*idx1*} file is IDX; another directory is a folder of class sub-folders; a
     * {@code .zip} is an archive; {@code .csv} or {@code .csv.gz} is CSV; an {@code idx3} images file
     * ({@code .idx}, {@code -ubyte}, optionally {@code .gz}) is read with the labels file beside it; a
     * directory holding no sub-folders and exactly one {@code .csv}/{@code .csv.gz} file (as
     * {@link DatasetWriter} writes feature data sets) is CSV.
     *
     * @param spec the path, optionally with a slice suffix
     * @return the data set, or a view of the requested slice
     * @throws DatasetException if the path does not exist, its kind is unknown, the slice is malformed
     *     or out of range, or the data is malformed
     * @throws IOException if a file cannot be read
     */
    public static Dataset open(String spec) throws IOException {
        Path whole = Path.of(spec);
        Matcher m = SLICE.matcher(spec);
        if (Files.exists(whole) || !m.matches()) {
            return open(whole);
        }
        Dataset d = open(Path.of(m.group(1)));
        int from = bound(m.group(2), 0, spec);
        int to = bound(m.group(3), d.size(), spec);
        if (from > to || to > d.size()) {
            throw new DatasetException("expected a slice within [0:" + d.size() + "] with from <= to, found [" + m.group(2)
                    + ":" + m.group(3) + "] in '" + spec + "'");
        }
        return d.slice(from, to);
    }

    /**
     * Opens a data set, detecting its kind (see {@link #open(String)}).
     *
     * @param path the file or directory
     * @return the data set
     * @throws DatasetException if the path does not exist, its kind is unknown, or the data is malformed
     * @throws IOException if a file cannot be read
     */
    public static Dataset open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new DatasetException("expected a data set at " + path + ", found no such file or directory");
        }
        if (Files.isDirectory(path)) {
            Path[] idx = findIdxPair(path);
            if (idx != null) {
                return readIdx(idx[0], idx[1]);
            }
            Path csv = singleCsv(path);
            return csv != null ? readCsv(csv) : readImageFolder(path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".zip")) {
            return readZip(path);
        }
        if (name.endsWith(".csv") || name.endsWith(".csv.gz")) {
            return readCsv(path);
        }
        if (name.contains("idx3") || name.matches(".*(\\.idx|-ubyte)(\\.gz)?")) {
            return readIdx(path, idxLabelsFor(path));
        }
        throw new DatasetException("expected a directory, .zip, .csv, .csv.gz or IDX images file, found " + path);
    }

    /**
     * Reads an IDX images file (idx3, N×H×W unsigned bytes) and its labels (idx1), gzip or not.
     *
     * @param images the images file
     * @param labels the labels file
     * @return the data set, samples {@code [h, w, 1]} with values 0..255
     * @throws DatasetException if a header is malformed, sizes disagree with the file or the counts differ
     * @throws IOException if a file cannot be read
     */
    public static Dataset readIdx(Path images, Path labels) throws IOException {
        return IdxReader.read(images, labels);
    }

    /**
     * Reads the IDX pair in a directory: one {@code *images*idx3*} and one {@code *labels*idx1*} file.
     *
     * @param dir the directory
     * @return the data set
     * @throws DatasetException if the directory does not hold exactly one such pair
     * @throws IOException if a file cannot be read
     */
    public static Dataset readIdxDirectory(Path dir) throws IOException {
        Path[] idx = findIdxPair(dir);
        if (idx == null) {
            throw new DatasetException(dir + ": expected one *images*idx3* and one *labels*idx1* file, found "
                    + idxCandidates(dir));
        }
        return readIdx(idx[0], idx[1]);
    }

    /**
     * Reads a CSV file (gzip or not): numeric features, then the label in the last column; a header
     * row is detected when its feature fields are not numbers.
     *
     * @param file the file
     * @return the data set, samples {@code [columns - 1]}
     * @throws DatasetException if a row is ragged (the message names the line) or a feature is not a number
     * @throws IOException if the file cannot be read
     */
    public static Dataset readCsv(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = IdxReader.isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : raw) {
            return CsvReader.read(in, file.toString());
        }
    }

    /**
     * Reads a folder of class sub-folders of PNG, BMP or JPEG images, which must share one size.
     * Classes are the sub-folder names sorted by name. Images are stored as 1 grey channel when all are
     * grey, else as 3 RGB channels, with values 0..255.
     *
     * @param dir the folder
     * @return the data set
     * @throws DatasetException if there are no class folders or images, a file is not an image, or sizes differ
     * @throws IOException if a file cannot be read
     */
    public static Dataset readImageFolder(Path dir) throws IOException {
        return ImageFolderReader.read(dir, 0, 0);
    }

    /**
     * Reads a folder of class sub-folders of images, resizing each (bilinearly) to a common size.
     *
     * @param dir the folder
     * @param height the height of every sample
     * @param width the width of every sample
     * @return the data set
     * @throws DatasetException if there are no class folders or images, or a file is not an image
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if a size is not positive
     */
    public static Dataset readImageFolder(Path dir, int height, int width) throws IOException {
        checkSize(height, width);
        return ImageFolderReader.read(dir, height, width);
    }

    /**
     * Reads a zip archive of class folders of images (or of one CSV file), optionally inside one
     * top-level folder, with the {@link ZipLimits#DEFAULT default limits}.
     *
     * @param zip the archive
     * @return the data set
     * @throws DatasetException if an entry is refused (path escaping the root, symbolic link, too many
     *     entries, too large, too compressed, lying about its size) or the content is not a data set
     * @throws IOException if the file cannot be read
     */
    public static Dataset readZip(Path zip) throws IOException {
        return readZip(zip, ZipLimits.DEFAULT);
    }

    /**
     * Reads a zip archive with explicit limits.
     *
     * @param zip the archive
     * @param limits the limits to enforce
     * @return the data set
     * @throws DatasetException if an entry is refused or the content is not a data set
     * @throws IOException if the file cannot be read
     */
    public static Dataset readZip(Path zip, ZipLimits limits) throws IOException {
        return ZipDatasetReader.read(zip, limits, 0, 0);
    }

    /**
     * Reads a zip archive of class folders of images, resizing each image to a common size.
     *
     * @param zip the archive
     * @param limits the limits to enforce
     * @param height the height of every sample
     * @param width the width of every sample
     * @return the data set
     * @throws DatasetException if an entry is refused or the content is not a data set
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if a size is not positive
     */
    public static Dataset readZip(Path zip, ZipLimits limits, int height, int width) throws IOException {
        checkSize(height, width);
        return ZipDatasetReader.read(zip, limits, height, width);
    }

    private static void checkSize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("expected a positive height and width, found " + height + "x" + width);
        }
    }

    private static int bound(String s, int dflt, String spec) throws DatasetException {
        String t = s.strip();
        if (t.isEmpty()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(t);
            if (v < 0) {
                throw new DatasetException("expected non-negative slice bounds, found " + v + " in '" + spec + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DatasetException("expected a slice [from:to] of integers, found '" + s + "' in '" + spec + "'", e);
        }
    }

    private static Path[] findIdxPair(Path dir) throws IOException {
        List<Path> images = new ArrayList<>();
        List<Path> labels = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (n.contains("images") && n.contains("idx3")) {
                    images.add(p);
                } else if (n.contains("labels") && n.contains("idx1")) {
                    labels.add(p);
                }
            }
        }
        if (images.isEmpty() && labels.isEmpty()) {
            return null;
        }
        if (images.size() != 1 || labels.size() != 1) {
            throw new DatasetException(dir + ": expected one *images*idx3* and one *labels*idx1* file, found images "
                    + images + " and labels " + labels);
        }
        log.debug("Opening IDX pair {} / {}", images.get(0), labels.get(0));
        return new Path[] {images.get(0), labels.get(0)};
    }

    private static Path singleCsv(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            List<Path> csv = all.stream().filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.csv(\\.gz)?")).toList();
            boolean folders = all.stream().anyMatch(Files::isDirectory);
            return !folders && csv.size() == 1 ? csv.get(0) : null;
        }
    }

    private static String idxCandidates(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    private static Path idxLabelsFor(Path images) throws DatasetException {
        String n = images.getFileName().toString();
        String l = n.replace("images", "labels").replace("idx3", "idx1");
        Path labels = images.resolveSibling(l);
        if (l.equals(n) || !Files.isRegularFile(labels)) {
            throw new DatasetException(images + ": expected a labels file beside it named " + (l.equals(n)
                    ? "like *labels*idx1*" : l) + ", found none");
        }
        return labels;
    }
}
