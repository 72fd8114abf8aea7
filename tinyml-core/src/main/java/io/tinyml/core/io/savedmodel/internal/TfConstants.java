package io.tinyml.core.io.savedmodel.internal;

import io.tinyml.core.MalformedModelException;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Shape;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes the constant tensors of a TensorFlow graph ({@code TensorProto}) into float or int arrays.
 * Stateless; not API.
 */
final class TfConstants {
    private TfConstants() {
    }

    /**
     * Decodes a TensorProto.
     *
     * @param p the proto
     * @param where the node, for messages
     * @return the constant
     * @throws UnsupportedOperatorException if the element type is not float32, int32 or int64
     * @throws MalformedModelException if the values do not fill the shape
     */
    static TfValue.Const decode(TensorProto p, String where) throws UnsupportedOperatorException, MalformedModelException {
        Shape shape = shape(p.getTensorShape(), where);
        int n = shape.elementCount();
        ByteBuffer content = p.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (p.getDtype()) {
            case DT_FLOAT -> {
                float[] v = new float[n];
                if (content.remaining() > 0) {
                    expect(content.remaining(), 4L * n, where);
                    content.asFloatBuffer().get(v);
                } else {
                    fill(p.getFloatValCount(), n, where);
                    for (int i = 0; i < n; i++) {
                        v[i] = p.getFloatVal(Math.min(i, p.getFloatValCount() - 1));
                    }
                }
                return TfValue.Const.ofFloats(shape, v);
            }
            case DT_INT32 -> {
                int[] v = new int[n];
                if (content.remaining() > 0) {
                    expect(content.remaining(), 4L * n, where);
                    content.asIntBuffer().get(v);
                } else {
                    fill(p.getIntValCount(), n, where);
                    for (int i = 0; i < n; i++) {
                        v[i] = p.getIntVal(Math.min(i, p.getIntValCount() - 1));
                    }
                }
                return TfValue.Const.ofInts(shape, v);
            }
            case DT_INT64 -> {
                int[] v = new int[n];
                if (content.remaining() > 0) {
                    expect(content.remaining(), 8L * n, where);
                    for (int i = 0; i < n; i++) {
                        v[i] = Math.toIntExact(content.getLong());
                    }
                } else {
                    fill(p.getInt64ValCount(), n, where);
                    for (int i = 0; i < n; i++) {
                        v[i] = Math.toIntExact(p.getInt64Val(Math.min(i, p.getInt64ValCount() - 1)));
                    }
                }
                return TfValue.Const.ofInts(shape, v);
            }
            default -> throw new UnsupportedOperatorException("Const", "constant of type " + p.getDtype() + " at "
                    + where + " is not supported by the SavedModel reader (expected DT_FLOAT, DT_INT32 or DT_INT64)");
        }
    }

    /**
     * Converts a TensorShapeProto; unknown dimensions (-1) become 1 (a batch of one).
     *
     * @param s the proto
     * @param where the node, for messages
     * @return the shape
     * @throws MalformedModelException if the rank is unknown
     */
    static Shape shape(TensorShapeProto s, String where) throws MalformedModelException {
        if (s.getUnknownRank()) {
            throw new MalformedModelException("expected a known rank at " + where + ", found an unknown rank");
        }
        int[] d = new int[s.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            long v = s.getDim(i).getSize();
            d[i] = v < 0 ? 1 : Math.toIntExact(v);
        }
        return Shape.of(d);
    }

    private static void expect(long found, long expected, String where) throws MalformedModelException {
        if (found != expected) {
            throw new MalformedModelException("expected " + expected + " bytes of constant data at " + where
                    + ", found " + found);
        }
    }

    private static void fill(int count, int n, String where) throws MalformedModelException {
        if (count == 0 && n > 0) {
            throw new MalformedModelException("expected " + n + " constant values at " + where + ", found none");
        }
        if (count > n) {
            throw new MalformedModelException("expected at most " + n + " constant values at " + where
                    + ", found " + count);
        }
    }
}
