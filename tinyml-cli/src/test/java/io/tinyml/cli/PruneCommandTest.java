package io.tinyml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.estimate.CostModel;
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
                "--samples", 128, "--eval", mnist + "[8000:9000]", "--target", "qemu-mps2-an386", "--output", out, "--json");
        assertEquals(0, o.status(), o.err());
        String j = o.out();
        Model written = ModelIO.read(out);
        assertEquals((long) number(j, "macsAfter"), CostModel.totalMacs(written.graph()), j);
        assertTrue(number(j, "macsAfter") < number(j, "macsBefore") * 0.7, j);
        assertTrue(number(j, "top1After") > 0.95, j);
        assertEquals(2, number(j, "refitLayers"), j);
        assertTrue(number(j, "flashAfter") < number(j, "flashBefore"), j);
        assertTrue(number(j, "latencyMsAfter") < number(j, "latencyMsBefore") * 0.7, j);

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
    void finetuneTrainsThePrunedModelOnTheCalibrationData() throws Exception {
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        String mnist = Assets.require("datasets/mnist10k").toString();
        Object[] common = {"prune", model, "--structured", 0.5, "--criterion", "activation", "--calibration",
                mnist + "[0:4000]", "--input-scale", 1.0 / 255, "--eval", mnist + "[8000:9000]", "--json"};
        CliTest.Outcome ls = CliTest.tinyml(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--output", tmp.resolve("ls.onnx"))).toArray());
        CliTest.Outcome ft = CliTest.tinyml(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--finetune", 1, "--output", tmp.resolve("ft.onnx"))).toArray());
        assertEquals(0, ls.status(), ls.err());
        assertEquals(0, ft.status(), ft.err());
        assertEquals(number(ls.out(), "macsAfter"), number(ft.out(), "macsAfter"), ft.out());
        assertTrue(number(ft.out(), "top1After") > number(ls.out(), "top1After") + 0.03, ls.out() + " vs " + ft.out());
        // the sensitivity-allocated ratio and the distilled recipe, through the same command
        CliTest.Outcome kd = CliTest.tinyml(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--sensitivity", "--finetune", 1, "--distill", "--output",
                        tmp.resolve("kd.onnx"))).toArray());
        assertEquals(0, kd.status(), kd.err());
        assertTrue(number(kd.out(), "top1After") > number(ls.out(), "top1After") + 0.03, ls.out() + " vs " + kd.out());
        assertTrue(number(kd.out(), "macsAfter") != number(ls.out(), "macsAfter"), "another allocation: " + kd.out());
        // held-out validation data: the fine-tuning keeps its best epoch (or the recovered start)
        CliTest.Outcome val = CliTest.tinyml(java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--finetune", 1, "--validation", mnist + "[4000:4500]", "--output",
                        tmp.resolve("val.onnx"))).toArray());
        assertEquals(0, val.status(), val.err());
        assertTrue(number(val.out(), "top1After") > number(ls.out(), "top1After") + 0.03, ls.out() + " vs " + val.out());
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

    @Test
    void everyBadInputIsOneLineAndTheInputModelIsNeverModified() throws Exception {
        Path model = tmp.resolve("tiny_digits.onnx");
        Files.copy(Assets.require("models/pytorch/tiny_digits.onnx"), model);
        byte[] before = Files.readAllBytes(model);
        // a model with no prunable layer: one fully-connected layer between the graph input and output
        io.tinyml.core.ir.GraphBuilder b = new io.tinyml.core.ir.GraphBuilder();
        int x = b.addInput(io.tinyml.core.ir.Tensor.activation("x", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 4)));
        int w = b.addTensor(io.tinyml.core.ir.Tensor.ofFloats("w", io.tinyml.core.ir.Shape.of(3, 4), new float[12]));
        int y = b.addTensor(io.tinyml.core.ir.Tensor.activation("y", io.tinyml.core.ir.DataType.FLOAT32,
                io.tinyml.core.ir.Shape.of(1, 3)));
        b.addNode("fc", new io.tinyml.core.ir.Op.FullyConnected(io.tinyml.core.ir.Activation.NONE, false),
                java.util.List.of(x, w), java.util.List.of(y));
        b.addOutput(y);
        Path fc = tmp.resolve("fc.onnx");
        ModelIO.write(Model.of(b.build(), io.tinyml.core.ir.Provenance.builtInCode("test")), fc);
        String calib = Assets.require("datasets/mnist10k") + "[0:64]";
        Object[][] cases = {
            {model, "--structured", -0.1, "expected a pruning ratio in [0, 1), found -0.1"},
            {model, "--sparsity", 1.5, "expected a sparsity in [0, 1), found 1.5"},
            {model, "--structured", 0.99, "would remove all 8 channels"},
            {fc, "--structured", 0.5, "expected a model with a prunable layer, found none"},
            {model, "--structured", 0.5, "--recovery", "magic", "expected --recovery least-squares, batch-norm or none"},
            {model, "--structured", 0.5, "--finetune", 2, "expected --calibration (the training data) with --finetune"},
            {model, "--structured", 0.5, "--sensitivity", "expected --calibration with --sensitivity, found none"},
            {model, "--structured", 0.5, "--validation", calib, "expected --finetune with --validation, found none"},
            {model, "--structured", 0.5, "--steps", 0, "expected 1 to 8 pruning steps, found 0"},
            {model, "--structured", 0.5, "--steps", 2, "pruning in 2 steps needs fine-tuning between them"},
        };
        int i = 0;
        for (Object[] c : cases) {
            Object[] args = new Object[c.length + 3];
            args[0] = "prune";
            System.arraycopy(c, 0, args, 1, c.length - 1);
            args[c.length] = "--output";
            args[c.length + 1] = tmp.resolve("out" + i++ + ".onnx");
            args[c.length + 2] = "--calibration=" + calib;
            if (c[0] == fc || (c.length == 6 && "--finetune".equals(c[3])) || "--sensitivity".equals(c[3])) {
                args = java.util.Arrays.copyOf(args, args.length - 1); // no data for the 4-input model; --finetune without
            }
            CliTest.Outcome o = CliTest.tinyml(args);
            assertEquals(2, o.status(), java.util.Arrays.toString(args) + ": " + o.err());
            assertTrue(o.err().contains((String) c[c.length - 1]), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertTrue(!Files.exists((Path) args[c.length + 1]), "nothing written for " + java.util.Arrays.toString(c));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(model), "input untouched");
    }
}
