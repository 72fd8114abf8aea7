package io.tinyml.core.io.onnx;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one protobuf message by hand with {@link CodedOutputStream}: fields are appended in
 * call order, nested messages are passed as their encoded bytes. Not thread-safe.
 */
final class OnnxProtoWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    OnnxProtoWriter varint(int field, long v) {
        try {
            out.writeInt64(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProtoWriter float32(int field, float v) {
        try {
            out.writeFloat(field, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    OnnxProtoWriter bytes(int field, byte[] b) {
        try {
            out.writeByteArray(field, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProtoWriter message(int field, OnnxProtoWriter m) {
        return bytes(field, m.toByteArray());
    }

    byte[] toByteArray() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
