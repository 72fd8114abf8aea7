package io.tinyml.prune;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.estimate.CostModel;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recoveries at half the channels of tiny_digits, measured on digits none of them saw
 * (mnist10k[8000:10000]; calibration and training on [0:7000]): batch-norm statistics beat nothing,
 * least squares beats both, fine-tuning after least squares beats least squares. And structured pruning
 * without tinyml-train (DJL) on the class path.
 */
class RecoveryTest {

    private static double top1(Model m, Dataset eval, InputMapping map) throws Exception {
        return Accuracy.top1(m, eval, map.toBuilder().setInput(m.graph().inputTensor(0)).build(),
                ProgressListener.NONE).top1();
    }

    @Test
    void eachRecoveryBeatsTheCheaperOneAtHalfTheChannels() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        Dataset train = Datasets.open(Assets.require("datasets/mnist10k") + "[0:7000]");
        Dataset eval = Datasets.open(Assets.require("datasets/mnist10k") + "[8000:10000]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f / 255).build();
        StructuredPruning p = Pruner.of(m).structured().ratio(0.5).criterion(Criterion.ACTIVATION)
                .calibrate(train, map, 256);
        double none = top1(p.apply().model(), eval, map);
        double bn = top1(p.recover(Recovery.BATCH_NORM_STATISTICS).apply().model(), eval, map);
        double ls = top1(p.recover(Recovery.LEAST_SQUARES).apply().model(), eval, map);
        List<String> tasks = new ArrayList<>();
        PruneResult tuned = p.recover(Recovery.LEAST_SQUARES).finetune(train, 2)
                .listener((task, done, total) -> tasks.add(task)).apply();
        double ft = top1(tuned.model(), eval, map);
        System.out.printf("tiny_digits at 0.5: top-1 %.4f none, %.4f batch-norm statistics, %.4f least squares, "
                + "%.4f least squares + fine-tune 2 epochs%n", none, bn, ls, ft);
        assertTrue(bn > none + 0.05, bn + " vs " + none);
        assertTrue(ls > bn + 0.2, ls + " vs " + bn);
        assertTrue(ft > ls + 0.05, ft + " vs " + ls);
        assertTrue(tasks.contains("least-squares refit") && tasks.stream().anyMatch(t -> t.startsWith("train epoch")),
                tasks.toString());
        assertEquals(p.apply().report().macsAfter(), tuned.report().macsAfter(), "fine-tuning keeps the shapes");
        assertThrows(IllegalArgumentException.class, () -> p.finetune(train, -1));
        assertThrows(IllegalStateException.class, () -> Pruner.of(m).structured().finetune(train, 1).apply());
    }

    /** The float weights (input 1) of every layer that has constant weights, in node order. */
    private static List<float[]> layerWeights(Model m) {
        List<float[]> w = new ArrayList<>();
        for (var n : m.graph().nodes()) {
            if (n.inputs().size() > 1 && n.input(1) >= 0 && m.graph().tensor(n.input(1)).isConstant()
                    && m.graph().tensor(n.input(1)).type() == io.tinyml.core.ir.DataType.FLOAT32) {
                w.add(m.graph().tensor(n.input(1)).floats());
            }
        }
        return w;
    }

