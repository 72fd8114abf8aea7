package io.tinyml.cli;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.Sample;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tinyml.cli.CliTest.assertOneLineFailure;
import static io.tinyml.cli.CliTest.tinyml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@code eval}, {@code quantize} and {@code verify} map dataset samples onto a model input: never
 * silently. Clipping by an integer input's range is measured and reported, a change of image size or
 * channels needs {@code --resize}, and the JSON output carries the mapping used.
 */
class InputMappingCliTest {
    private static final float PIXEL = 1f / 255;

    @TempDir
    static Path tmp;
    private static Path int8;
    private static String mnist;

    /** tiny_digits quantized to int8 on pixels in [0, 1]: input scale 1/255, zero point -128. */
    @BeforeAll
    static void quantize() {
        mnist = Assets.require("datasets/mnist10k").toString();
        int8 = tmp.resolve("digits_int8.tflite");
        CliTest.Outcome q = tinyml("quantize", Assets.require("models/pytorch/tiny_digits.onnx"), "--calibration",
                mnist + "[0:8000]", "--samples", 100, "--input-scale", PIXEL, "--output", int8, "--json");
        assertEquals(0, q.status(), q.err());
    }

    @Test
    void evalOfAnInt8ModelReportsTheClippingOfUnscaledPixels() throws Exception {
        // the oracle: with the default mapping (raw value = real value) a pixel p quantizes to p * 255 - 128,
        // which int8 holds for p = 0 and p = 1 only; every pixel of 2 or more is clipped
        Dataset test = Datasets.open(mnist + "[8000:10000]");
        long clipped = 0;
        long values = 0;
        for (int i = 0; i < test.size(); i++) {
            Sample s = test.get(i);
            for (float v : s.values()) {
                clipped += v >= 2 ? 1 : 0;
                values++;
            }
        }
        double expectedShare = (double) clipped / values;

        CliTest.Outcome raw = tinyml("eval", int8, "--data", mnist + "[8000:10000]", "--json");
        assertEquals(0, raw.status(), raw.err());
        System.out.println("eval int8 without --input-scale: " + raw.out().strip() + "\n" + raw.err().strip());
        assertEquals(expectedShare, number(raw.out(), "clippedShare"), 1e-12, raw.out());
        assertTrue(expectedShare > 0.1, "share " + expectedShare);
        assertEquals(1.0, number(raw.out(), "scale"), raw.out());
        assertTrue(raw.err().contains("clipped") && raw.err().contains("--input-scale 0.00392157"), raw.err());
        assertEquals(1, raw.err().strip().lines().count(), raw.err());

        CliTest.Outcome scaled = tinyml("eval", int8, "--data", mnist + "[8000:10000]", "--input-scale", PIXEL, "--json");
        assertEquals(0, scaled.status(), scaled.err());
        System.out.println("eval int8 --input-scale 1/255: " + scaled.out().strip());
        assertEquals(0.0, number(scaled.out(), "clippedShare"), scaled.out());
        assertTrue(number(scaled.out(), "top1") >= 0.968, scaled.out());
        assertTrue(number(scaled.out(), "top1") > number(raw.out(), "top1") + 0.02, raw.out() + scaled.out());
        assertEquals("", scaled.err());
        assertTrue(number(scaled.out(), "samplesPerSecond") > 0 && number(scaled.out(), "threads") == 1, scaled.out());

        CliTest.Outcome text = tinyml("eval", int8, "--data", mnist + "[8000:8100]");
        assertTrue(text.out().contains("clipped:"), text.out());
        assertTrue(text.out().contains(" samples/s on 1 thread"), text.out());
    }

    @Test
    void aChangeOfImageSizeOrChannelsNeedsResize() {
        Path resnet = Assets.require("models/tflite/ic_resnet8_float.tflite");
        Path h5 = Assets.require("models/keras/ic_resnet8.h5");
        CliTest.Outcome eval = tinyml("eval", resnet, "--data", mnist + "[0:10]", "--input-scale", PIXEL);
        assertOneLineFailure(eval, "--resize");
        assertTrue(eval.err().contains("[28, 28, 1]") && eval.err().contains("[1, 32, 32, 3]"), eval.err());

        CliTest.Outcome quantize = tinyml("quantize", h5, "--calibration", mnist + "[0:10]", "--samples", 2,
                "--output", tmp.resolve("resnet_int8.tflite"));
        assertOneLineFailure(quantize, "--resize");
        assertTrue(!tmp.resolve("resnet_int8.tflite").toFile().exists());

        CliTest.Outcome verify = tinyml("verify", resnet, "--against", h5, "--data", mnist + "[0:2]");
        assertOneLineFailure(verify, "--resize");

        CliTest.Outcome asked = tinyml("eval", resnet, "--data", mnist + "[0:10]", "--input-scale", PIXEL, "--resize",
                "--json");
        assertEquals(0, asked.status(), asked.err());
        assertTrue(asked.out().contains("\"resize\":true"), asked.out());
        assertTrue(asked.out().contains("\"sample\":[28,28,1],\"input\":[1,32,32,3]"), asked.out());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
