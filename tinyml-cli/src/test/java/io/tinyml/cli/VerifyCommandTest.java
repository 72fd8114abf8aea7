package io.tinyml.cli;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetWriter;
import io.tinyml.core.io.savedmodel.SavedModelReader;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Shape;
import io.tinyml.core.pass.PassPipeline;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tinyml verify}, run in-process through {@link Main}.
 */
class VerifyCommandTest {
    @TempDir
    static Path tmp;
    private static Path savedModel;
    private static Path tflite;

    record Outcome(int status, String out, String err) {
    }

    static Outcome verify(Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = "verify";
        System.arraycopy(args, 0, all, 1, args.length);
        CliTest.Outcome o = CliTest.tinyml(all);
        return new Outcome(o.status(), o.out(), o.err());
    }

    /** The kws SavedModel imported, batch norms folded, written as TFLite. */
    @BeforeAll
    static void convert() throws Exception {
        savedModel = Assets.require("models/savedmodel/kws_dscnn");
        Model m = PassPipeline.standard().run(SavedModelReader.read(savedModel));
        tflite = tmp.resolve("kws_from_savedmodel.tflite");
        TfliteWriter.write(m, tflite);
    }

    @Test
    void savedModelAgainstItsTfliteConversion() {
        Outcome o = verify(savedModel, "--against", tflite, "--random", 20, "--json");
        assertEquals(0, o.status(), o.err());
        System.out.println("verify kws_dscnn (TensorFlow) --against converted .tflite --random 20 --json: " + o.out().trim());
        String json = o.out().trim();
        assertTrue(json.startsWith("{\"maxAbsError\":"), json);
        assertEquals(20, number(json, "samples"), json);
        assertTrue(json.contains("\"passed\":true"), json);
        assertTrue(number(json, "maxAbsError") <= 1e-4, json);
        assertEquals(1.0, number(json, "argmaxAgreement"), json);
        assertEquals("", o.err());
    }

    @Test
    void humanReadableOutputAndDatasetSlice() throws Exception {
        Dataset.Builder b = Dataset.builder(Shape.of(49, 10, 1));
        SplittableRandom rnd = new SplittableRandom(5);
        for (int s = 0; s < 8; s++) {
            float[] v = new float[490];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(256);
            }
            b.add(v, s % 12);
        }
        Path data = tmp.resolve("features");
        DatasetWriter.toFolder(b.build(), data);
        Outcome o = verify(tflite, "--against", savedModel, "--data", data + "[2:7]", "--input-scale", 0.25,
                "--input-offset", -30);
        assertEquals(0, o.status(), o.err());
        System.out.println("verify converted .tflite --against kws_dscnn --data features[2:7]:\n" + o.out());
        assertTrue(o.out().contains("samples:          5"), o.out());
        Matcher m = Pattern.compile("max abs error:\\s+(\\S+)").matcher(o.out());
        assertTrue(m.find(), o.out());
        assertTrue(Double.parseDouble(m.group(1)) <= 1e-4, o.out());
        assertTrue(o.out().contains("argmax agreement: 1.0000"), o.out());
    }

    /**
     * The int8 keyword spotter against its float SavedModel: random inputs come from the float range both
     * share (the int8 input's, [(-128 - 83) * 0.5847, (127 - 83) * 0.5847]) whichever is named first, so the
     * comparison no longer depends on argument order; disagreement beyond the gate exits with status 3.
     */
    @Test
    void int8AgainstFloatIsTheSameInEitherOrderAndGated() {
        Path int8 = Assets.require("models/tflite/kws_dscnn_int8.tflite");
        Outcome ab = verify(int8, "--against", savedModel, "--random", 20, "--json");
        Outcome ba = verify(savedModel, "--against", int8, "--random", 20, "--json");
        System.out.println("verify kws int8 --against kws float: " + ab.out().strip() + "\nswapped: " + ba.out().strip());
        double agreement = number(ab.out(), "argmaxAgreement");
        assertEquals(agreement, number(ba.out(), "argmaxAgreement"), ab.out() + " vs " + ba.out());
        assertEquals(number(ab.out(), "maxAbsError"), number(ba.out(), "maxAbsError"), 1e-6);
        float scale = 0.5847029f;
        assertEquals((-128 - 83) * scale, number(ab.out(), "low"), 1e-4, ab.out());
        assertEquals((127 - 83) * scale, number(ab.out(), "high"), 1e-4, ab.out());
        assertEquals(number(ab.out(), "low"), number(ba.out(), "low"), ba.out());

        // uniform noise over the whole int8 range saturates the int8 model's calibrated activations: the
        // models disagree, and the default gate (every argmax agrees) fails with status 3 after reporting
        assertTrue(agreement < 1.0, ab.out());
        assertEquals(Main.EXIT_GATE, ab.status(), ab.err());
        assertEquals(Main.EXIT_GATE, ba.status(), ba.err());
        assertTrue(ab.err().startsWith("tinyml verify: argmax agreement " + agreement + " below --min-agreement 1"),
                ab.err());
        Outcome lenient = verify(int8, "--against", savedModel, "--random", 20, "--min-agreement", 0);
        assertEquals(0, lenient.status(), lenient.err());
        Outcome tolerant = verify(int8, "--against", savedModel, "--random", 20, "--min-agreement", 0,
                "--tolerance", 1.0);
        assertEquals(0, tolerant.status(), tolerant.err());
        Outcome strict = verify(int8, "--against", savedModel, "--random", 20, "--min-agreement", 0,
                "--tolerance", 0.01);
        assertEquals(Main.EXIT_GATE, strict.status(), strict.err());
        assertTrue(strict.err().contains("above --tolerance 0.01"), strict.err());
        assertEquals(2, verify(int8, "--against", savedModel, "--tolerance", -1).status());
    }

    @Test
    void mismatchedModelsAreBadInput() {
        Path pt = Assets.require("models/pytorch/tiny_digits.pt");
        Path person = Assets.require("models/tflite/person_detect/person_detect.tflite");
        Outcome shapes = verify(savedModel, "--against", person, "--random", 1);
        assertEquals(2, shapes.status(), shapes.err());
        assertTrue(shapes.err().startsWith("tinyml verify: expected input 0 shapes equal up to NCHW/NHWC layout, found "
                + "[1, 49, 10, 1]") || shapes.err().contains("49"), shapes.err());
        assertEquals(1, shapes.err().trim().lines().count(), shapes.err());

        Outcome twoPt = verify(pt, "--against", pt);
        assertEquals(2, twoPt.status(), twoPt.err());
        assertTrue(twoPt.err().contains("two TorchScript files"), twoPt.err());

        // tiny_digits pools adaptively, so it accepts the keyword spotter's [1,1,49,10] input; its 10 classes
        // then do not match the spotter's 12
        Outcome classes = verify(pt, "--against", tflite, "--random", 1);
        assertEquals(2, classes.status(), classes.err());
        assertTrue(classes.err().startsWith("tinyml verify: expected output 0 shapes equal up to NCHW/NHWC layout, "
                + "found [1, 10] (output0) and [1, 12]"), classes.err());

        Outcome both = verify(savedModel, "--against", tflite, "--random", 3, "--data", "x");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("expected either --data or --random, found both"), both.err());

        Outcome missing = verify(tmp.resolve("nope.tflite"), "--against", tflite);
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("no such file"), missing.err());

        Outcome noAgainst = verify(tflite);
        assertEquals(2, noAgainst.status());
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([^,}]+)").matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }
}
