package io.tinyml.core.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.Random;

/**
 * int8 models written as QDQ ONNX come back as int8 operators: TFLite int8 → ONNX → IR → TFLite gives
 * the original number of nodes, no QUANTIZE/DEQUANTIZE left, int8 tensors throughout, and exactly the
 * original model's output bytes (TFLM's recorded reference input and seeded random inputs).
 */
class QdqFusionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"kws, models/tflite/kws_dscnn_int8.tflite, 13", "person, models/tflite/person_detect/person_detect.tflite, 31",
            "hello_world, models/tflite/hello_world_int8.tflite, 3"})
    void int8OnnxRoundTripIsTheOriginalModel(String name, String path, int nodes) throws Exception {
        Model original = TfliteReader.read(Assets.require(path));
        assertEquals(nodes, original.graph().nodes().size());
        byte[] onnx = OnnxWriter.write(original);
        Model back = TfliteReader.read(TfliteWriter.write(OnnxReader.read(onnx, name + ".onnx")), name + ".tflite");
        StringBuilder ops = new StringBuilder();
        for (Node n : back.graph().nodes()) {
            ops.append(n.op().kind()).append(' ');
            assertTrue(n.op().kind() != OpKind.QUANTIZE && n.op().kind() != OpKind.DEQUANTIZE, ops.toString());
        }
        assertEquals(nodes, back.graph().nodes().size(), ops.toString());
        assertEquals(DataType.INT8, back.graph().inputTensor(0).type());
        assertEquals(DataType.INT8, back.graph().outputTensor(0).type());
        Interpreter a = Interpreter.create(original);
        Interpreter b = Interpreter.create(back);
        int inBytes = original.graph().inputTensor(0).byteSize();
        Random r = new Random(3);
        for (int trial = 0; trial < 4; trial++) {
            byte[] in = new byte[inBytes];
            if (trial == 0 && !name.equals("hello_world")) {
                in = Files.readAllBytes(Assets.require("reference/" + name + "/input.bin"));
            } else {
                r.nextBytes(in);
            }
            assertArrayEquals(a.invoke(in)[0], b.invoke(in)[0], name + " trial " + trial);
        }
    }
}
