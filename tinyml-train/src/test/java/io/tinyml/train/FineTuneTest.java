package io.tinyml.train;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.ir.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tunes the PyTorch-trained tiny_digits model through the IR ⇄ DJL bridge; accuracy is measured by
 * our interpreter on the exported IR model (not by DJL), on digits the training never saw.
 */
class FineTuneTest {

    @Test
    void tinyDigitsFineTunedTwoEpochsKeepsItsTop1() throws Exception {
        Model m = Digits.tinyDigits();
        Dataset train = Digits.mnist(0, 8000);
        Dataset test = Digits.mnist(8000, 10000);
        InputMapping map = InputMapping.builder().setInput(m.graph().inputTensor(0)).optScale(1f / 255).build();
        double before = Accuracy.top1(m, test, map, io.tinyml.core.ProgressListener.NONE).top1();

        List<EpochStats> seen = new ArrayList<>();
        List<String> tasks = new ArrayList<>();
        // the recipe, chosen on a validation slice carved out of the training range (never on [8000:10000]):
        // fine-tune on [0:7000] with a low rate, 1-pixel random shifts, an average of the weights and batch norm
        // re-measured on the training data; validate on [7000:8000] after every epoch and before the first,
        // and keep the weights that validate best
        TrainingResult r = Training.builder()
                .optReinsertBatchNorm(true)
                .optOptimizer(OptimizerSpec.sgd(0.001f, 0.9f))
                .optSchedule(LearningRateSchedule.cosine())
                .optRandomShift(1)
                .optWeightAveraging(0.99)
                .optBatchNormStatistics(8000)
                .optValidationFraction(0.125)
                .optValidateInitial(true)
                .optEpochs(2).optBatchSize(32).optSeed(1)
                .optInputScale(1f / 255)
                .optListener((task, done, total) -> {
                    if (done == total) {
                        tasks.add(task);
                    }
                })
                .optEpochListener(seen::add)
                .build()
                .fit(m, train);
        Model tuned = r.model();
        InputMapping tunedMap = map.toBuilder().setInput(tuned.graph().inputTensor(0)).build();
        double after = Accuracy.top1(tuned, test, tunedMap, io.tinyml.core.ProgressListener.NONE).top1();
        System.out.printf("tiny_digits top-1 on mnist10k[8000:10000]: before %.4f, after 2 epochs %.4f (weights of "
                + "epoch %d); history %s%n", before, after, r.bestEpoch(), r.history());
        assertEquals(0.972, before, 0.0005);
        assertTrue(after >= 0.972, "top-1 after fine-tuning " + after);
        try (TrainableModel t = TrainableModel.of(tuned)) {
            float[] x = new float[4 * 784];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(tunedMap.toRealValues(test.get(i)), 0, x, i * 784, 784);
            }
            double d = TrainableModelTest.compareWithInterpreter(t, x, 4);
            System.out.printf("tuned tiny_digits: DJL forward vs interpreter on the exported IR, max abs %.3g%n", d);
            assertTrue(d <= 1e-5, "DJL vs interpreter " + d);
        }
        assertEquals(m.graph().nodes().size(), tuned.graph().nodes().size());   // batch norm folded again
        assertEquals(List.of("train epoch 1/2", "train epoch 2/2"), tasks);
        assertEquals(2, seen.size());
        assertTrue(seen.get(1).samplesPerSecond() > 0 && seen.get(1).loss() < 1.0
                && seen.get(1).validationAccuracy() > 0.98, seen.toString());
        List<String> steps = tuned.provenance().passes().stream().map(p -> p.name()).toList();
        // insert-batchnorm, train, [batchnorm-statistics,] fold-batchnorm
        assertEquals("fold-batchnorm", steps.get(steps.size() - 1), steps.toString());
        assertTrue(steps.subList(Math.max(0, steps.size() - 4), steps.size()).containsAll(List.of("insert-batchnorm", "train")),
                steps.toString());
    }
}
