package io.tinyml.core.ir;

/**
 * How {@link Op.Pad} fills padded positions, as ONNX's Pad modes. Thread-safe (an enum).
 */
public enum PadMode {
    /** A constant value. */
    CONSTANT,
    /** The nearest edge element of the axis. */
    EDGE,
    /** The reflection about the edge element, which is not repeated (pads shorter than the axis). */
    REFLECT,
    /** The axis repeated periodically (wrap-around). */
    WRAP
}
