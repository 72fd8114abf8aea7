package io.tinyml.core.estimate.plan;

/**
 * Kinds of in-place reuse the planning problem may apply: the output takes over its input's buffer
 * when the input is not needed afterwards. Thread-safe (an enum).
 */
public enum InPlace {
    /** RESHAPE writes nothing: its output is its input's bytes under another shape (always legal). */
    RESHAPE_ALIAS,
    /**
     * Element-wise operators (activations, ADD/SUB/MUL, QUANTIZE between equal-size types) write each
     * element after reading it: the output may overwrite the first input when that input dies here.
     */
    ELEMENTWISE,
    /**
     * Depthwise convolution with depth multiplier 1 computed channel by channel into a one-channel
     * temporary and copied back over the input (TinyEngine's in-place depthwise, Lin et al., MCUNet,
     * NeurIPS 2020): the output overwrites the input; the temporary (output H x W elements) becomes
     * a scratch buffer of the node.
     */
    DEPTHWISE
}
