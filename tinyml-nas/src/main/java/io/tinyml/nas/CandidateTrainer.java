package io.tinyml.nas;

import io.tinyml.core.ModelException;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.ir.Model;

/**
 * Trains a candidate network from its initial weights. The search calls it only for candidates that
 * meet every budget. Implementations must be safe to call from several threads at once and should be
 * deterministic for a given seed (the search's resume relies on it only through its checkpoint, not
 * on bit-identical retraining).
 */
@FunctionalInterface
public interface CandidateTrainer {
    /**
     * Trains a copy of a float classifier.
     *
     * @param init the float model with initial weights (batch norm unfolded)
     * @param data the training samples to use
     * @param epochs epochs
     * @param seed the seed
     * @return the trained float model
     * @throws ModelException if the model cannot be trained
     * @throws java.io.IOException if the data are unusable (a {@code DatasetException})
     */
    Model train(Model init, Dataset data, int epochs, long seed) throws ModelException, java.io.IOException;
}
