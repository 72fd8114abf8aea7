package io.tinyml.core.data.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.ZipLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Reads a data set from a zip archive through {@link SafeZipReader}, in memory: either class folders
 * of images or a single CSV file, optionally inside one top-level folder. Hidden entries (a segment
 * starting with '.') and {@code __MACOSX/} are ignored, as are plain files beside the class folders.
 * Stateless and thread-safe.
 */
public final class ZipDatasetReader {
    private static final Logger log = LoggerFactory.getLogger(ZipDatasetReader.class);

    private ZipDatasetReader() {
    }

    /**
     * Reads the archive.
     *
     * @param zip the archive
     * @param limits the limits to enforce
     * @param targetH the height to resize images to, or 0 to require a common size
     * @param targetW the width to resize images to, or 0
     * @return the data set
     * @throws DatasetException if the archive is refused or does not hold a data set
     * @throws IOException if the file cannot be read
     */
    public static Dataset read(Path zip, ZipLimits limits, int targetH, int targetW) throws IOException {
        try (SafeZipReader z = SafeZipReader.open(zip, limits)) {
            List<SafeZipReader.Entry> kept = new ArrayList<>();
            for (SafeZipReader.Entry e : z.entries()) {
                if (e.name().isEmpty() || ignored(e.name())) {
                    continue;
                }
                kept.add(e);
            }
            String prefix = commonTopFolder(kept);
            List<SafeZipReader.Entry> csv = new ArrayList<>();
            TreeSet<String> classSet = new TreeSet<>();
            Map<String, Map<String, SafeZipReader.Entry>> images = new TreeMap<>(); // class -> file name -> entry
            for (SafeZipReader.Entry e : kept) {
                if ((e.name() + "/").equals(prefix)) {
                    continue;
                }
                String rel = e.name().substring(prefix.length());
                String[] seg = rel.split("/");
                String lower = rel.toLowerCase(Locale.ROOT);
                if (e.directory()) {
                    if (seg.length == 1) {
                        classSet.add(seg[0]);
                    }
                    continue;
                }
                if (seg.length == 1) {
                    if (lower.endsWith(".csv") || lower.endsWith(".csv.gz")) {
                        csv.add(e);
                    } else {
                        log.debug("Ignoring zip entry '{}' beside the class folders", e.rawName());
                    }
                } else if (seg.length == 2 && ImageCodec.isImageName(seg[1])) {
                    classSet.add(seg[0]);
                    images.computeIfAbsent(seg[0], k -> new TreeMap<>()).put(seg[1], e);
                } else {
                    throw new DatasetException("zip entry '" + e.rawName() + "' in " + zip + ": expected a PNG, BMP or JPEG "
                            + "image directly inside a class folder, found " + (seg.length > 2 ? "a nested entry" : "another file"));
                }
            }
            if (!csv.isEmpty() && images.isEmpty()) {
                if (csv.size() > 1) {
                    throw new DatasetException(zip + ": expected one CSV file, found " + csv.size());
                }
                SafeZipReader.Entry e = csv.get(0);
                byte[] data = z.read(e);
                try (InputStream in = e.name().toLowerCase(Locale.ROOT).endsWith(".gz")
                        ? new BoundedGzip(data, limits.maxEntryBytes()).stream() : new ByteArrayInputStream(data)) {
                    return CsvReader.read(in, zip + "!/" + e.name());
                }
            }
            List<String> classes = new ArrayList<>(classSet);
            if (classes.isEmpty()) {
                throw new DatasetException(zip + ": expected class folders of images or one CSV file, found neither");
            }
            ImageSetAssembler a = new ImageSetAssembler(classes, zip.toString(), targetH, targetW);
            for (int c = 0; c < classes.size(); c++) {
                for (SafeZipReader.Entry e : images.getOrDefault(classes.get(c), Map.of()).values()) {
                    a.add(c, zip + "!/" + e.name(), z.read(e));
                }
            }
            Dataset d = a.build();
            log.debug("Read {} images {} in {} classes from {}", d.size(), d.sampleShape(), classes.size(), zip);
            return d;
        }
    }

    private static boolean ignored(String name) {
        for (String s : name.split("/")) {
            if (s.startsWith(".") || s.equals("__MACOSX")) {
                return true;
            }
        }
        return false;
    }

    /** Returns "top/" when every entry lies inside one top-level folder that holds folders, else "". */
    private static String commonTopFolder(List<SafeZipReader.Entry> entries) {
        String top = null;
        boolean deeper = false;
        for (SafeZipReader.Entry e : entries) {
            int slash = e.name().indexOf('/');
            String first = slash < 0 ? e.name() : e.name().substring(0, slash);
            if (slash < 0 && !e.directory()) {
                return "";
            }
            if (top == null) {
                top = first;
            } else if (!top.equals(first)) {
                return "";
            }
            if (slash >= 0 && !e.directory() && e.name().indexOf('/', slash + 1) < 0 && ImageCodec.isImageName(e.name())) {
                return ""; // an image directly inside the single top folder: that folder is a class
            }
            deeper |= slash >= 0;
        }
        return top != null && deeper ? top + "/" : "";
    }

    /** Gunzips in memory, refusing output beyond a limit. */
    private record BoundedGzip(byte[] data, long limit) {
        InputStream stream() throws IOException {
            GZIPInputStream g = new GZIPInputStream(new ByteArrayInputStream(data));
            return new InputStream() {
                private long count;

                @Override
                public int read() throws IOException {
                    int b = g.read();
                    if (b >= 0 && ++count > limit) {
                        throw new DatasetException("expected a gzip member of at most " + limit + " bytes, found more");
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int k = g.read(buf, off, len);
                    if (k > 0 && (count += k) > limit) {
                        throw new DatasetException("expected a gzip member of at most " + limit + " bytes, found more");
                    }
                    return k;
                }

                @Override
                public void close() throws IOException {
                    g.close();
                }
            };
        }
    }
}
