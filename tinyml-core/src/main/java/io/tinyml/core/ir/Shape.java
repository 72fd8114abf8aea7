package io.tinyml.core.ir;

import java.util.Arrays;

/**
 * An immutable tensor shape: a list of non-negative dimensions. Rank 0 is a scalar.
 *
 * <p>The element count of every shape fits in an {@code int} (it indexes a Java array); larger
 * shapes are refused when constructed. Thread-safe.
 *
 * <pre>{@code
 * Shape s = Shape.of(1, 96, 96, 1);
 * int n = s.elementCount(); // 9216
 * }</pre>
 */
public final class Shape {
    /** The shape of a scalar. */
    public static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final int elementCount;

    private Shape(int[] dims) {
        this.dims = dims;
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException(
                        "expected non-negative dimensions, found " + Arrays.toString(dims));
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "expected at most " + Integer.MAX_VALUE + " elements, found shape " + Arrays.toString(dims));
            }
        }
        this.elementCount = (int) count;
    }

    /**
     * Creates a shape from its dimensions.
     *
     * @param dims the dimensions, outermost first; copied
     * @return the shape
     * @throws IllegalArgumentException if a dimension is negative or the element count exceeds {@code int}
     */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Returns one dimension; a negative index counts from the end.
     *
     * @param axis the axis, in {@code [-rank, rank)}
     * @return the dimension
     * @throws IndexOutOfBoundsException if the axis is out of range
     */
    public int dim(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IndexOutOfBoundsException("expected an axis in [" + -dims.length + ", " + dims.length
                    + "), found " + axis + " for shape " + this);
        }
        return dims[a];
    }

    /**
     * Returns the product of the dimensions (1 for a scalar).
     *
     * @return the element count
     */
    public int elementCount() {
        return elementCount;
    }

    /**
     * Returns a copy of the dimensions.
     *
     * @return the dimensions
     */
    public int[] toArray() {
        return dims.clone();
    }

    /**
     * Returns a shape with one dimension replaced.
     *
     * @param axis the axis to replace
     * @param value the new dimension
     * @return the new shape
     */
    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis < 0 ? axis + d.length : axis] = value;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
