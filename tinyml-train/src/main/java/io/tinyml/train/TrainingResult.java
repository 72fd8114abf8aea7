package io.tinyml.train;

import io.tinyml.core.ir.Model;

import java.util.List;

/**
 * The outcome of a training run: the trained IR model and the history.
 *
 * @param model the trained model (with validation data: the weights of the best validation epoch)
 * @param history one entry per epoch run
 * @param bestEpoch the epoch whose weights {@code model} holds, from 1; 0 when validation preferred the starting
 *     weights ({@link Training.Builder#optValidateInitial(boolean)})
 * @param stoppedEarly whether early stopping ended the run before the configured epochs
 */
public record TrainingResult(Model model, List<EpochStats> history, int bestEpoch, boolean stoppedEarly) {
    /**
     * Copies the history.
     *
     * @param model the trained model
     * @param history one entry per epoch
     * @param bestEpoch the epoch whose weights the model holds
     * @param stoppedEarly whether early stopping ended the run
     */
    public TrainingResult {
        history = List.copyOf(history);
    }
}
