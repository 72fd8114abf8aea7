package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.codegen.report.FirmwareMeasurement;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code estimate --kernels generated} against {@code arm-none-eabi-size} of the generated Cortex-M4
 * firmware for every int8 model of the assets, including the ones a user gets by quantizing the
 * assets' float ONNX models (mnist8 and the PyTorch digits CNN): flash within 5 %, and no printed
 * figure negative.
 */
class GeneratedFlashEstimateTest {

    @Test
    void flashWithinFivePercentOfTheFirmwareAndNoNegativeFigure(@TempDir Path dir) throws Exception {
        for (String tool : List.of("make", "arm-none-eabi-gcc", "qemu-system-arm")) {
            ReadmeJourneyTest.require(tool);
        }
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("kws", Assets.require("models/tflite/kws_dscnn_int8.tflite"));
        models.put("person", Assets.require("models/tflite/person_detect/person_detect.tflite"));
        models.put("hello_world_int8", Assets.require("models/tflite/hello_world_int8.tflite"));
        models.put("micro_speech", Assets.require("models/tflite/micro_speech_quantized.tflite"));
        models.put("network_tester", Assets.require("models/tflite/network_tester/network_model.tflite"));
        Path digits = Assets.require("datasets/mnist10k");
        models.put("mnist8_int8", quantize(dir, "mnist8", Assets.require("models/onnx/mnist8/model.onnx"), digits,
                "1"));
        models.put("tiny_digits_int8", quantize(dir, "tiny_digits", Assets.require("models/pytorch/tiny_digits.onnx"),
                digits, "0.003921569"));
        List<String> report = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Path> e : models.entrySet()) {
            CliTest.Outcome est = CliTest.tinyml("estimate", e.getValue(), "--target", "qemu-mps2-an386", "--kernels",
                    "generated");
            assertEquals(0, est.status(), est.err());
            Matcher neg = Pattern.compile("(?<![0-9A-Za-z])-[0-9]").matcher(est.out());
            assertFalse(neg.find(), e.getKey() + " prints a negative figure:\n" + est.out());
            Model m = ModelIO.read(e.getValue());
            byte[] in = new byte[m.graph().inputTensor(0).byteSize()];
            Path work = Files.createDirectories(dir.resolve("fw-" + e.getKey()));
            FirmwareMeasurement r = FirmwareMeasurement.measure(e.getKey(), m, in, work);
            double err = (r.estFlash() - r.flash()) / (double) r.flash();
            report.add(String.format("%s: estimated %d B, arm-none-eabi-size %d B (%+.1f %%)", e.getKey(), r.estFlash(),
                    r.flash(), 100 * err));
            if (Math.abs(err) > 0.05) {
                failures.add(e.getKey());
            }
        }
        report.forEach(System.out::println);
        assertTrue(failures.isEmpty(), "flash beyond 5 % for " + failures + ":\n" + String.join("\n", report));
    }

    private static Path quantize(Path dir, String name, Path onnx, Path digits, String inputScale) {
        Path out = dir.resolve(name + "_int8.tflite");
        CliTest.Outcome q = CliTest.tinyml("quantize", onnx, "--calibration", digits + "[0:8000]", "--samples", "50",
                "--input-scale", inputScale, "--output", out);
        assertEquals(0, q.status(), q.err());
        return out;
    }
}
