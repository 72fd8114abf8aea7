package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.Shape;

/**
 * Numpy broadcasting resolved once: for every output element, the index of the element of an
 * input that feeds it.
 */
final class Broadcast {
    private Broadcast() {
    }

    /**
     * Maps each output element to the input element it reads under numpy broadcasting.
     *
     * @param in the input shape (rank at most the output's; each dimension 1 or equal)
     * @param out the output shape
     * @return the source index per output element, or null when the input has the output's element
     *         layout (same element count and no broadcasting needed)
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    static int[] indexMap(Shape in, Shape out) {
        if (in.elementCount() == out.elementCount()) {
            return null;
        }
        int r = out.rank();
        int[] od = out.toArray();
        int[] stride = new int[r];
        int s = 1;
        for (int d = r - 1; d >= 0; d--) {
            int id = d - (r - in.rank());
            int dim = id >= 0 ? in.dim(id) : 1;
            if (dim != 1 && dim != od[d]) {
                throw new IllegalArgumentException("expected shape " + in + " to broadcast to " + out + ", found "
                        + dim + " against " + od[d] + " on axis " + d);
            }
            stride[d] = dim == 1 ? 0 : s;
            s *= dim;
        }
        return stridedMap(od, stride);
    }

    /**
     * Walks the output dimensions in row-major order and records, per output element, the source
     * index reached by adding each dimension's source stride: the gather map of broadcasting (stride
     * 0 on broadcast axes) and of transposition (permuted strides).
     *
     * @param outDims the output dimensions
     * @param srcStride the source stride of each output dimension
     * @return the source index per output element
     */
    static int[] stridedMap(int[] outDims, int[] srcStride) {
        int r = outDims.length;
        int n = 1;
        for (int d : outDims) {
            n *= d;
        }
        int[] map = new int[n];
        int[] idx = new int[r];
        int src = 0;
        for (int i = 0; i < n; i++) {
            map[i] = src;
            for (int d = r - 1; d >= 0; d--) {
                idx[d]++;
                src += srcStride[d];
                if (idx[d] < outDims[d]) {
                    break;
                }
                src -= srcStride[d] * idx[d];
                idx[d] = 0;
            }
        }
        return map;
    }

    /**
     * Returns the identity map of length n (used when one side needs no broadcasting but the other does).
     *
     * @param n the length
     * @return {@code [0, 1, ..., n-1]}
     */
    static int[] identity(int n) {
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            m[i] = i;
        }
        return m;
    }
}
