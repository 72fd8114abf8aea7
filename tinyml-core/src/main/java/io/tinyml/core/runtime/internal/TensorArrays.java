package io.tinyml.core.runtime.internal;

import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Half;
import io.tinyml.core.ir.Tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The interpreter's in-memory form of tensor values: one primitive array per tensor, by type.
 * FLOAT32 → {@code float[]}; INT8, UINT8, BOOL → {@code byte[]}; INT16, FLOAT16 → {@code short[]};
 * INT32 → {@code int[]}; INT64 → {@code long[]}. Conversion to and from little-endian bytes.
 */
public final class TensorArrays {
    private static final VarHandle F32 = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private TensorArrays() {
    }

    /**
     * Fills an array from little-endian bytes without allocating.
     *
     * @param type the element type
     * @param src the bytes, {@code length × type.byteSize()} of them
     * @param dst the array, of the type's array class
     */
    public static void read(DataType type, byte[] src, Object dst) {
        switch (type) {
            case FLOAT32 -> {
                float[] d = (float[]) dst;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) F32.get(src, i * 4);
                }
            }
            case INT8, UINT8, BOOL -> System.arraycopy(src, 0, dst, 0, src.length);
            case INT16, FLOAT16 -> {
                short[] d = (short[]) dst;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (short) I16.get(src, i * 2);
                }
            }
            case INT32 -> {
                int[] d = (int[]) dst;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (int) I32.get(src, i * 4);
                }
            }
            case INT64 -> {
                long[] d = (long[]) dst;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (long) I64.get(src, i * 8);
                }
            }
        }
    }

    /**
     * Encodes an array as little-endian bytes into an existing byte array, without allocating.
     *
     * @param type the element type
     * @param src the array
     * @param dst the bytes, {@code length × type.byteSize()} of them
     */
    public static void write(DataType type, Object src, byte[] dst) {
        switch (type) {
            case FLOAT32 -> {
                float[] s = (float[]) src;
                for (int i = 0; i < s.length; i++) {
                    F32.set(dst, i * 4, s[i]);
                }
            }
            case INT8, UINT8, BOOL -> System.arraycopy(src, 0, dst, 0, dst.length);
            case INT16, FLOAT16 -> {
                short[] s = (short[]) src;
                for (int i = 0; i < s.length; i++) {
                    I16.set(dst, i * 2, s[i]);
                }
            }
            case INT32 -> {
                int[] s = (int[]) src;
                for (int i = 0; i < s.length; i++) {
                    I32.set(dst, i * 4, s[i]);
                }
            }
            case INT64 -> {
                long[] s = (long[]) src;
                for (int i = 0; i < s.length; i++) {
                    I64.set(dst, i * 8, s[i]);
                }
            }
        }
    }

    /**
     * Allocates a zeroed array for a tensor.
     *
     * @param type the element type
     * @param count the element count
     * @return the array
     */
    public static Object allocate(DataType type, int count) {
        return switch (type) {
            case FLOAT32 -> new float[count];
            case INT8, UINT8, BOOL -> new byte[count];
            case INT16, FLOAT16 -> new short[count];
            case INT32 -> new int[count];
            case INT64 -> new long[count];
        };
    }

    /**
     * Decodes a constant tensor's data into a new array.
     *
     * @param t the constant tensor
     * @return the array
     */
    public static Object of(Tensor t) {
        Object a = allocate(t.type(), t.shape().elementCount());
        read(t.type(), t.data(), a);
        return a;
    }

    /**
     * Fills an array from little-endian bytes.
     *
     * @param type the element type
     * @param src the bytes (position 0 onwards, little-endian order is applied)
     * @param dst the array, of the type's array class and the right length
     */
    public static void read(DataType type, ByteBuffer src, Object dst) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> b.asFloatBuffer().get((float[]) dst);
            case INT8, UINT8, BOOL -> b.get((byte[]) dst);
            case INT16, FLOAT16 -> b.asShortBuffer().get((short[]) dst);
            case INT32 -> b.asIntBuffer().get((int[]) dst);
            case INT64 -> b.asLongBuffer().get((long[]) dst);
        }
    }

    /**
     * Encodes an array as little-endian bytes.
     *
     * @param type the element type
     * @param src the array
     * @return the bytes
     */
    public static byte[] toBytes(DataType type, Object src) {
        int n = length(src);
        ByteBuffer b = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT32 -> b.asFloatBuffer().put((float[]) src);
            case INT8, UINT8, BOOL -> b.put((byte[]) src);
            case INT16, FLOAT16 -> b.asShortBuffer().put((short[]) src);
            case INT32 -> b.asIntBuffer().put((int[]) src);
            case INT64 -> b.asLongBuffer().put((long[]) src);
        }
        return b.array();
    }

    /**
     * Returns the element count of a tensor array.
     *
     * @param array the array
     * @return its length
     */
    public static int length(Object array) {
        return java.lang.reflect.Array.getLength(array);
    }

    /**
     * Reads element {@code i} of a tensor array as a real number, dequantizing with per-tensor
     * parameters when given ({@code scale == 0} means not quantized). For observers and tests, not
     * for kernels.
     *
     * @param type the element type
     * @param array the array
     * @param i the index
     * @param scale the scale, or 0
     * @param zeroPoint the zero point
     * @return the value
     */
    public static float realValue(DataType type, Object array, int i, float scale, long zeroPoint) {
        double q = switch (type) {
            case FLOAT32 -> ((float[]) array)[i];
            case FLOAT16 -> Half.toFloat(((short[]) array)[i]);
            case INT8 -> ((byte[]) array)[i];
            case UINT8, BOOL -> ((byte[]) array)[i] & 0xff;
            case INT16 -> ((short[]) array)[i];
            case INT32 -> ((int[]) array)[i];
            case INT64 -> ((long[]) array)[i];
        };
        return scale == 0 ? (float) q : (float) (scale * (q - zeroPoint));
    }
}
