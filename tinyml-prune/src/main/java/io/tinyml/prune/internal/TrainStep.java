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
     * @param validation held-out labelled data selecting each stage's weights by accuracy (the starting
     *     weights included), or null for none
     * @param map the input mapping (scale and offset)
     * @param epochs epochs, at least 1
     * @param lr Adam's learning rate
     * @param distillation the distillation share of the loss (ignored without a teacher)
     * @param temperature the distillation temperature
     * @param shift the largest random image shift in pixels, 0 for none
     * @param qatEpochs quantization-aware epochs after the fine-tuning (batch norm folded, a tenth of the
     *     learning rate, 200 calibration samples), 0 for none
     * @param listener progress, per epoch
     * @return the fine-tuned model
     * @throws DatasetException if the data do not fit the model
     * @throws UnsupportedOperatorException if the model has an operator the trainer lacks
     */
    public static Model fineTune(Model m, Model teacher, Dataset train, Dataset validation, InputMapping map,
                                 int epochs, float lr,
                                 double distillation, float temperature, int shift, int qatEpochs,
                                 ProgressListener listener)
            throws DatasetException, UnsupportedOperatorException {
        Model tuned = epochs == 0 ? m : stage(teacher, distillation, temperature, shift, listener, map, validation)
                .optReinsertBatchNorm(true)
                .optOptimizer(OptimizerSpec.adam(lr))
                .optEpochs(epochs).optSeed(1)
                .build().fit(m, train).model();
        if (qatEpochs == 0) {
            return tuned;
        }
        return stage(teacher, distillation, temperature, shift, listener, map, validation)
                .optQuantizationAware(QAT_CALIBRATION)
                .optOptimizer(OptimizerSpec.adam(lr / 10))
                .optEpochs(qatEpochs).optSeed(2)
                .build().fit(tuned, train).model();
    }

    /** Samples calibrating the activation ranges of quantization-aware training (as PruneTable's int8 models). */
    private static final int QAT_CALIBRATION = 200;

    /**
     * The settings both stages share: distillation, shifts, cosine schedule, batches of 32, input mapping,
     * selection by validation accuracy.
     */
    private static Training.Builder stage(Model teacher, double distillation, float temperature, int shift,
                                          ProgressListener listener, InputMapping map, Dataset validation) {
        Training.Builder b = Training.builder();
        if (validation != null) {
            b.optValidation(validation).optValidateInitial(true).optSelectByAccuracy(true);
        }
        if (teacher != null) {
            b.optDistillation(teacher, temperature, distillation);
        }
        return b.optSchedule(LearningRateSchedule.cosine()).optRandomShift(shift).optBatchSize(32)
                .optInputScale(map.scale()).optInputOffset(map.offset()).optListener(listener);
    }
}
