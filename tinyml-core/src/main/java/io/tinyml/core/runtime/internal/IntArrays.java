package io.tinyml.core.runtime.internal;

/**
 * Widening and narrowing copies between integer tensor arrays ({@code byte[]}, {@code short[]},
 * {@code int[]}) and {@code int[]} scratch buffers, so that kernels generic over the integer type
 * resolve the array type once per call rather than once per element.
 */
final class IntArrays {
    private IntArrays() {
    }

    /**
     * Copies {@code n} elements of an integer tensor array, starting at {@code from}, into {@code dst}.
     *
     * @param src a byte[], short[] or int[]
     * @param from the first element
     * @param n the count
     * @param unsigned read bytes as UINT8
     * @param dst the destination, at least n long
     */
    static void widen(Object src, int from, int n, boolean unsigned, int[] dst) {
        if (src instanceof byte[] b) {
            if (unsigned) {
                for (int i = 0; i < n; i++) {
                    dst[i] = b[from + i] & 0xff;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    dst[i] = b[from + i];
                }
            }
        } else if (src instanceof short[] s) {
            for (int i = 0; i < n; i++) {
                dst[i] = s[from + i];
            }
        } else {
            System.arraycopy((int[]) src, from, dst, 0, n);
        }
    }

    /**
     * Copies {@code n} ints into an integer tensor array at {@code to}, truncating to its width (values
     * are expected to be clamped already).
     *
     * @param src the values
     * @param n the count
     * @param dst a byte[], short[] or int[]
     * @param to the first destination element
     */
    static void narrow(int[] src, int n, Object dst, int to) {
        if (dst instanceof byte[] b) {
            for (int i = 0; i < n; i++) {
                b[to + i] = (byte) src[i];
            }
        } else if (dst instanceof short[] s) {
            for (int i = 0; i < n; i++) {
                s[to + i] = (short) src[i];
            }
        } else {
            System.arraycopy(src, 0, (int[]) dst, to, n);
        }
    }
}
