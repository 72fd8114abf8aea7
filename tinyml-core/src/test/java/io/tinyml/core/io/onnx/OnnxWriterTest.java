package io.tinyml.core.io.onnx;

import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ONNX writer: float models (read from ONNX and TFLite) and int8 models (QDQ form) written,
 * run in ONNX Runtime and compared with our interpreter on the original model; written files read
 * back by our reader compute the same.
 */
class OnnxWriterTest {
    @TempDir
    Path tmp;

    /** Random inputs in IR layout for every graph input; integer inputs span their whole range. */
    static byte[][] randomInputs(Model m, Random rnd, boolean pixels) {
        byte[][] in = new byte[m.graph().inputs().size()][];
        for (int i = 0; i < in.length; i++) {
            Tensor t = m.graph().inputTensor(i);
            int n = t.shape().elementCount();
            if (t.type() == DataType.FLOAT32) {
                float[] v = new float[n];
                for (int k = 0; k < n; k++) {
                    v[k] = pixels ? rnd.nextInt(256) : (float) rnd.nextGaussian();
                }
                in[i] = Tensor.ofFloats("x", t.shape(), v).bytes();
            } else {
                in[i] = new byte[t.byteSize()];
                rnd.nextBytes(in[i]);
            }
        }
        return in;
    }

