package io.tinyml.core.io.onnx;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Conversions between ONNX TensorProto data and IR constants, and the NCHW/NHWC permutations of
 * constant data. Stateless.
 */
final class OnnxTensors {
    /** The largest constant accepted, in bytes. */
    static final long MAX_TENSOR_BYTES = 256L << 20;

    /** NCHW to NHWC: output axis i is input axis TO_NHWC[i]. */
    static final int[] TO_NHWC = {0, 2, 3, 1};
    /** NHWC to NCHW. */
    static final int[] TO_NCHW = {0, 3, 1, 2};

    private OnnxTensors() {
    }

    /** Maps an ONNX element type to the IR's, or null if the IR has none. */
    static DataType irType(int onnx) {
        return switch (onnx) {
            case OnnxProto.FLOAT -> DataType.FLOAT32;
            case OnnxProto.UINT8 -> DataType.UINT8;
            case OnnxProto.INT8 -> DataType.INT8;
            case OnnxProto.INT16 -> DataType.INT16;
            case OnnxProto.INT32 -> DataType.INT32;
            case OnnxProto.INT64 -> DataType.INT64;
            case OnnxProto.BOOL -> DataType.BOOL;
            case OnnxProto.FLOAT16 -> DataType.FLOAT16;
            default -> null;
        };
    }

    /**
     * The IR type that holds an ONNX element type: its own, or for the integer types the IR lacks a
     * wider one that holds every value exactly (UINT16 in INT32, UINT32 and UINT64 in INT64 — the
     * bits of UINT64 kept, so wrapping sums and products agree —, INT4 and INT2 in INT8, UINT4 and
     * UINT2 in UINT8); null for others.
     */
    static DataType holderType(int onnx) {
        return switch (onnx) {
            case OnnxProto.UINT16 -> DataType.INT32;
            case 12, 13 -> DataType.INT64; // UINT32, UINT64
            case 22, 26 -> DataType.INT8; // INT4, INT2
            case 21, 25 -> DataType.UINT8; // UINT4, UINT2
            case 17, 19, 23 -> DataType.FLOAT32; // FLOAT8E4M3FN, FLOAT8E5M2, FLOAT4E2M1: every value exact
            default -> irType(onnx);
        };
    }

    /** True when {@link #holderType} widens the ONNX type. */
    static boolean widened(int onnx) {
        return irType(onnx) == null && holderType(onnx) != null;
    }

