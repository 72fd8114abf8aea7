package io.tinyml.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.tflite.TfliteReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.quantize.eval.LayerError;
import io.tinyml.quantize.eval.QuantEval;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ic_resnet8 (TFLite and Keras) quantizes to int8; the per-layer SNR table is printed; the .tflite we
 * write re-reads to a model whose outputs are byte-identical to the in-memory one.
 */
class IcResnet8QuantizeTest {
    @Test
    void tfliteAndKerasQuantizeToInt8AndRereadIdentically() throws Exception {
        for (String asset : List.of("models/tflite/ic_resnet8_float.tflite", "models/keras/ic_resnet8.h5")) {
            Model f = ModelIO.read(Assets.require(asset));
            Dataset mnist = Datasets.open(Assets.require("datasets/mnist10k") + "[0:8000]");
            Model q = Quantizer.of(f).int8().perChannel().calibrate(mnist, 100).inputScale(1f / 255).apply();
            assertEquals(DataType.INT8, q.graph().inputTensor(0).type());
            List<LayerError> table = QuantEval.layerErrors(Quantizer.prepare(f), q, mnist, 1f / 255, 0f, 20);
            StringBuilder sb = new StringBuilder("per-layer SNR, " + asset + " int8 per-channel minmax\n");
            for (LayerError e : table) {
                sb.append(String.format("  %-50s %-6s %7.2f dB  cos %.5f%n", e.name(), e.dtype(), e.snrDb(), e.cosine()));
            }
            System.out.print(sb);
            // logits (before the softmax, whose 1/256 output step dominates its own SNR)
            LayerError logits = table.get(table.size() - 2);
            assertTrue(logits.snrDb() > 15, "logits SNR " + logits.snrDb());
            assertTrue(table.get(table.size() - 1).cosine() > 0.97, "softmax cosine");

            byte[] flat = TfliteWriter.write(q);
            Model back = TfliteReader.read(flat, "q.tflite");
            assertArrayEquals(flat, TfliteWriter.write(back), "re-written bytes differ");
            Interpreter a = Interpreter.create(q);
            Interpreter b = Interpreter.create(back);
            Tensor in = q.graph().inputTensor(0);
            InputMapping map = InputMapping.builder().setInput(in).optScale(1f / 255).optResize(true).build();
            Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:8050]");
            for (int i = 0; i < eval.size(); i++) {
                byte[] x = map.toInputBytes(eval.get(i));
                assertArrayEquals(a.invoke(x)[0], b.invoke(x)[0]);
            }
            Model q16 = Quantizer.of(f).int16x8().calibrate(mnist, 100).inputScale(1f / 255).apply();
            List<LayerError> t16 = QuantEval.layerErrors(Quantizer.prepare(f), q16, mnist, 1f / 255, 0f, 20);
            LayerError l16 = t16.get(t16.size() - 2);
            for (LayerError e : t16) {
                System.out.printf("  16x8 %-40s %-6s %7.2f dB%n", e.name(), e.dtype(), e.snrDb());
            }
            System.out.printf("%s int16x8 logits SNR %.2f dB (int8 %.2f dB)%n", asset, l16.snrDb(), logits.snrDb());
            // int16 activations show where the input is exact (first layer); deeper, the int8 weights set the
            // floor, so int16x8 stays within a dB of int8 at the logits
            assertTrue(t16.get(0).snrDb() > table.get(0).snrDb() + 20, "int16x8 first-layer SNR " + t16.get(0));
            assertTrue(l16.snrDb() > logits.snrDb() - 1, "int16x8 logits SNR " + l16.snrDb());
            System.out.printf("%s: float %d bytes, int8 %d bytes%n", asset, TfliteWriter.write(Quantizer.prepare(f)).length,
                    flat.length);
        }
    }
}
