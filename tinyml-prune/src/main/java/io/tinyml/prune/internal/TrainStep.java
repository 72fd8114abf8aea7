package io.tinyml.prune.internal;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.DatasetException;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.ir.Model;
import io.tinyml.train.LearningRateSchedule;
import io.tinyml.train.OptimizerSpec;
import io.tinyml.train.Training;

/** Fine-tuning of a pruned model through tinyml-train; the only class of this module naming it. */
public final class TrainStep {
    private TrainStep() {
    }

    /**
     * Trains a pruned float model for a few epochs.
     *
     * @param m the pruned model
     * @param teacher the model to distil from, or null for labels only
     * @param train labelled training data
     * @param map the input mapping (scale and offset)
     * @param epochs epochs, at least 1
     * @param lr Adam's learning rate
     * @param distillation the distillation share of the loss (ignored without a teacher)
     * @param temperature the distillation temperature
     * @param shift the largest random image shift in pixels, 0 for none
     * @param listener progress, per epoch
     * @return the fine-tuned model
     * @throws DatasetException if the data do not fit the model
     * @throws UnsupportedOperatorException if the model has an operator the trainer lacks
     */
    public static Model fineTune(Model m, Model teacher, Dataset train, InputMapping map, int epochs, float lr,
                                 double distillation, float temperature, int shift, ProgressListener listener)
            throws DatasetException, UnsupportedOperatorException {
        Training.Builder b = Training.builder();
        if (teacher != null) {
            b.optDistillation(teacher, temperature, distillation);
        }
        return b
                .optReinsertBatchNorm(true)
                .optOptimizer(OptimizerSpec.adam(lr))
                .optSchedule(LearningRateSchedule.cosine())
                .optRandomShift(shift)
                .optEpochs(epochs).optBatchSize(32).optSeed(1)
                .optInputScale(map.scale()).optInputOffset(map.offset())
                .optListener(listener)
                .build().fit(m, train).model();
    }
}
