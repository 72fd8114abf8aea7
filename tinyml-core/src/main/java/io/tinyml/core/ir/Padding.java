package io.tinyml.core.ir;

/**
 * Spatial padding of convolutions and pools, with TFLite's meaning.
 *
 * <p>{@code SAME}: output size {@code ceil(in / stride)}, the total padding split with the extra
 * element at the end. {@code VALID}: no padding, output size {@code ceil((in - effectiveK + 1) / stride)}.
 * Explicit asymmetric padding from other formats becomes a {@link Op.Pad} node before the op.
 */
public enum Padding {
    /** Pad so that the output size is ceil(input / stride). */
    SAME,
    /** No padding. */
    VALID;

    /**
     * Computes the output size along one spatial axis.
     *
     * @param in the input size
     * @param kernel the kernel size
     * @param stride the stride
     * @param dilation the dilation
     * @return the output size (may be zero or negative for impossible geometries)
     */
    public int outputSize(int in, int kernel, int stride, int dilation) {
        int effective = (kernel - 1) * dilation + 1;
        return switch (this) {
            case SAME -> (in + stride - 1) / stride;
            case VALID -> (in - effective + stride) / stride;
        };
    }

    /**
     * Computes the padding before the first element along one axis (TFLite's rule).
     *
     * @param in the input size
     * @param kernel the kernel size
     * @param stride the stride
     * @param dilation the dilation
     * @param out the output size
     * @return the leading padding, never negative
     */
    public int padBefore(int in, int kernel, int stride, int dilation, int out) {
        if (this == VALID) {
            return 0;
        }
        int effective = (kernel - 1) * dilation + 1;
        int total = Math.max((out - 1) * stride + effective - in, 0);
        return total / 2;
    }
}
