package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.Assets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinyml fit}, run in-process through {@link Main}, on the ONNX model zoo's mnist-8. */
class FitCommandTest {
    @TempDir
    Path tmp;

    @Test
    void mnist8Under16kBAt098() throws Exception {
        Path model = Assets.require("models/onnx/mnist8/model.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path out = tmp.resolve("fit");
        CliTest.Outcome o = CliTest.tinyml("fit", model, "--target", "cortex-m4", "--max-flash", "16kB",
                "--min-accuracy", 0.98, "--data", mnist + "[0:8000]", "--eval", mnist + "[8000:10000]",
                "--output", out, "--json");
        System.out.println(o.out());
        assertEquals(0, o.status(), o.err());
        JsonNode r = new ObjectMapper().readTree(o.out());
        assertTrue(r.get("fits").asBoolean());
        JsonNode last = r.get("steps").get(r.get("steps").size() - 1);
        assertTrue(last.get("accuracy").asDouble() >= 0.98 && last.get("flashBytes").asLong() <= 16 * 1024, o.out());
        // the written model is the one reported: re-estimated and re-scored independently of the report
        Model q = ModelIO.read(out.resolve("model.tflite"));
        long flash = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4")).optKernels(KernelLibrary.GENERATED)
                .build().estimate(q).flashBytes();
        assertEquals(last.get("flashBytes").asLong(), flash);
        assertEquals(last.get("accuracy").asDouble(), io.tinyml.quantize.eval.QuantEval.top1(q,
                io.tinyml.core.data.Datasets.open(mnist + "[8000:10000]"), 1f, 0f), 1e-12);
        assertTrue(Files.exists(out.resolve("c/Makefile")) && Files.exists(out.resolve("estimate.json"))
                && Files.exists(out.resolve("report.json")));
        // the C project computes what the interpreter computes (host build)
        {
            byte[] in = new byte[q.graph().inputTensor(0).byteSize()];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) (i * 31 + 7);
            }
            Path c = out.resolve("c");
            Files.write(c.resolve("in.bin"), in);
            run(c, "make", "-s", "host");
            run(c, "build/host/demo", "in.bin", "host.bin");
            assertArrayEquals(Interpreter.create(q).invoke(in)[0], Files.readAllBytes(c.resolve("host.bin")));
        }
    }

    @Test
    void impossibleRequestIsAPreciseDoesNotFitWithExit3() throws Exception {
        Path model = Assets.require("models/onnx/mnist8/model.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path out = tmp.resolve("nofit");
        CliTest.Outcome o = CliTest.tinyml("fit", model, "--max-flash", "1kB", "--min-accuracy", 0.99,
                "--data", mnist + "[0:600]", "--eval", mnist + "[8000:8300]", "--population", 4, "--generations", 0,
                "--output", out);
        System.out.println(o.out() + o.err());
        assertEquals(Main.EXIT_GATE, o.status(), o.err());
        assertTrue(o.out().contains("result: does NOT fit"), o.out());
        // after the progress lines, one line naming the failed budget with both numbers
        String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("(?s)tinyml fit: does not fit: .*flash: needs [0-9,]+ B, budget 1,024 B "
                + "\\([0-9,]+ B over, \\+[0-9.]+ %\\).*"), o.err());
        assertFalse(o.err().contains("Exception"), o.err());
        JsonNode r = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertFalse(r.get("fits").asBoolean());
        assertEquals(1024, r.get("constraints").get("maxFlashBytes").asLong());
        JsonNode flash = null;
        for (JsonNode s : r.get("shortfalls")) {
            if (s.get("constraint").asText().equals("flash")) {
                flash = s;
            }
        }
        assertTrue(flash != null && flash.get("value").asDouble() > 1024
                && flash.get("gap").asDouble() == flash.get("value").asDouble() - 1024, r.toString());
        // steps tried in order of cost: PTQ, pruning, search; nothing written but the report
        String steps = r.get("steps").toString();
        assertTrue(steps.indexOf("int8 PTQ") < steps.indexOf("structured pruning")
                && steps.indexOf("structured pruning") < steps.indexOf("architecture search"), steps);
        assertFalse(Files.exists(out.resolve("model.tflite")));
    }

    @Test
    void badSizeIsOneLine() {
        CliTest.Outcome o = CliTest.tinyml("fit", "x.onnx", "--max-flash", "lots", "--min-accuracy", 0.9,
                "--data", "d", "--eval", "e", "--output", tmp.resolve("o"));
        assertEquals(Main.EXIT_BAD_INPUT, o.status());
        assertTrue(o.err().contains("expected --max-flash like 32kB"), o.err());
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] o = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0,
                String.join(" ", cmd) + ": " + new String(o));
    }
}
