package io.tinyml.core.ir;

/**
 * Element type of a tensor.
 *
 * <p>Thread-safe (an enum).
 */
public enum DataType {
    /** IEEE 754 single precision. */
    FLOAT32(4),
    /** IEEE 754 half precision. */
    FLOAT16(2),
    /** Signed 8-bit integer. */
    INT8(1),
    /** Unsigned 8-bit integer. */
    UINT8(1),
    /** Signed 16-bit integer. */
    INT16(2),
    /** Signed 32-bit integer. */
    INT32(4),
    /** Signed 64-bit integer. */
    INT64(8),
    /** Boolean stored as one byte (0 or 1). */
    BOOL(1);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    /**
     * Returns the number of bytes one element occupies.
     *
     * @return the element size in bytes
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Tells whether this is a floating-point type.
     *
     * @return true for FLOAT32 and FLOAT16
     */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT16;
    }

    /**
     * Tells whether this is an integer type usable for quantized values.
     *
     * @return true for INT8, UINT8, INT16 and INT32
     */
    public boolean isQuantizable() {
        return this == INT8 || this == UINT8 || this == INT16 || this == INT32;
    }
}
