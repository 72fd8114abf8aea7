package io.tinyml.cli;

import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tinyml.cli.CliTest.tinyml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the command line prints around its results: progress, hints, numbers, third-party logs. */
class CliOutputTest {

    @Test
    void progressIsOneLinePerTenthWhenStderrIsNotATerminal() {
        Path digits = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k") + "[0:2000]";
        CliTest.Outcome o = tinyml("eval", digits, "--data", mnist, "--input-scale", 1f / 255);
        assertEquals(0, o.status(), o.err());
        assertFalse(o.err().contains("\r"), "no carriage returns in a log: " + o.err());
        List<String> lines = o.err().lines().toList();
        // Accuracy reports every 100 samples: 20 reports, the first and then one line per tenth
        assertEquals(11, lines.size(), o.err());
        assertEquals("evaluate 100/2000", lines.get(0));
        assertEquals("evaluate 200/2000", lines.get(1));
        assertEquals("evaluate 2000/2000", lines.get(10));
    }

    @Test
    void progressRedrawsInPlaceOnATerminal() {
        StringWriter sw = new StringWriter();
        var p = Progress.on(new PrintWriter(sw), true, "");
        for (int i = 1; i <= 4; i++) {
            p.progress("calibrate", i, 4);
        }
        String s = sw.toString();
        assertEquals(4, s.chars().filter(c -> c == '\r').count(), s);
        assertTrue(s.endsWith("] 4/4\n"), s);
        assertTrue(s.contains("[" + "#".repeat(30) + "]"), s);
    }

    @Test
    void usageHintsNameTheRealCommand() {
        CliTest.Outcome unknown = tinyml("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("(see 'tinyml --help')"), unknown.err());
        assertFalse(unknown.err().contains("tinyml tinyml"), unknown.err());
        CliTest.Outcome option = tinyml("estimate", "--bogus");
        assertTrue(option.err().contains("(see 'tinyml estimate --help')"), option.err());
    }

    @Test
    void errorsPrintSignificantDigits() {
        Path hello = Assets.require("models/tflite/hello_world_int8.tflite");
        CliTest.Outcome same = tinyml("verify", hello, "--against", hello, "--random", 3);
        assertEquals(0, same.status(), same.err());
        assertTrue(same.out().contains("max abs error:    0\n"), same.out());
        assertEquals("0", Numbers.sig(0));
        assertEquals("2.38e-07", Numbers.sig(2.384185791015625E-7));
        assertEquals("0.00123", Numbers.sig(0.0012345));
        assertEquals("1", Numbers.sig(1.0));
        assertEquals("-123", Numbers.sig(-123.372314));
        assertEquals("inf", Numbers.sig(Double.POSITIVE_INFINITY));
    }

    /** TensorFlow logs natively, so only a separate process shows what reaches stderr. */
    @Test
    void tensorFlowKeepsItsInfoLogsToItself() throws Exception {
        Path saved = Assets.require("models/savedmodel/kws_dscnn");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.tinyml.cli.Main", "inspect", saved.toString());
        pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "inspect finished");
        String stderr = err.get(10, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), stderr);
        assertTrue(out.get(10, TimeUnit.SECONDS).contains("input:       input_1 FLOAT32 [1, 49, 10, 1]"));
        assertFalse(stderr.contains("tensorflow/"), "TensorFlow's INFO lines on stderr: " + stderr);
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
