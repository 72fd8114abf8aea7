package io.tinyml.core.ir;

/**
 * A fused activation applied to an operator's output before it is stored.
 *
 * <p>Thread-safe (an enum).
 */
public enum Activation {
    /** No activation. */
    NONE,
    /** max(0, x). */
    RELU,
    /** clamp(x, -1, 1). */
    RELU_N1_TO_1,
    /** clamp(x, 0, 6). */
    RELU6,
    /** tanh(x) (float only). */
    TANH
}
