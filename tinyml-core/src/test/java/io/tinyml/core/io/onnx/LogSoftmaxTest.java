package io.tinyml.core.io.onnx;

import static io.tinyml.core.io.onnx.OnnxLayoutTest.floats;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.intAttr;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.ints;
import static io.tinyml.core.io.onnx.OnnxLayoutTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.OpKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

/**
 * The shape of a PyTorch MNIST CNN export (Conv → Relu → MaxPool → Flatten → Gemm → Relu → Gemm →
 * LogSoftmax, as PyTorch 1.1 writes it at opset 9, and the same at opset 13): read, run, and
 * compared with ONNX Runtime on random inputs; the LogSoftmax survives a TFLite round trip
 * (LOG_SOFTMAX).
 */
class LogSoftmaxTest {

    static byte[] mnistLike(long opset) {
        OnnxCraftedTest.Raw r = new OnnxCraftedTest.Raw();
        r.opset = opset;
        r.inputs.add(OnnxCraftedTest.Raw.value("input", 1, 1, 12, 12));
        r.outputs.add(OnnxCraftedTest.Raw.value("output", 1, 10));
        r.inits.add(floats("conv.weight", random(4 * 9), 4, 1, 3, 3));
        r.inits.add(floats("conv.bias", random(4), 4));
        r.inits.add(floats("fc1.weight", small(16 * 100), 16, 100));
        r.inits.add(floats("fc1.bias", random(16), 16));
        r.inits.add(floats("fc2.weight", small(10 * 16), 10, 16));
        r.inits.add(floats("fc2.bias", random(10), 10));
        r.node("Conv", "conv", List.of("input", "conv.weight", "conv.bias"), List.of("c"),
                ints("kernel_shape", 3, 3), ints("pads", 0, 0, 0, 0), ints("strides", 1, 1));
        r.node("Relu", "relu1", List.of("c"), List.of("r"));
        r.node("MaxPool", "pool", List.of("r"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        r.node("Flatten", "flatten", List.of("p"), List.of("f"), intAttr("axis", 1));
        r.node("Gemm", "fc1", List.of("f", "fc1.weight", "fc1.bias"), List.of("h"), intAttr("transB", 1));
        r.node("Relu", "relu2", List.of("h"), List.of("hr"));
        r.node("Gemm", "fc2", List.of("hr", "fc2.weight", "fc2.bias"), List.of("logits"), intAttr("transB", 1));
        r.node("LogSoftmax", "log_softmax", List.of("logits"), List.of("output"), intAttr("axis", 1));
        return r.build();
    }

    /** Weights of a trained layer's size: logits of a few units, as a classifier has. */
    private static float[] small(int n) {
        float[] v = random(n);
        for (int i = 0; i < n; i++) {
            v[i] *= 0.1f;
        }
        return v;
    }

    @ParameterizedTest(name = "opset {0}")
    @ValueSource(longs = {9, 13})
    void pytorchMnistExportEndingInLogSoftmaxMatchesOnnxRuntime(long opset) throws Exception {
        byte[] onnx = mnistLike(opset);
        Model m = OnnxReader.read(onnx, "mnist_logsoftmax.onnx");
        assertEquals(OpKind.LOG_SOFTMAX, m.graph().node(m.graph().nodes().size() - 1).op().kind());
        double worst = OnnxLayoutTest.compare(onnx, "input", 1, 1, 12, 12);
        assertTrue(worst <= 1e-5, "worst error against ONNX Runtime " + worst);
        Model back = TfliteReader.read(TfliteWriter.write(m), "back.tflite");
        assertEquals(OpKind.LOG_SOFTMAX, back.graph().node(back.graph().nodes().size() - 1).op().kind());
    }
}
