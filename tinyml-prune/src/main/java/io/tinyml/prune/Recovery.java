package io.tinyml.prune;

/** What is done after removing channels to win back accuracy without training. */
public enum Recovery {
    /** Nothing: the remaining weights are kept as they are. */
    NONE,
    /**
     * Refit each layer reading pruned channels by ridge-regularised least squares so that it
     * reproduces its original pre-activation outputs on calibration data.
     */
    LEAST_SQUARES,
    /**
     * Re-estimate batch-normalization statistics: with batch normalization folded into the
     * convolutions, each layer reading pruned channels gets its per-channel output mean and standard
     * deviation on calibration data restored to the original model's (scale and shift of its weights
     * and bias). Cheaper than {@link #LEAST_SQUARES}, which subsumes it.
     */
    BATCH_NORM_STATISTICS
}
