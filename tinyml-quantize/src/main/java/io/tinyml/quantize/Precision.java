package io.tinyml.quantize;

/**
 * The arithmetic one layer runs in. Thread-safe (an enum).
 */
public enum Precision {
    /** int8 activations, int8 per-channel weights, int32 bias. */
    INT8,
    /** int16 activations (zero point 0), int8 weights, int64 bias ("16x8"). */
    INT16,
    /** float32 activations and weights. */
    FLOAT
}