    /**
     * The raw little-endian bytes of narrow integer data stored in typed fields: int32_data holds one
     * UINT16 value, or one byte of packed 4-bit or 2-bit values, per entry; uint64_data one UINT32 or
     * UINT64 value per entry.
     */
    private static byte[] packedFromTypedFields(OnnxProto.TensorP t) {
        int code = t.dataType();
        if (code == 12 || code == 13) {
            long[] v = t.uint64Data() == null ? new long[0] : t.uint64Data();
            ByteBuffer b = ByteBuffer.allocate(v.length * (code == 12 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : v) {
                if (code == 12) {
                    b.putInt((int) x);
                } else {
                    b.putLong(x);
                }
            }
            return b.array();
        }
        int[] v = t.int32Data() == null ? new int[0] : t.int32Data();
        ByteBuffer b = ByteBuffer.allocate(v.length * (code == OnnxProto.UINT16 ? 2 : 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            if (code == OnnxProto.UINT16) {
                b.putShort((short) x);
            } else {
                b.put((byte) x);
            }
        }
        return b.array();
    }

    /** Decodes FLOAT8E4M3FN, FLOAT8E5M2 (one byte each) or FLOAT4E2M1 (two per byte, low nibble first). */
    private static byte[] decodeSmallFloats(int onnx, byte[] raw, int n, String where) throws MalformedModelException {
        long need = onnx == 23 ? (n + 1L) / 2 : n;
        if (raw.length != need) {
            throw new MalformedModelException(where + ": expected " + need + " bytes for " + n + " "
                    + onnxTypeName(onnx) + " values, found " + raw.length);
        }
        ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int b = onnx == 23 ? (raw[i / 2] >> (4 * (i % 2))) & 0xF : raw[i] & 0xFF;
            float v;
            if (onnx == 17) { // sign, 4 exponent bits (bias 7), 3 mantissa bits; S.1111.111 is NaN, no infinity
                int e = (b >> 3) & 0xF;
                int m = b & 7;
                v = e == 15 && m == 7 ? Float.NaN
                        : e == 0 ? m / 8f * (float) Math.pow(2, -6) : (1 + m / 8f) * (float) Math.pow(2, e - 7);
                v = (b & 0x80) != 0 ? -v : v;
            } else if (onnx == 19) { // sign, 5 exponent bits (bias 15), 2 mantissa bits, IEEE infinities and NaN
                int e = (b >> 2) & 0x1F;
                int m = b & 3;
                v = e == 31 ? (m == 0 ? Float.POSITIVE_INFINITY : Float.NaN)
                        : e == 0 ? m / 4f * (float) Math.pow(2, -14) : (1 + m / 4f) * (float) Math.pow(2, e - 15);
                v = (b & 0x80) != 0 ? -v : v;
            } else { // sign, 2 exponent bits (bias 1), 1 mantissa bit
                int e = (b >> 1) & 3;
                int m = b & 1;
                v = e == 0 ? m * 0.5f : (1 + m / 2f) * (float) Math.pow(2, e - 1);
                v = (b & 0x8) != 0 ? -v : v;
            }
            out.putFloat(v);
        }
        return out.array();
    }

    /** Widens little-endian raw data of a narrow integer type into its holder type. */
    private static byte[] widen(int onnx, byte[] raw, int n, String where) throws MalformedModelException {
        if (onnx == 17 || onnx == 19 || onnx == 23) {
            return decodeSmallFloats(onnx, raw, n, where);
        }
        int bits = switch (onnx) {
            case 21, 22 -> 4;
            case 25, 26 -> 2;
            case OnnxProto.UINT16 -> 16;
            case 12 -> 32;
            default -> 64;
        };
        long need = ((long) n * bits + 7) / 8;
        if (raw.length != need) {
            throw new MalformedModelException(where + ": expected " + need + " bytes of raw_data for " + n + " "
                    + onnxTypeName(onnx) + " values, found " + raw.length);
        }
        boolean signed = onnx == 22 || onnx == 26;
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(n * holderType(onnx).byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (bits) {
                case 16 -> out.putInt(Short.toUnsignedInt(in.getShort(2 * i)));
                case 32 -> out.putLong(Integer.toUnsignedLong(in.getInt(4 * i)));
                case 64 -> out.putLong(in.getLong(8 * i));
                default -> {
                    int perByte = 8 / bits;
                    int v = (raw[i / perByte] >> ((i % perByte) * bits)) & ((1 << bits) - 1);
                    if (signed && v >= 1 << (bits - 1)) {
                        v -= 1 << bits;
                    }
                    out.put((byte) v);
                }
            }
        }
        return out.array();
    }

    /** Maps an IR type to ONNX's element type code. */
    static int onnxType(DataType t) {
        return switch (t) {
            case FLOAT32 -> OnnxProto.FLOAT;
            case UINT8 -> OnnxProto.UINT8;
            case INT8 -> OnnxProto.INT8;
            case INT16 -> OnnxProto.INT16;
            case INT32 -> OnnxProto.INT32;
            case INT64 -> OnnxProto.INT64;
            case BOOL -> OnnxProto.BOOL;
            case FLOAT16 -> OnnxProto.FLOAT16;
        };
    }

    /** Returns a printable name of an ONNX element type. */
    static String onnxTypeName(int code) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
            "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
            "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1"};
        return code >= 0 && code < names.length ? names[code] : "type " + code;
    }

    /** Checks ONNX dims and converts them to a shape, bounding the byte size. */
    static Shape shape(long[] dims, int elementBytes, String what) throws MalformedModelException {
        int[] d = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new MalformedModelException(what + ": expected non-negative dimensions, found " + Arrays.toString(dims));
            }
            d[i] = (int) dims[i];
            count *= Math.max(1, d[i]);
            if (count * elementBytes > MAX_TENSOR_BYTES) {
                throw new MalformedModelException(what + ": declares over " + MAX_TENSOR_BYTES
                        + " bytes, over the limit of " + MAX_TENSOR_BYTES + " bytes (256 MiB): dims " + Arrays.toString(dims));
            }
        }
        return Shape.of(d);
    }

    /**
     * Converts a TensorProto into an IR constant named {@code name}, in ONNX layout.
     */
    static Tensor toConstant(OnnxProto.TensorP t, String name, String where)
            throws MalformedModelException, UnsupportedOperatorException {
        if (t.external()) {
            throw new MalformedModelException(where + ": tensor '" + name
                    + "' stores its data in an external file; expected the data inside the model "
                    + "(save the model with all tensors embedded)");
        }
        DataType type = holderType(t.dataType());
        if (type != null && widened(t.dataType())) {
            Shape shape = shape(t.dims(), type.byteSize(), where + ": tensor '" + name + "'");
            byte[] raw = t.raw() != null ? t.raw() : packedFromTypedFields(t);
            return Tensor.constant(name, type, shape, widen(t.dataType(), raw, shape.elementCount(),
                    where + ": tensor '" + name + "'"));
        }
        if (type == null) {
            throw new UnsupportedOperatorException(onnxTypeName(t.dataType()), where + ": tensor '" + name
                    + "': expected an element type the IR has (FLOAT, FLOAT16, INT8, UINT8, INT16, INT32, INT64, BOOL), found "
                    + onnxTypeName(t.dataType()) + " (onnx-reader)");
        }
        Shape shape = shape(t.dims(), type.byteSize(), where + ": tensor '" + name + "'");
        int n = shape.elementCount();
        long bytes = (long) n * type.byteSize();
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (t.raw() != null) {
            if (t.raw().length != bytes) {
                throw new MalformedModelException(where + ": tensor '" + name + "': expected " + bytes
                        + " bytes of raw_data for " + type + shape + ", found " + t.raw().length);
            }
            return Tensor.constant(name, type, shape, t.raw());
        }
        int found;
        switch (type) {
            case FLOAT32 -> {
                found = t.floatData().length;
                if (found == n) {
                    for (float f : t.floatData()) {
                        out.putFloat(f);
                    }
                }
            }
            case INT64 -> {
                found = t.int64Data().length;
                if (found == n) {
                    for (long v : t.int64Data()) {
                        out.putLong(v);
                    }
                }
            }
            default -> {
                found = t.int32Data().length;
                if (found == n) {
                    for (int v : t.int32Data()) {
                        switch (type) {
                            case INT32 -> out.putInt(v);
                            case INT16, FLOAT16 -> out.putShort((short) v);
                            default -> out.put((byte) v);
                        }
                    }
                }
            }
        }
        if (found != n) {
            throw new MalformedModelException(where + ": tensor '" + name + "': expected " + n + " values for "
                    + type + shape + ", found " + found);
        }
        return Tensor.constant(name, type, shape, out.array());
    }

    /** Permutes constant data of any element size: output axis i is input axis perm[i]. */
    static Tensor permute(Tensor t, int[] perm, String name) {
        int[] in = t.shape().toArray();
        int r = in.length;
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            out[i] = in[perm[i]];
        }
        int es = t.type().byteSize();
        byte[] src = t.bytes();
        byte[] dst = new byte[src.length];
        int[] inStride = new int[r];
        int s = 1;
        for (int i = r - 1; i >= 0; i--) {
            inStride[i] = s;
            s *= in[i];
        }
        int[] idx = new int[r];
        int n = t.shape().elementCount();
        for (int k = 0; k < n; k++) {
            int off = 0;
            for (int i = 0; i < r; i++) {
                off += idx[i] * inStride[perm[i]];
            }
            System.arraycopy(src, off * es, dst, k * es, es);
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < out[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return Tensor.constant(name, t.type(), Shape.of(out), dst).withQuant(t.quant().orElse(null));
    }

    /** Reads a constant's values as longs (integer types). */
    static long[] longs(Tensor t) {
        if (t.type() == DataType.INT64) {
            ByteBuffer b = t.data();
            long[] v = new long[t.shape().elementCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getLong(8 * i);
            }
            return v;
        }
        return Arrays.stream(t.ints()).asLongStream().toArray();
    }

    /** Reads a float constant as float32 values. */
    static float[] floats(Tensor t) {
        return t.floats();
    }
}
