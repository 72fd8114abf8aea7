package io.tinyml.train;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.eval.Accuracy;
import io.tinyml.core.ir.Activation;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Determinism, early stopping and configuration checks of {@link Training}. */
class TrainingTest {
    static final NetworkSpec MLP = NetworkSpec.builder(28, 28, 1).flatten()
            .add(new NetworkSpec.Dense(32, Activation.RELU)).dense(10).build();

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() throws Exception {
        Dataset d = Digits.mnist(0, 600);
        Model init = MLP.toModel(1);
        Training.Builder b = Training.builder().optOptimizer(OptimizerSpec.sgd(0.05f, 0.9f)).optEpochs(2)
                .optBatchSize(50).optInputScale(1f / 255).optRandomShift(1);
        Model a1 = b.optSeed(9).build().fit(init, d).model();
        Model a2 = b.optSeed(9).build().fit(init, d).model();
        Model c = b.optSeed(10).build().fit(init, d).model();
        boolean anyDiffers = false;
        for (int i = 0; i < init.graph().tensors().size(); i++) {
            Tensor t = a1.graph().tensor(i);
            if (t.isConstant()) {
                assertArrayEquals(t.floats(), a2.graph().tensor(i).floats(), t.name());
                assertFalse(Arrays.equals(t.floats(), init.graph().tensor(i).floats()), "trained " + t.name());
                anyDiffers |= !Arrays.equals(t.floats(), c.graph().tensor(i).floats());
            }
        }
        assertTrue(anyDiffers);
    }

