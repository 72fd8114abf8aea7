package io.tinyml.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.onnx.OnnxReader;
import io.tinyml.core.io.onnx.OnnxWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The int8 models we write as ONNX QDQ run in ONNX Runtime within 1 LSB of our interpreter on at least
 * 99.9% of final outputs (per-operator rounding differences of 1 LSB can compound to 2 through a network).
 * Needs ONNX Runtime as a test dependency of tinyml-quantize (move to src/test/java once it is).
 */
class OnnxQdqOrtTest {
    private static OrtSession.SessionOptions opts() throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        if (Boolean.getBoolean("ort.noopt")) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        }
        return o;
    }

    @Test
    void qdqRunsInOrtWithinOneLsb() throws Exception {
        for (String asset : new String[] {"models/pytorch/tiny_digits.onnx", "models/onnx/mnist8/model.onnx"}) {
            Model f = OnnxReader.read(Assets.require(asset));
            float scale = asset.contains("tiny") ? 1f / 255 : 1f;
            Dataset cal = Datasets.open(Assets.require("datasets/mnist10k") + "[0:8000]");
            Model q = Quantizer.of(f).int8().calibrate(cal, 200).inputScale(scale).apply();
            byte[] onnx = OnnxWriter.write(q);
            Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:8200]");
            Tensor in = q.graph().inputTensor(0);
            InputMapping map = InputMapping.builder().setInput(in).optScale(scale).build();
            Interpreter it = Interpreter.create(q);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int maxDiff = 0;
            long exact = 0;
            long within1 = 0;
            long total = 0;
            try (OrtSession s = env.createSession(onnx, opts())) {
                String name = s.getInputNames().iterator().next();
                long[] shape = ((ai.onnxruntime.TensorInfo) s.getInputInfo().get(name).getInfo()).getShape();
                for (int i = 0; i < eval.size(); i++) {
                    byte[] x = map.toInputBytes(eval.get(i));
                    byte[] ours = it.invoke(x)[0];
                    ByteBuffer bb = ByteBuffer.allocateDirect(x.length).order(ByteOrder.nativeOrder());
                    bb.put(x).rewind();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, bb, shape, OnnxJavaType.INT8);
                         OrtSession.Result r = s.run(java.util.Map.of(name, t))) {
                        ByteBuffer y = ((OnnxTensor) r.get(0)).getByteBuffer();
                        for (int k = 0; k < ours.length; k++) {
                            int d = Math.abs(ours[k] - y.get(k));
                            maxDiff = Math.max(maxDiff, d);
                            exact += d == 0 ? 1 : 0;
                            within1 += d <= 1 ? 1 : 0;
                            total++;
                        }
                    }
                }
            }
            System.out.printf("%s int8 QDQ in ONNX Runtime vs interpreter: max |diff| %d LSB, %d/%d outputs exact,"
                    + " %d/%d within 1 LSB%n", asset, maxDiff, exact, total, within1, total);
            // each operator agrees within 1 LSB; through a whole network a 1-LSB difference can compound
            assertTrue(within1 >= 0.999 * total, "within 1 LSB: " + within1 + "/" + total);
            assertTrue(maxDiff <= 2, "max diff " + maxDiff);
            assertEquals(true, total > 0);
        }
    }
}
