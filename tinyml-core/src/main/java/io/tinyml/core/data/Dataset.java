package io.tinyml.core.data;

import io.tinyml.core.ir.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * An immutable, indexable collection of labelled samples that all share one shape.
 *
 * <p>Images are {@code [height, width, channels]} (HWC, 1 or 3 channels); feature rows are
 * {@code [n]}. Samples read from 8-bit sources (IDX, PNG/BMP/JPEG, integer CSV values in 0..255) are
 * stored as one byte per value and converted to floats by {@link #get(int)}; other values are stored
 * as floats. {@link #slice(int, int)} is a view sharing the storage. Instances are immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Dataset mnist = Datasets.open("data/mnist[8000:]");
 * Sample s = mnist.get(0);        // shape [28, 28, 1], values 0..255
 * String name = mnist.classes().get(s.label());
 * }</pre>
 */
public final class Dataset implements Iterable<Sample> {
    private final Shape sampleShape;
    private final List<String> classes;
    private final String source;
    private final byte[] bytes;   // unsigned 8-bit values, or null
    private final float[] floats; // float values when bytes is null
    private final int[] labels;
    private final int stride;
    private final int offset;
    private final int size;

    private Dataset(Shape sampleShape, List<String> classes, String source, byte[] bytes, float[] floats,
                    int[] labels, int offset, int size) {
        this.sampleShape = sampleShape;
        this.classes = classes;
        this.source = source;
        this.bytes = bytes;
        this.floats = floats;
        this.labels = labels;
        this.stride = sampleShape.elementCount();
        this.offset = offset;
        this.size = size;
    }

    /**
     * Starts building a data set whose samples have the given shape.
     *
     * @param sampleShape the shape of every sample
     * @return a builder; not thread-safe
     */
    public static Builder builder(Shape sampleShape) {
        return new Builder(sampleShape);
    }

    /**
     * Returns the number of samples.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Returns sample {@code i}, converting compactly stored values to floats.
     *
     * @param i the index in {@code [0, size())}
     * @return the sample
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public Sample get(int i) {
        return new Sample(sampleShape, values(i), label(i));
    }

    /**
     * Returns the values of sample {@code i} as a new array (the cheapest way to read values).
     *
     * @param i the index in {@code [0, size())}
     * @return the values, row-major
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public float[] values(int i) {
        int base = (offset + checkIndex(i)) * stride;
        float[] out = new float[stride];
        if (bytes != null) {
            for (int k = 0; k < stride; k++) {
                out[k] = bytes[base + k] & 0xff;
            }
        } else {
            System.arraycopy(floats, base, out, 0, stride);
        }
        return out;
    }

    /**
     * Returns the label of sample {@code i} without reading its values.
     *
     * @param i the index in {@code [0, size())}
     * @return the class index
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public int label(int i) {
        return labels[offset + checkIndex(i)];
    }

    /**
     * Returns a view of samples {@code [from, to)} sharing this data set's storage.
     *
     * @param from the first index, inclusive
     * @param to the end index, exclusive
     * @return the view
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, size()]} or {@code from > to}
     */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("expected a slice within [0:" + size + "], found [" + from + ":" + to + "]");
        }
        return new Dataset(sampleShape, classes, source + "[" + from + ":" + to + "]", bytes, floats, labels,
                offset + from, to - from);
    }

    /**
     * Returns a copy with the samples grouped by class (class 0 first), keeping their relative order
     * within a class: the order in which a class-folder writer and reader see them.
     *
     * @return the reordered data set
     */
    public Dataset groupedByClass() {
        Builder b = new Builder(sampleShape).optClasses(classes).optSource(source);
        for (int c = 0; c < classes.size(); c++) {
            for (int i = 0; i < size; i++) {
                if (label(i) == c) {
                    b.appendFrom(this, i);
                }
            }
        }
        return b.build();
    }

    /**
     * Returns the shape shared by every sample.
     *
     * @return the shape ({@code [h, w, c]} for images, {@code [n]} for features)
     */
    public Shape sampleShape() {
        return sampleShape;
    }

    /**
     * Returns the class names; a label is an index into this list.
     *
     * @return the names, unmodifiable
     */
    public List<String> classes() {
        return classes;
    }

    /**
     * Returns a short description of where the samples came from (a path, with a slice suffix for views).
     *
     * @return the description
     */
    public String source() {
        return source;
    }

    /**
     * Tells whether samples are images: rank 3 with 1 or 3 channels.
     *
     * @return true for image data sets
     */
    public boolean isImage() {
        return isImageShape(sampleShape);
    }

    /**
     * Tells whether values are stored as unsigned bytes (they are then integers in 0..255).
     *
     * @return true for compact 8-bit storage
     */
    public boolean isUnsigned8() {
        return bytes != null;
    }

    /**
     * Counts the samples of each class.
     *
     * @return one count per class, indexed by label
     */
    public int[] labelCounts() {
        int[] counts = new int[classes.size()];
        for (int i = 0; i < size; i++) {
            counts[labels[offset + i]]++;
        }
        return counts;
    }

    /**
     * Iterates over the samples in index order.
     *
     * @return an iterator
     */
    @Override
    public Iterator<Sample> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Sample next() {
                if (next >= size) {
                    throw new NoSuchElementException("expected at most " + size + " samples");
                }
                return get(next++);
            }
        };
    }

    /**
     * Compares shape, classes, labels and values (not the source description or storage form).
     *
     * @param o the other object
     * @return true if both hold the same samples in the same order
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Dataset d) || size != d.size || !sampleShape.equals(d.sampleShape)
                || !classes.equals(d.classes)) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (label(i) != d.label(i) || !Arrays.equals(values(i), d.values(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(sampleShape, classes, size);
        for (int i = 0; i < size; i++) {
            h = 31 * h + label(i);
        }
        return h;
    }

    @Override
    public String toString() {
        return "Dataset{" + size + " samples of " + sampleShape + ", " + classes.size() + " classes, from " + source + "}";
    }

    static boolean isImageShape(Shape s) {
        return s.rank() == 3 && (s.dim(2) == 1 || s.dim(2) == 3) && s.dim(0) > 0 && s.dim(1) > 0;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("expected an index in [0, " + size + "), found " + i);
        }
        return i;
    }

    /**
     * Accumulates samples and builds a {@link Dataset}. Samples added as unsigned bytes stay compact
     * until a float sample is added, after which everything is stored as floats. Not thread-safe.
     *
     * <pre>{@code
     * Dataset d = Dataset.builder(Shape.of(2))
     *         .optClasses(List.of("no", "yes"))
     *         .add(new float[] {0.5f, 1f}, 1)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final Shape sampleShape;
        private final int stride;
        private List<String> classes;
        private String source = "memory";
        private byte[] bytes = new byte[0];
        private float[] floats;
        private int[] labels = new int[0];
        private int count;

        private Builder(Shape sampleShape) {
            this.sampleShape = Objects.requireNonNull(sampleShape, "sampleShape");
            if (sampleShape.elementCount() == 0) {
                throw new IllegalArgumentException("expected a sample shape with at least one element, found " + sampleShape);
            }
            this.stride = sampleShape.elementCount();
        }

        /**
         * Sets the class names; without them, classes are named "0" up to the largest label.
         *
         * @param names the names, one per class; copied
         * @return this builder
         */
        public Builder optClasses(List<String> names) {
            this.classes = List.copyOf(names);
            return this;
        }

        /**
         * Sets the source description (a path, typically).
         *
         * @param description the description
         * @return this builder
         */
        public Builder optSource(String description) {
            this.source = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * Reserves room for samples; call only with a count validated against the input size.
         *
         * @param samples the expected number of samples
         * @return this builder
         */
        public Builder optExpectedSize(int samples) {
            ensureCapacity(samples);
            return this;
        }

        /**
         * Adds a sample of unsigned 8-bit values (0..255).
         *
         * @param values the values, row-major; copied
         * @param label the class index, non-negative
         * @return this builder
         * @throws IllegalArgumentException if the value count does not match the sample shape or the label is negative
         */
        public Builder addUnsigned8(byte[] values, int label) {
            check(values.length, label);
            ensureCapacity(count + 1);
            if (floats == null) {
                System.arraycopy(values, 0, bytes, count * stride, stride);
            } else {
                for (int k = 0; k < stride; k++) {
                    floats[count * stride + k] = values[k] & 0xff;
                }
            }
            labels[count++] = label;
            return this;
        }

        /**
         * Adds a sample of float values.
         *
         * @param values the values, row-major; copied
         * @param label the class index, non-negative
         * @return this builder
         * @throws IllegalArgumentException if the value count does not match the sample shape or the label is negative
         */
        public Builder add(float[] values, int label) {
            check(values.length, label);
            if (floats == null) {
                floats = new float[bytes.length];
                for (int k = 0; k < count * stride; k++) {
                    floats[k] = bytes[k] & 0xff;
                }
                bytes = null;
            }
            ensureCapacity(count + 1);
            System.arraycopy(values, 0, floats, count * stride, stride);
            labels[count++] = label;
            return this;
        }

        void appendFrom(Dataset d, int i) {
            if (d.bytes != null) {
                byte[] v = new byte[stride];
                System.arraycopy(d.bytes, (d.offset + i) * stride, v, 0, stride);
                addUnsigned8(v, d.label(i));
            } else {
                add(d.values(i), d.label(i));
            }
        }

        /**
         * Builds the data set.
         *
         * @return the data set
         * @throws IllegalStateException if a label is not an index into the class names
         */
        public Dataset build() {
            List<String> names = classes;
            int max = -1;
            for (int i = 0; i < count; i++) {
                max = Math.max(max, labels[i]);
            }
            if (names == null) {
                List<String> generated = new ArrayList<>();
                for (int c = 0; c <= max; c++) {
                    generated.add(Integer.toString(c));
                }
                names = List.copyOf(generated);
            } else if (max >= names.size()) {
                throw new IllegalStateException("expected labels below the class count " + names.size() + " "
                        + names + ", found label " + max);
            }
            int n = count * stride;
            int[] l = Arrays.copyOf(labels, count);
            if (floats == null) {
                return new Dataset(sampleShape, names, source, Arrays.copyOf(bytes, n), null, l, 0, count);
            }
            return new Dataset(sampleShape, names, source, null, Arrays.copyOf(floats, n), l, 0, count);
        }

        private void check(int length, int label) {
            if (length != stride) {
                throw new IllegalArgumentException("expected " + stride + " values for sample shape " + sampleShape
                        + ", found " + length);
            }
            if (label < 0) {
                throw new IllegalArgumentException("expected a non-negative label, found " + label);
            }
        }

        private void ensureCapacity(int samples) {
            if (samples <= labels.length) {
                return;
            }
            long grown = Math.max(samples, Math.min((long) labels.length * 2, Integer.MAX_VALUE - 8));
            if (grown * stride > Integer.MAX_VALUE - 8) {
                grown = Math.max(samples, (Integer.MAX_VALUE - 8) / stride);
                if ((long) samples * stride > Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("expected at most " + (Integer.MAX_VALUE - 8) / stride
                            + " samples of " + sampleShape + " in one data set, found " + samples);
                }
            }
            int cap = (int) grown;
            labels = Arrays.copyOf(labels, cap);
            if (floats == null) {
                bytes = Arrays.copyOf(bytes, cap * stride);
            } else {
                floats = Arrays.copyOf(floats, cap * stride);
            }
        }
    }
}
