package io.tinyml.core.data.internal;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.ir.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads comma-separated feature rows: numeric features, then the label in the last column.
 *
 * <p>The first line is a header when one of its feature fields is not a number. Labels that are all
 * non-negative integers are class indices (classes "0" up to the largest); otherwise labels are class
 * names, sorted. Blank lines are skipped; a row with another column count is an error naming its
 * line. Values that are all integers in 0..255 are stored compactly. Stateless and thread-safe.
 */
public final class CsvReader {
    private static final Logger log = LoggerFactory.getLogger(CsvReader.class);
    private static final int MAX_CLASSES = 100_000;

    private CsvReader() {
    }

    /**
     * Reads a CSV stream (already decompressed).
     *
     * @param in the UTF-8 text; not closed
     * @param name the file or entry name, for messages
     * @return the data set, samples of shape {@code [columns - 1]}
     * @throws DatasetException if a row is ragged, a feature is not a number or there are no rows
     * @throws IOException if the stream cannot be read
     */
    public static Dataset read(InputStream in, String name) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<float[]> rows = new ArrayList<>();
        List<String> labelFields = new ArrayList<>();
        int columns = -1;
        boolean header = false;
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (columns < 0) {
                columns = fields.length;
                if (columns < 2) {
                    throw new DatasetException(name + " line " + lineNo + ": expected at least 2 columns (features, then the label), found "
                            + columns);
                }
                if (rows.isEmpty() && !header && !allNumbers(fields, columns - 1)) {
                    header = true;
                    log.debug("{}: line {} is a header", name, lineNo);
                    continue;
                }
            }
            if (fields.length != columns) {
                throw new DatasetException(name + " line " + lineNo + ": expected " + columns + " columns, found " + fields.length);
            }
            float[] v = new float[columns - 1];
            for (int c = 0; c < v.length; c++) {
                String f = unquote(fields[c]);
                try {
                    v[c] = Float.parseFloat(f);
                } catch (NumberFormatException e) {
                    throw new DatasetException(name + " line " + lineNo + " column " + (c + 1) + ": expected a number, found '"
                            + f + "'", e);
                }
            }
            rows.add(v);
            labelFields.add(unquote(fields[columns - 1]));
        }
        if (rows.isEmpty()) {
            throw new DatasetException(name + ": expected at least one data row, found none");
        }
        int[] labels = new int[rows.size()];
        List<String> classes = labelsToClasses(labelFields, labels, name);
        boolean compact = true;
        for (float[] v : rows) {
            for (float x : v) {
                if (!(x >= 0 && x <= 255 && x == Math.rint(x)) || (x == 0 && 1 / x < 0)) {
                    compact = false;
                    break;
                }
            }
        }
        Dataset.Builder b = Dataset.builder(Shape.of(columns - 1)).optSource(name).optClasses(classes)
                .optExpectedSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            float[] v = rows.get(i);
            if (compact) {
                byte[] u = new byte[v.length];
                for (int k = 0; k < v.length; k++) {
                    u[k] = (byte) (int) v[k];
                }
                b.addUnsigned8(u, labels[i]);
            } else {
                b.add(v, labels[i]);
            }
        }
        log.debug("Read {} CSV rows of {} features ({} classes) from {}", rows.size(), columns - 1, classes.size(), name);
        return b.build();
    }

    private static List<String> labelsToClasses(List<String> fields, int[] labels, String name) throws DatasetException {
        boolean numeric = true;
        int max = -1;
        for (int i = 0; i < fields.size() && numeric; i++) {
            Integer v = asLabelIndex(fields.get(i));
            if (v == null) {
                numeric = false;
            } else {
                labels[i] = v;
                max = Math.max(max, v);
            }
        }
        List<String> classes = new ArrayList<>();
        if (numeric) {
            if (max >= MAX_CLASSES) {
                throw new DatasetException(name + ": expected class indices below " + MAX_CLASSES + " in the last column, found "
                        + max);
            }
            for (int c = 0; c <= max; c++) {
                classes.add(Integer.toString(c));
            }
            return classes;
        }
        classes.addAll(new TreeSet<>(fields));
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            index.put(classes.get(c), c);
        }
        for (int i = 0; i < fields.size(); i++) {
            labels[i] = index.get(fields.get(i));
        }
        return classes;
    }

    private static Integer asLabelIndex(String f) {
        try {
            double d = Double.parseDouble(f);
            if (d >= 0 && d <= Integer.MAX_VALUE - 1 && d == Math.rint(d)) {
                return (int) d;
            }
            return null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean allNumbers(String[] fields, int count) {
        for (int c = 0; c < count; c++) {
            try {
                Float.parseFloat(unquote(fields[c]));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static String unquote(String f) {
        String t = f.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }
}
