package io.tinyml.quantize;

/**
 * A quantization scheme, as the command line names it. Thread-safe (an enum).
 */
public enum Scheme {
    /** Full-integer int8 (TFLite quantization specification). */
    INT8,
    /** int16 activations with int8 weights. */
    INT16X8,
    /** float16 weights, float32 compute. */
    FP16,
    /** int8 weights, float32 activations ("hybrid"). */
    DYNAMIC,
    /** A per-layer choice of int8, int16x8 or float meeting an accuracy target. */
    MIXED;

    /**
     * Parses a scheme name ({@code int8}, {@code int16x8}, {@code fp16}, {@code dynamic}, {@code mixed}).
     *
     * @param name the name, case-insensitive
     * @return the scheme
     * @throws IllegalArgumentException if the name is unknown
     */
    public static Scheme parse(String name) {
        for (Scheme s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("expected one of int8, int16x8, fp16, dynamic, mixed, found '" + name + "'");
    }
}
