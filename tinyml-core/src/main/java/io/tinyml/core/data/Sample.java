package io.tinyml.core.data;

import io.tinyml.core.ir.Shape;

import java.util.Arrays;
import java.util.Objects;

/**
 * One labelled sample of a {@link Dataset}: values in a stated shape (HWC for images, {@code [n]}
 * for feature rows) and a class index.
 *
 * <p>The values are copied on the way in and on the way out, so a sample is immutable and
 * thread-safe; use {@link #value(int)} to read single values without copying.
 *
 * @param shape the shape of the values
 * @param values the values, row-major; copied
 * @param label the class index, non-negative
 */
public record Sample(Shape shape, float[] values, int label) {
    /**
     * Validates and copies the values.
     *
     * @param shape the shape of the values
     * @param values the values, row-major; copied
     * @param label the class index, non-negative
     * @throws IllegalArgumentException if the value count does not match the shape or the label is negative
     */
    public Sample {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException("expected " + shape.elementCount() + " values for shape " + shape
                    + ", found " + values.length);
        }
        if (label < 0) {
            throw new IllegalArgumentException("expected a non-negative label, found " + label);
        }
        values = values.clone();
    }

    /**
     * Returns a copy of the values.
     *
     * @return the values, row-major
     */
    @Override
    public float[] values() {
        return values.clone();
    }

    /**
     * Returns one value without copying the array.
     *
     * @param i the flat (row-major) index
     * @return the value
     * @throws IndexOutOfBoundsException if {@code i} is out of range
     */
    public float value(int i) {
        return values[i];
    }

    /**
     * Tells whether the sample is an image: rank 3 (height, width, channels) with 1 or 3 channels.
     *
     * @return true for images
     */
    public boolean isImage() {
        return Dataset.isImageShape(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && label == s.label && shape.equals(s.shape) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return (31 * shape.hashCode() + Arrays.hashCode(values)) * 31 + label;
    }

    @Override
    public String toString() {
        return "Sample{shape=" + shape + ", label=" + label + "}";
    }
}