    @Test
    void fineTuningWithValidationNeverReturnsAModelThatValidatesWorse() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        Dataset train = Datasets.open(Assets.require("datasets/mnist10k") + "[0:1000]");
        Dataset val = Datasets.open(Assets.require("datasets/mnist10k") + "[7000:7500]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f / 255).build();
        StructuredPruning p = Pruner.of(m).structured().ratio(0.5).criterion(Criterion.ACTIVATION)
                .calibrate(train, map, 256).recover(Recovery.LEAST_SQUARES);
        Model recovered = p.apply().model();
        // Adam at 5.0 wrecks the weights in one epoch: without validation that is what comes back ...
        FineTune wrecking = FineTune.plain(1).withLearningRate(5f);
        double start = top1(recovered, val, map);
        double wrecked = top1(p.finetune(train, wrecking).apply().model(), val, map);
        // ... with it, the recovered starting weights (every constant the same)
        Model kept = p.finetune(train, wrecking.withValidation(val)).apply().model();
        System.out.printf("tiny_digits at 0.5, validation top-1: %.4f recovered, %.4f after a wrecking epoch, "
                + "%.4f with validation%n", start, wrecked, top1(kept, val, map));
        assertTrue(wrecked < start - 0.1, wrecked + " vs " + start);
        assertEquals(start, top1(kept, val, map));
        // the same weights, layer by layer (batch norm re-inserted for training and folded again renames
        // them and rounds them by an ulp or so)
        List<float[]> before = layerWeights(recovered);
        List<float[]> after = layerWeights(kept);
        assertEquals(before.size(), after.size());
        assertTrue(before.size() >= 4, "layers compared: " + before.size());
        for (int i = 0; i < before.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i), after.get(i), 1e-5f, "layer " + i);
        }
    }

    @Test
    void pruningInTwoStepsKeepsTheCountsAndNeedsFineTuningBetweenTheSteps() throws Exception {
        Model m = ModelIO.read(Assets.require("models/pytorch/tiny_digits.onnx"));
        Dataset train = Datasets.open(Assets.require("datasets/mnist10k") + "[0:2000]");
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f / 255).build();
        StructuredPruning p = Pruner.of(m).structured().ratio(0.5).criterion(Criterion.ACTIVATION)
                .calibrate(train, map, 256).recover(Recovery.LEAST_SQUARES);
        PruneResult once = p.apply();
        List<String> tasks = new ArrayList<>();
        PruneResult twice = p.steps(2).finetune(train, FineTune.distilled(1).withQuantizationAware(1))
                .listener((task, done, total) -> tasks.add(task)).apply();
        // same layers, same counts, same shapes as all at once: only the weights differ
        assertEquals(once.report().layers(), twice.report().layers());
        assertEquals(once.report().macsBefore(), twice.report().macsBefore());
        assertEquals(once.report().macsAfter(), twice.report().macsAfter());
        assertEquals(once.report().weightBytesAfter(), twice.report().weightBytesAfter());
        assertEquals(CostModel.totalMacs(once.model().graph()), CostModel.totalMacs(twice.model().graph()));
        assertEquals(2 * once.report().refitLayers(), twice.report().refitLayers());
        assertTrue(tasks.contains("least-squares refit") && tasks.contains("train epoch 1/1"), tasks.toString());
        // the last step ends with a quantization-aware epoch, and says so in the model's provenance
        var passes = twice.model().provenance().passes();
        assertTrue(passes.stream().anyMatch(a -> "1".equals(a.parameters().get("finetune-qat-epochs"))
                && "2".equals(a.parameters().get("steps"))), passes.toString());
        assertThrows(IllegalArgumentException.class, () -> FineTune.distilled(1).withQuantizationAware(-1));
        // least squares alone in steps compounds the error (each step refits to the previous step's outputs:
        // tiny_digits [8000:10000] 0.6275 in two steps vs 0.7475 at once), so steps need fine-tuning
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.steps(2).apply());
        assertTrue(e.getMessage().contains("fine-tuning"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.steps(0));
        assertThrows(IllegalArgumentException.class, () -> p.steps(9));
    }

    @Test
    void structuredPruningRunsWithoutTinymlTrainOnTheClassPath() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.contains("tinyml-train") && !e.contains("ai" + File.separator + "djl")) {
                urls.add(Path.of(e).toUri().toURL());
            }
        }
        try (URLClassLoader l = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> l.loadClass("io.tinyml.train.Training"));
            Object model = l.loadClass("io.tinyml.core.io.ModelIO").getMethod("read", Path.class)
                    .invoke(null, Assets.require("models/onnx/mnist8/model.onnx"));
            Class<?> modelClass = l.loadClass("io.tinyml.core.ir.Model");
            Object pruner = l.loadClass("io.tinyml.prune.Pruner").getMethod("of", modelClass).invoke(null, model);
            Object structured = pruner.getClass().getMethod("structured").invoke(pruner);
            structured = structured.getClass().getMethod("ratio", double.class).invoke(structured, 0.5);
            Object result = structured.getClass().getMethod("apply").invoke(structured);
            Object report = result.getClass().getMethod("report").invoke(result);
            long after = (long) report.getClass().getMethod("macsAfter").invoke(report);
            long before = (long) report.getClass().getMethod("macsBefore").invoke(report);
            assertTrue(after < before / 2, after + " vs " + before);
            Object tune = structured.getClass().getMethod("finetune", l.loadClass("io.tinyml.core.data.Dataset"),
                    int.class).invoke(structured, null, 0);
            assertEquals(structured.getClass(), tune.getClass());
        }
    }
}