    /**
     * What a neural-architecture search resuming from a checkpoint relies on: a training's weights depend
     * only on its seed, data and configuration, not on the thread that runs it, on the trainings the
     * process ran before (libtorch's allocator and oneDNN's primitive cache are warm, buffers land at
     * other addresses), or on other threads keeping the CPU busy. With one intra-op thread (this module's
     * tests set {@code ai.djl.pytorch.num_threads=1}) the weights are bit for bit equal; PyTorch's global
     * generator is seeded by every {@code fit} but nothing in training draws from it.
     */
    @Test
    void sameSeedSameWeightsOnAnotherThreadAfterOtherTrainingsUnderLoad() throws Exception {
        Dataset d = Digits.mnist(0, 600);
        Model init = NetworkSpec.builder(28, 28, 1).conv(8, 3, 2).depthwiseSeparable(16, 2).add(
                new NetworkSpec.GlobalAveragePool()).dense(10).build().toModel(4);
        Training t = Training.builder().optOptimizer(OptimizerSpec.adam(1e-2f)).optEpochs(2).optBatchSize(32)
                .optSeed(5).optInputScale(1f / 255).optRandomShift(1).build();
        Model first = t.fit(init, d).model();
        Training.builder().optEpochs(1).optSeed(6).optInputScale(1f / 255).build()
                .fit(MLP.toModel(3), Digits.mnist(600, 700));
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Model[] second = new Model[1];
        Exception[] failure = new Exception[1];
        Thread busy = new Thread(() -> {
            double x = 0;
            while (!stop.get()) {
                x += Math.sqrt(x + 1);
            }
        });
        Thread worker = new Thread(() -> {
            try {
                second[0] = t.fit(init, d).model();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        busy.start();
        worker.start();
        worker.join();
        stop.set(true);
        busy.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        for (int i = 0; i < first.graph().tensors().size(); i++) {
            Tensor a = first.graph().tensor(i);
            if (a.isConstant()) {
                assertArrayEquals(a.floats(), second[0].graph().tensor(i).floats(), a.name());
            }
        }
    }

    @Test
    void earlyStoppingKeepsTheBestValidationEpoch() throws Exception {
        // 100 samples and a high rate: the validation loss turns up within a few epochs
        TrainingResult r = Training.builder().optOptimizer(OptimizerSpec.adam(1e-2f)).optEpochs(40).optBatchSize(20)
                .optSeed(3).optInputScale(1f / 255).optValidation(Digits.mnist(5000, 5300)).optEarlyStopping(3)
                .build().fit(MLP.toModel(2), Digits.mnist(0, 100));
        System.out.println("early stopping history: " + r.history());
        assertTrue(r.stoppedEarly(), r.history().toString());
        assertEquals(r.bestEpoch() + 3, r.history().size());
        double best = r.history().stream().mapToDouble(EpochStats::validationLoss).min().orElseThrow();
        assertEquals(best, r.history().get(r.bestEpoch() - 1).validationLoss());
        assertEquals(Integer.toString(r.bestEpoch()),
                r.model().provenance().passes().get(r.model().provenance().passes().size() - 1).parameters().get("epochs"));
    }

    @Test
    void validatedStartingWeightsAreKeptOnlyWhenNoEpochBeatsThem() throws Exception {
        Dataset train = Digits.mnist(0, 600);
        Dataset val = Digits.mnist(5000, 5300);
        Training.Builder b = Training.builder().optBatchSize(50).optSeed(4).optInputScale(1f / 255).optValidation(val)
                .optValidateInitial(true);
        // from random weights, the first epoch already validates better than the start
        TrainingResult fromScratch = b.optOptimizer(OptimizerSpec.adam(1e-3f)).optEpochs(2).build()
                .fit(MLP.toModel(5), train);
        assertTrue(fromScratch.bestEpoch() >= 1, fromScratch.history().toString());
        // a rate of 1.0 wrecks trained weights: every epoch validates worse, the starting weights come back
        Model start = fromScratch.model();
        TrainingResult wrecked = b.optOptimizer(OptimizerSpec.sgd(1f, 0.9f)).optEpochs(2).build().fit(start, train);
        System.out.println("validated start: " + wrecked.history());
        assertEquals(0, wrecked.bestEpoch(), wrecked.history().toString());
        for (int i = 0; i < start.graph().tensors().size(); i++) {
            Tensor t = start.graph().tensor(i);
            if (t.isConstant()) {
                assertArrayEquals(t.floats(), wrecked.model().graph().tensor(i).floats(), t.name());
            }
        }
    }

    @Test
    void selectionByAccuracyKeepsTheEpochThatClassifiesTheValidationDataBest() throws Exception {
        Dataset train = Digits.mnist(0, 300);
        Dataset val = Digits.mnist(5000, 5300);
        TrainingResult r = Training.builder().optOptimizer(OptimizerSpec.adam(1e-2f)).optEpochs(6).optBatchSize(20)
                .optSeed(5).optInputScale(1f / 255).optValidation(val).optSelectByAccuracy(true)
                .build().fit(MLP.toModel(6), train);
        System.out.println("selected by accuracy: epoch " + r.bestEpoch() + " of " + r.history());
        double bestAccuracy = r.history().stream().mapToDouble(EpochStats::validationAccuracy).max().orElseThrow();
        EpochStats chosen = r.history().get(r.bestEpoch() - 1);
        assertEquals(bestAccuracy, chosen.validationAccuracy());
        for (EpochStats s : r.history()) {
            assertTrue(s.validationAccuracy() < bestAccuracy || s.validationLoss() >= chosen.validationLoss(),
                    "ties go to the lower loss: " + r.history());
        }
        // the returned weights are the chosen epoch's: our interpreter gives its accuracy again (within a
        // sample or two: DJL and the interpreter may round a near-tie between two logits apart)
        InputMapping map = InputMapping.builder().setInput(r.model().graph().inputTensor(0)).optScale(1f / 255).build();
        assertEquals(chosen.validationAccuracy(), Accuracy.top1(r.model(), val, map, ProgressListener.NONE).top1(),
                2.0 / 300 + 1e-9);
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optSelectByAccuracy(true).build());
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optValidateInitial(true).build());
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optBatchNormStatistics(-1).build());
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optEpochs(0).build());
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optEarlyStopping(2).build());
        assertThrows(IllegalArgumentException.class, () -> Training.builder().optRandomShift(9).build());
        assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.sgd(0.1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> OptimizerSpec.adam(0f));
    }
}
