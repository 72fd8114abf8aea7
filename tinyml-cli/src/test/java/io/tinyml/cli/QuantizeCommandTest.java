package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.DataType;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinyml quantize}, run in-process through {@link Main}. */
class QuantizeCommandTest {
    @TempDir
    Path tmp;

    record Outcome(int status, String out, String err) {
    }

    static Outcome quantize(Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = "quantize";
        System.arraycopy(args, 0, all, 1, args.length);
        CliTest.Outcome o = CliTest.tinyml(all);
        return new Outcome(o.status(), o.out(), o.err());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void int8WithEvalReportsJsonAndWritesTheModel() throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path out = tmp.resolve("digits_int8.tflite");
        Outcome o = quantize(model, "--calibration", mnist + "[0:8000]", "--samples", 200, "--scheme", "int8",
                "--method", "minmax", "--input-scale", 1f / 255, "--eval", mnist + "[8000:10000]", "--output", out,
                "--json");
        assertEquals(0, o.status(), o.err());
        String j = o.out();
        assertTrue(j.contains("\"scheme\":\"int8\"") && j.contains("\"method\":\"minmax\""), j);
        assertEquals(0.972, number(j, "floatTop1"), 0.0015);
        assertTrue(number(j, "quantTop1") >= 0.968, j);
        assertTrue(number(j, "quantBytes") < number(j, "floatBytes"), j);
        assertTrue(j.contains("\"dtype\":\"INT8\",\"snrDb\":"), j);
        // the mapping used, onto the quantized input; min-max calibration holds every calibration value
        assertTrue(j.contains("\"mapping\":{\"scale\":0.003921569,\"offset\":0.0,\"resize\":false,\"sample\":[28,28,1],"
                + "\"input\":[1,28,28,1],\"inputType\":\"INT8\""), j);
        assertEquals(0.0, number(j, "clippedShare"), j);
        Model written = ModelIO.read(out);
        assertEquals(DataType.INT8, written.graph().inputTensor(0).type());
        assertEquals(Files.size(out), (long) number(j, "quantBytes"));
    }

    @Test
    void mixedReportsLayerChoices() throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Outcome o = quantize(model, "--calibration", mnist + "[0:8000]", "--scheme", "mixed", "--input-scale", 1f / 255,
                "--max-accuracy-drop", 0.001, "--output", tmp.resolve("mixed.tflite"));
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("mixed precision (weighted layers):"), o.out());
        assertTrue(o.out().contains("/fc/Gemm"), o.out());
    }

    @Test
    void badSchemeAndOutputAreBadInput() {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Outcome a = quantize(model, "--calibration", mnist, "--scheme", "int4", "--output", tmp.resolve("x.tflite"));
        assertEquals(2, a.status());
        assertTrue(a.err().contains("expected one of int8, int16x8, fp16, dynamic, mixed, found 'int4'"), a.err());
        Outcome b = quantize(model, "--calibration", mnist, "--output", tmp.resolve("x.bin"));
        assertEquals(2, b.status());
        assertTrue(b.err().contains("expected --output ending in .tflite or .onnx"), b.err());
    }
}
