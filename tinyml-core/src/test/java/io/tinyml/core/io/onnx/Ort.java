package io.tinyml.core.io.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.testing.OrtOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime as a test oracle with {@link OrtOptions#deterministic()} (same answers on every x86-64 CPU), tensors in and out as IR constants in ONNX
 * layout. Closes its session.
 */
final class Ort implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    Ort(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions o = OrtOptions.deterministic()) {
            session = env.createSession(model, o);
        }
    }

    List<String> inputNames() {
        return new ArrayList<>(session.getInputNames());
    }

    /** Runs on named inputs; returns outputs in the model's output order. */
    List<Tensor> run(Map<String, Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                Tensor t = e.getValue();
                long[] shape = Arrays.stream(t.shape().toArray()).asLongStream().toArray();
                ByteBuffer b = ByteBuffer.allocateDirect(t.byteSize()).order(ByteOrder.nativeOrder());
                b.put(t.data().order(ByteOrder.LITTLE_ENDIAN));
                b.rewind();
                OnnxTensor ot = switch (t.type()) {
                    case FLOAT32 -> OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
                    case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
                    case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
                    case INT8 -> OnnxTensor.createTensor(env, b, shape, OnnxJavaType.INT8);
                    case UINT8 -> OnnxTensor.createTensor(env, b, shape, OnnxJavaType.UINT8);
                    default -> throw new IllegalArgumentException("expected a float or integer input, found " + t.type());
                };
                feed.put(e.getKey(), ot);
            }
            try (OrtSession.Result r = session.run(feed)) {
                List<Tensor> out = new ArrayList<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    OnnxTensor t = (OnnxTensor) e.getValue();
                    int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(l -> (int) l).toArray();
                    DataType type = switch (t.getInfo().type) {
                        case FLOAT -> DataType.FLOAT32;
                        case INT8 -> DataType.INT8;
                        case UINT8 -> DataType.UINT8;
                        case INT32 -> DataType.INT32;
                        case INT64 -> DataType.INT64;
                        default -> throw new IllegalStateException("unexpected output type " + t.getInfo().type);
                    };
                    ByteBuffer src = t.getByteBuffer().order(ByteOrder.nativeOrder());
                    ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                    int es = type.byteSize();
                    while (src.remaining() >= es) {
                        switch (es) {
                            case 8 -> dst.putLong(src.getLong());
                            case 4 -> dst.putInt(src.getInt());
                            default -> dst.put(src.get());
                        }
                    }
                    out.add(Tensor.constant(e.getKey(), type, Shape.of(shape), dst.array()));
                }
                return out;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
