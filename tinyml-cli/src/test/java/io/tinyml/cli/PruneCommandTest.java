package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.analysis.OpCost;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinyml prune}, run in-process through {@link Main}. */
class PruneCommandTest {
    @TempDir
    Path tmp;

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void structuredWithRecoveryWritesASmallerModelAndReportsJson() throws Exception {
        Path model = Assets.require("models/onnx/mnist8/model.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Path out = tmp.resolve("mnist8_pruned.onnx");
        CliTest.Outcome o = CliTest.tinyml("prune", model, "--structured", 0.25, "--calibration", mnist + "[0:8000]",
                "--samples", 128, "--eval", mnist + "[8000:9000]", "--output", out, "--json");
        assertEquals(0, o.status(), o.err());
        String j = o.out();
        Model written = ModelIO.read(out);
        assertEquals((long) number(j, "macsAfter"), OpCost.totalMacs(written.graph()), j);
        assertTrue(number(j, "macsAfter") < number(j, "macsBefore") * 0.7, j);
        assertTrue(number(j, "top1After") > 0.95, j);
        assertEquals(2, number(j, "refitLayers"), j);

        CliTest.Outcome again = CliTest.tinyml("prune", model, "--structured", 0.25, "--output", out);
        assertEquals(2, again.status(), again.err());
        long size = Files.size(out);
        assertTrue(again.err().lines().count() <= 2, again.err());
        assertEquals(size, Files.size(out));
    }

    @Test
    void nOfMSparsityWritesAModelWithHalfItsWeightsZero() throws Exception {
        Path model = Assets.require("models/onnx/mnist8/model.onnx");
        Path out = tmp.resolve("mnist8_24.onnx");
        CliTest.Outcome o = CliTest.tinyml("prune", model, "--n-m", "2:4", "--output", out, "--json");
        assertEquals(0, o.status(), o.err());
        double s = number(o.out(), "sparsity");
        assertTrue(s > 0.45 && s <= 0.5, o.out());
        CliTest.Outcome bad = CliTest.tinyml("prune", model, "--n-m", "2-4", "--output", tmp.resolve("x.onnx"));
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("expected --n-m like 2:4, found '2-4'"), bad.err());
        CliTest.Outcome both = CliTest.tinyml("prune", model, "--n-m", "2:4", "--sparsity", 0.5, "--output",
                tmp.resolve("y.onnx"));
        assertEquals(2, both.status());
        assertTrue(both.err().contains("expected exactly one of --structured, --sparsity or --n-m, found 2"),
                both.err());
    }

    @Test
    void badRatioAndCriterionAreOneLineErrors() {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        CliTest.Outcome a = CliTest.tinyml("prune", model, "--structured", 1.0, "--output", tmp.resolve("a.onnx"));
        assertEquals(2, a.status());
        assertTrue(a.err().contains("expected a pruning ratio in [0, 1), found 1.0"), a.err());
        CliTest.Outcome b = CliTest.tinyml("prune", model, "--structured", 0.5, "--criterion", "taylor",
                "--output", tmp.resolve("b.onnx"));
        assertEquals(2, b.status());
        assertTrue(b.err().contains("expected --criterion l1, l2 or activation, found 'taylor'"), b.err());
        CliTest.Outcome c = CliTest.tinyml("prune", model, "--structured", 0.95, "--output", tmp.resolve("c.onnx"));
        assertEquals(2, c.status());
        assertTrue(c.err().contains("would remove all 8 channels"), c.err());
        assertTrue(!Files.exists(tmp.resolve("a.onnx")) && !Files.exists(tmp.resolve("c.onnx")));
    }
}
