package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tinyml.train.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tinyml train}, run in-process through {@link Main}. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void fineTunesReportsBeforeAndAfterAndRefusesToOverwrite() throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path out = tmp.resolve("tuned.tflite");
        CliTest.Outcome o = CliTest.tinyml("train", model, "--data", mnist + "[0:1000]", "--eval", mnist + "[8000:9000]",
                "--epochs", 1, "--lr", 1e-4f, "--input-scale", 1f / 255, "--output", out, "--json");
        assertEquals(0, o.status(), o.err());
        // tiny_digits scores 0.972 on [8000:10000]; on its first half the interpreter measures the same model
        double before = number(o.out(), "top1Before");
        double after = number(o.out(), "top1After");
        assertTrue(before > 0.96 && after > 0.95, o.out());
        Model written = ModelIO.read(out);
        assertEquals(12, written.graph().nodes().size());   // 19 nodes, the 7 ReLU6 fused on writing
        byte[] first = Files.readAllBytes(out);

        CliTest.Outcome again = CliTest.tinyml("train", model, "--data", mnist + "[0:100]", "--epochs", 1,
                "--input-scale", 1f / 255, "--output", out);
        assertEquals(Main.EXIT_BAD_INPUT, again.status());
        assertTrue(again.err().contains("exists (use --force"), again.err());
        assertArrayEquals(first, Files.readAllBytes(out));
    }

    @Test
    void badDataIsOneLineAndWritesNothing() throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        Path digits = Assets.require("datasets/digits.csv.gz");   // 8x8 feature rows: no 28x28 image
        Path out = tmp.resolve("never.tflite");
        CliTest.Outcome o = CliTest.tinyml("train", model, "--data", digits + "[0:50]", "--epochs", 1, "--output", out);
        assertEquals(Main.EXIT_BAD_INPUT, o.status(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains("sample 0 of shape [64] does not fit model input"), o.err());
        assertFalse(Files.exists(out));
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count());
        }
    }

    /**
     * A model of [1, 4, 4, 1] inputs and 3 classes trained on CSV rows of 16 features and a label; one row
     * (the fourth) is bad: a missing feature, a label beyond the model's classes, or a NaN feature.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "wrong shape | 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0 | line 4: expected 17 columns, found 16",
        "wrong label count | 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,12 | expected at most 3 classes (the model's output has 3), found 13",
        "NaN | 1,1,1,1,1,1,NaN,1,1,1,1,1,1,1,1,1,0 | expected finite values, found NaN at value 6 of sample 3"})
    void badCsvDataIsOneLineAndWritesNothing(String what, String badRow, String expected) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path model = in.resolve("net.tflite");
        ModelIO.write(NetworkSpec.builder(4, 4, 1).flatten().dense(3).build().toModel(1), model);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            csv.append(i == 3 ? badRow : "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1," + i % 3).append('\n');
        }
        Path data = Files.writeString(in.resolve("rows.csv"), csv.toString());
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        CliTest.Outcome o = CliTest.tinyml("train", model, "--data", data, "--epochs", 1, "--output",
                outDir.resolve("trained.tflite"));
        assertEquals(Main.EXIT_BAD_INPUT, o.status(), what + ": " + o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().contains(expected), what + ": " + o.err());
        try (var files = Files.list(outDir)) {
            assertEquals(0, files.count(), what + ": nothing written");
        }
    }
}