    /** Runs the written model in ORT on IR-layout inputs; returns IR-layout output bytes. */
    static byte[][] runOrt(Model m, byte[] onnx, byte[][] irInputs) throws Exception {
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < irInputs.length; i++) {
            Tensor t = m.graph().inputTensor(i);
            Tensor c = Tensor.constant(t.name(), t.type(), t.shape(), irInputs[i]);
            feed.put(t.name(), t.shape().rank() == 4 ? OnnxTensors.permute(c, OnnxTensors.TO_NCHW, t.name()) : c);
        }
        try (Ort ort = new Ort(onnx)) {
            List<Tensor> outs = ort.run(feed);
            byte[][] res = new byte[outs.size()][];
            for (int o = 0; o < res.length; o++) {
                Tensor y = outs.get(o);
                res[o] = y.shape().rank() == 4 ? OnnxTensors.permute(y, OnnxTensors.TO_NHWC, y.name()).bytes() : y.bytes();
            }
            return res;
        }
    }

    static double floatError(Model m, byte[][] a, byte[][] b) {
        double worst = 0;
        for (int o = 0; o < a.length; o++) {
            Shape s = m.graph().outputTensor(o).shape();
            float[] x = Tensor.constant("a", DataType.FLOAT32, s, a[o]).floats();
            float[] y = Tensor.constant("b", DataType.FLOAT32, s, b[o]).floats();
            for (int k = 0; k < x.length; k++) {
                worst = Math.max(worst, Math.abs(x[k] - y[k]) / Math.max(1, Math.abs(x[k])));
            }
        }
        return worst;
    }

    @Test
    void floatModelsRunInOnnxRuntimeAndReadBack() throws Exception {
        Map<String, Model> models = new LinkedHashMap<>();
        models.put("mnist8.onnx", OnnxReader.read(Assets.require("models/onnx/mnist8/model.onnx")));
        models.put("tiny_digits.onnx", OnnxReader.read(Assets.require("models/pytorch/tiny_digits.onnx")));
        models.put("hello_world.onnx", OnnxReader.read(Assets.require("models/onnx/hello_world.onnx")));
        models.put("hello_world_float.tflite", TfliteReader.read(Assets.require("models/tflite/hello_world_float.tflite")));
        models.put("ic_resnet8_float.tflite", TfliteReader.read(Assets.require("models/tflite/ic_resnet8_float.tflite")));
        for (Path d : OnnxCases.caseDirs(Assets.require("onnx-pytorch"))) {
            models.put(d.getFileName().toString(), OnnxReader.read(d.resolve("model.onnx")));
        }
        Random rnd = new Random(7);
        double worstOrt = 0;
        double worstReread = 0;
        for (Map.Entry<String, Model> e : models.entrySet()) {
            Model m = e.getValue();
            Path file = tmp.resolve("written.onnx");
            OnnxWriter.write(m, file);
            byte[] onnx = Files.readAllBytes(file);
            byte[][] in = randomInputs(m, rnd, e.getKey().startsWith("mnist8"));
            byte[][] ours = Interpreter.create(m).invoke(in);
            byte[][] ort = runOrt(m, onnx, in);
            double err = floatError(m, ours, ort);
            assertTrue(err <= 1e-5, e.getKey() + ": ONNX Runtime on the written model differs by " + err);
            Model back = OnnxReader.read(onnx, "written " + e.getKey());
            assertEquals(m.graph().inputTensor(0).shape(), back.graph().inputTensor(0).shape());
            double err2 = floatError(m, ours, Interpreter.create(back).invoke(in));
            assertTrue(err2 <= 1e-5, e.getKey() + ": re-read model differs by " + err2);
            worstOrt = Math.max(worstOrt, err);
            worstReread = Math.max(worstReread, err2);
        }
        System.out.printf("ONNX writer (float): %d models written; ONNX Runtime vs our interpreter worst error %.2e;"
                + " re-read by OnnxReader worst error %.2e%n", models.size(), worstOrt, worstReread);
    }

    @Test
    void int8ModelsRunInOnnxRuntimeAsQdqWithinOneLsb() throws Exception {
        Map<String, Model> models = new LinkedHashMap<>();
        models.put("kws_dscnn_int8", TfliteReader.read(Assets.require("models/tflite/kws_dscnn_int8.tflite")));
        models.put("hello_world_int8", TfliteReader.read(Assets.require("models/tflite/hello_world_int8.tflite")));
        models.put("person_detect", TfliteReader.read(Assets.require("models/tflite/person_detect/person_detect.tflite")));
        models.put("micro_speech", TfliteReader.read(Assets.require("models/tflite/micro_speech_quantized.tflite")));
        Random rnd = new Random(11);
        StringBuilder report = new StringBuilder();
        for (Map.Entry<String, Model> e : models.entrySet()) {
            Model m = e.getValue();
            byte[] onnx = OnnxWriter.write(m);
            int worst = 0;
            int worstBack = 0;
            long differing = 0;
            long total = 0;
            Model back = OnnxReader.read(onnx, "written " + e.getKey());
            for (int trial = 0; trial < 5; trial++) {
                byte[][] in = randomInputs(m, rnd, false);
                if (trial == 0 && e.getKey().equals("kws_dscnn_int8")) {
                    in[0] = Files.readAllBytes(Assets.require("models/tflite/kws_dscnn_input0_int8.bin"));
                }
                byte[][] ours = Interpreter.create(m).invoke(in);
                byte[][] ort = runOrt(m, onnx, in);
                byte[][] reread = Interpreter.create(back).invoke(in);
                for (int o = 0; o < ours.length; o++) {
                    for (int k = 0; k < ours[o].length; k++) {
                        worstBack = Math.max(worstBack, Math.abs(ours[o][k] - reread[o][k]));
                    }
                    assertEquals(ours[o].length, ort[o].length);
                    for (int k = 0; k < ours[o].length; k++) {
                        int d = Math.abs(ours[o][k] - ort[o][k]);
                        worst = Math.max(worst, d);
                        differing += d > 0 ? 1 : 0;
                        total++;
                    }
                }
            }
            report.append(String.format(" %s: worst %d LSB, %d of %d outputs differ (QDQ file re-read by OnnxReader:"
                    + " worst %d LSB);", e.getKey(), worst, differing, total, worstBack));
            assertTrue(worstBack <= 1, e.getKey() + ": the re-read QDQ model differs by " + worstBack + " LSB");
            assertTrue(worst <= 1, e.getKey() + ": ONNX Runtime (QDQ) differs from our int8 interpreter by " + worst + " LSB");
        }
        System.out.println("ONNX writer (int8 QDQ) vs our int8 interpreter:" + report);
    }
}
